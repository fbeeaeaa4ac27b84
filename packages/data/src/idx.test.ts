import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { NablaError } from '@nablajs/tensor';
import { describe, expect, it } from 'vitest';
import { DataFormatError } from './errors.js';
import { decodeIdx, encodeIdx, isGzip, parseIdx, type IdxArray } from './idx.js';
import { readIdxFile } from './node.js';

const samples: IdxArray[] = [
  {
    dtype: 'uint8',
    shape: [2, 3, 2],
    data: Uint8Array.from([0, 1, 2, 127, 128, 255, 9, 8, 7, 6, 5, 4]),
  },
  { dtype: 'int8', shape: [4], data: Int8Array.from([-128, -1, 0, 127]) },
  { dtype: 'int16', shape: [2, 2], data: Int16Array.from([-32768, -2, 258, 32767]) },
  { dtype: 'int32', shape: [3], data: Int32Array.from([-2147483648, 16909060, 2147483647]) },
  { dtype: 'float32', shape: [1, 3], data: Float32Array.from([-1.5, 0.1, 3e38]) },
  { dtype: 'float64', shape: [2], data: Float64Array.from([Math.PI, -1e-300]) },
  { dtype: 'uint8', shape: [0, 28, 28], data: new Uint8Array(0) },
];

/** A hand-written IDX file, independent of encodeIdx: 00 00 code ndims, dims (BE), data. */
function rawIdx(code: number, dims: number[], data: number[]): Uint8Array {
  const out: number[] = [0, 0, code, dims.length];
  for (const d of dims) out.push((d >>> 24) & 255, (d >>> 16) & 255, (d >>> 8) & 255, d & 255);
  return Uint8Array.from([...out, ...data]);
}

const tmp = mkdtemp(join(tmpdir(), 'nabla-idx-'));

describe('parseIdx', () => {
  it('reads a hand-written big-endian file', () => {
    const file = rawIdx(0x0c, [2], [0x01, 0x02, 0x03, 0x04, 0xff, 0xff, 0xff, 0xfe]);
    const { dtype, shape, data } = parseIdx(file);
    expect(dtype).toBe('int32');
    expect(shape).toEqual([2]);
    expect(Array.from(data)).toEqual([0x01020304, -2]);
    const f32 = parseIdx(rawIdx(0x0d, [1], [0x3f, 0xc0, 0x00, 0x00]));
    expect(Array.from(f32.data)).toEqual([1.5]);
  });

  it('reads MNIST-shaped uint8 images and copies them', () => {
    const file = rawIdx(0x08, [2, 2, 2], [0, 1, 2, 3, 252, 253, 254, 255]);
    const images = parseIdx(file, 'mini-images');
    expect(images.shape).toEqual([2, 2, 2]);
    expect(images.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(images.data)).toEqual([0, 1, 2, 3, 252, 253, 254, 255]);
    file[8] = 99;
    expect(images.data[0]).toBe(0);
  });

  it('reads from a subarray with a non-zero byteOffset', () => {
    const file = rawIdx(0x0b, [2], [0x01, 0x00, 0xff, 0xff]);
    const padded = new Uint8Array(file.length + 3);
    padded.set(file, 3);
    expect(Array.from(parseIdx(padded.subarray(3)).data)).toEqual([256, -1]);
  });

  it.each(samples.map((s) => [s.dtype, s.shape.join('×'), s] as const))(
    'round-trips %s %s through encodeIdx',
    (_d, _s, sample) => {
      const back = parseIdx(encodeIdx(sample));
      expect(back.dtype).toBe(sample.dtype);
      expect(back.shape).toEqual(sample.shape);
      expect(back.data.constructor).toBe(sample.data.constructor);
      expect(Array.from(back.data)).toEqual(Array.from(sample.data));
    },
  );
});

describe('IDX errors', () => {
  const ok = rawIdx(0x08, [2, 3], [1, 2, 3, 4, 5, 6]);

  function thrown(fn: () => unknown): DataFormatError {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(DataFormatError);
      expect(e).toBeInstanceOf(NablaError);
      expect(e).toBeInstanceOf(Error);
      expect((e as Error).name).toBe('DataFormatError');
      return e as DataFormatError;
    }
    throw new Error('expected a DataFormatError');
  }

  it('bad magic number', () => {
    const bad = ok.slice();
    bad[0] = 0x50; // 'P', e.g. a PNG or a zip handed over by mistake
    const e = thrown(() => parseIdx(bad, 'images.idx'));
    expect(e.file).toBe('images.idx');
    expect(e.message).toMatch(/^parseIdx: images\.idx: bad IDX magic number/);
    expect(e.message).toContain('expected the first two bytes to be 0x00 0x00, found 0x50 0x00');
  });

  it('unsupported type code', () => {
    const bad = ok.slice();
    bad[2] = 0x0a;
    const e = thrown(() => parseIdx(bad, 'f'));
    expect(e.message).toContain('unsupported IDX type code 0x0a');
    expect(e.message).toContain('0x08 (uint8)');
  });

  it('shorter than a header', () => {
    expect(thrown(() => parseIdx(new Uint8Array([0, 0]), 'f')).message).toContain(
      'expected at least 4 bytes, found 2',
    );
    expect(thrown(() => parseIdx(ok.subarray(0, 9), 'f')).message).toContain(
      'truncated header: 2 dimensions need 12 header bytes, found 9',
    );
  });

  it('truncated data', () => {
    const e = thrown(() => parseIdx(ok.subarray(0, ok.length - 2), 'labels'));
    expect(e.message).toBe(
      'parseIdx: labels: truncated: header says 2×3 uint8 = 6 data bytes, found 4',
    );
    const wide = encodeIdx({ dtype: 'float64', shape: [3], data: new Float64Array(3) });
    expect(thrown(() => parseIdx(wide.subarray(0, wide.length - 1))).message).toContain(
      '3 float64 = 24 data bytes, found 23',
    );
  });

  it('trailing bytes', () => {
    const long = Uint8Array.from([...ok, 0, 0, 0]);
    expect(thrown(() => parseIdx(long, 'f')).message).toBe(
      'parseIdx: f: length mismatch: header says 2×3 uint8 = 6 data bytes, found 9 (3 trailing bytes)',
    );
  });

  it('gzip handed to the synchronous parser', () => {
    const e = thrown(() => parseIdx(gzipSync(ok), 'x.gz'));
    expect(e.message).toContain('gzip-compressed');
    expect(e.message).toContain('decodeIdx');
  });

  it('corrupt gzip', async () => {
    const gz = gzipSync(ok);
    const broken = gz.subarray(0, 12);
    await expect(decodeIdx(broken, 'x.gz')).rejects.toThrow(DataFormatError);
    await expect(decodeIdx(broken, 'x.gz')).rejects.toThrow(/^decodeIdx: x\.gz: starts like gzip/);
    const path = join(await tmp, 'broken.gz');
    await writeFile(path, broken);
    await expect(readIdxFile(path)).rejects.toThrow(/^readIdxFile: .*broken\.gz: starts like gzip/);
  });

  it('encodeIdx rejects data that does not fill the shape', () => {
    expect(() => encodeIdx({ dtype: 'uint8', shape: [2, 2], data: new Uint8Array(3) })).toThrow(
      RangeError,
    );
  });
});

describe('gzip', () => {
  const sample = samples[2]!;

  it('isGzip looks at the magic bytes', () => {
    expect(isGzip(gzipSync(encodeIdx(sample)))).toBe(true);
    expect(isGzip(encodeIdx(sample))).toBe(false);
    expect(isGzip(new Uint8Array([0x1f]))).toBe(false);
  });

  it('decodeIdx decompresses with DecompressionStream', async () => {
    const back = await decodeIdx(gzipSync(encodeIdx(sample)));
    expect(back.shape).toEqual(sample.shape);
    expect(Array.from(back.data)).toEqual(Array.from(sample.data));
    expect((await decodeIdx(encodeIdx(sample))).shape).toEqual(sample.shape);
  });

  it('readIdxFile reads plain, gzip, and a .gz name holding plain bytes', async () => {
    const dir = await tmp;
    const plain = encodeIdx(sample);
    await writeFile(join(dir, 'a-idx2-short'), plain);
    await writeFile(join(dir, 'a-idx2-short.gz'), gzipSync(plain));
    await writeFile(join(dir, 'already-unzipped.gz'), plain);
    for (const name of ['a-idx2-short', 'a-idx2-short.gz', 'already-unzipped.gz']) {
      const back = await readIdxFile(join(dir, name));
      expect(back.dtype).toBe('int16');
      expect(Array.from(back.data)).toEqual(Array.from(sample.data));
    }
  });

  // A bomb: a header for 10 bytes, then 64 MiB of zeros (64 KiB of gzip). The reader must stop
  // soon after the declared size, not inflate it all (or a 4.7 MB file into 1 GiB).
  const bomb = () => {
    const plain = new Uint8Array(8 + 64 * 1024 * 1024);
    plain.set(rawIdx(0x08, [10], []));
    return gzipSync(plain);
  };
  const stopped =
    /holds more than the 18 bytes its header declares \(10 uint8\); stopped after (\d+) bytes/;

  it('decodeIdx stops inflating at the size the header declares', async () => {
    const err = (await decodeIdx(bomb(), 'bomb.gz').catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(DataFormatError);
    expect(err.message).toMatch(/^decodeIdx: bomb\.gz: decompresses to more than/);
    const n = Number(stopped.exec(err.message)?.[1]);
    expect(n).toBeGreaterThan(18);
    expect(n).toBeLessThan(2 * 1024 * 1024); // a chunk or two past the header, not 64 MiB
  });

  it('readIdxFile stops inflating at the size the header declares', async () => {
    const path = join(await tmp, 'bomb.gz');
    await writeFile(path, bomb());
    const err = (await readIdxFile(path).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(DataFormatError);
    expect(err.message).toMatch(new RegExp(`^readIdxFile: ${path}: decompresses to more than`));
    expect(Number(stopped.exec(err.message)?.[1])).toBeLessThan(2 * 1024 * 1024);
  });

  it('a gzip whose header is bad says so without inflating the rest', async () => {
    const plain = new Uint8Array(8 + 1024 * 1024);
    plain.set([0, 0, 0x42, 1]);
    await expect(decodeIdx(gzipSync(plain), 'odd.gz')).rejects.toThrow(
      /^parseIdx: odd\.gz: unsupported IDX type code 0x42/,
    );
  });

  it('readIdxFile names the path in format errors', async () => {
    const path = join(await tmp, 'cut.gz');
    await writeFile(path, gzipSync(encodeIdx(sample).subarray(0, 10)));
    await expect(readIdxFile(path)).rejects.toThrow(`parseIdx: ${path}: truncated`);
  });
});
