// loadMnist({ dir }) on small synthetic files in MNIST's layout: splits, normalisation, gzip, errors.
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DataFormatError } from './errors.js';
import { encodeIdx } from './idx.js';
import { loadMnist } from './mnist.js';

const ROWS = 2;
const COLS = 3;
const pixel = (example: number, k: number): number => (example * 37 + k * 11) % 256;

function images(count: number, offset = 0): Uint8Array {
  const data = new Uint8Array(count * ROWS * COLS);
  for (let i = 0; i < count; i++)
    for (let k = 0; k < ROWS * COLS; k++) data[i * ROWS * COLS + k] = pixel(offset + i, k);
  return encodeIdx({ dtype: 'uint8', shape: [count, ROWS, COLS], data });
}
function labels(count: number, offset = 0): Uint8Array {
  return encodeIdx({
    dtype: 'uint8',
    shape: [count],
    data: Uint8Array.from({ length: count }, (_, i) => (offset + i) % 10),
  });
}

async function mnistDir(
  files: Record<string, Uint8Array>,
  gzip: readonly string[] = [],
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nabla-mnist-'));
  await mkdir(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) {
    if (gzip.includes(name)) await writeFile(join(dir, name + '.gz'), gzipSync(bytes));
    else await writeFile(join(dir, name), bytes);
  }
  return dir;
}

const good = {
  'train-images-idx3-ubyte': images(12),
  'train-labels-idx1-ubyte': labels(12),
  't10k-images-idx3-ubyte': images(5, 100),
  't10k-labels-idx1-ubyte': labels(5, 100),
};

describe('loadMnist({ dir })', () => {
  it('splits the training file into train (first) and validation (last)', async () => {
    const dir = await mnistDir(good, ['train-images-idx3-ubyte', 't10k-labels-idx1-ubyte']);
    const { train, validation, test } = await loadMnist({ dir, validation: 4 });
    expect([train.count, validation.count, test.count]).toEqual([8, 4, 5]);
    expect([train.rows, train.cols, test.rows, test.cols]).toEqual([ROWS, COLS, ROWS, COLS]);
    expect(Array.from(train.labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(Array.from(validation.labels)).toEqual([8, 9, 0, 1]);
    expect(Array.from(test.labels)).toEqual([0, 1, 2, 3, 4]);
    expect(train.labels).toBeInstanceOf(Int32Array);
    expect(train.images).toBeInstanceOf(Float32Array);
    expect(train.images.length).toBe(8 * ROWS * COLS);
    expect(validation.images.length).toBe(4 * ROWS * COLS);
    // validation example 0 is training-file example 8; pixels are bytes / 255
    expect(validation.images[1]).toBeCloseTo(pixel(8, 1) / 255, 7);
    expect(test.images[6 + 5]).toBeCloseTo(pixel(101, 5) / 255, 7);
  });

  it('validation: 0 and limit', async () => {
    const dir = await mnistDir(good);
    const all = await loadMnist({ dir, validation: 0 });
    expect([all.train.count, all.validation.count, all.test.count]).toEqual([12, 0, 5]);
    expect(all.validation.images.length).toBe(0);
    const few = await loadMnist({ dir, validation: 4, limit: 3 });
    expect([few.train.count, few.validation.count, few.test.count]).toEqual([3, 3, 3]);
    expect(Array.from(few.validation.labels)).toEqual([8, 9, 0]);
    expect(few.train.images.length).toBe(3 * ROWS * COLS);
  });

  it('rejects a validation split larger than the training file', async () => {
    const dir = await mnistDir(good);
    await expect(loadMnist({ dir, validation: 13 })).rejects.toThrow(
      'validation (13) exceeds the 12 training examples',
    );
    await expect(loadMnist({ dir, validation: -1 })).rejects.toThrow(RangeError);
  });

  it('rejects a limit that is not a count, naming it', async () => {
    const dir = await mnistDir(good);
    for (const limit of [2.5, NaN, -1, 0.1])
      await expect(loadMnist({ dir, limit }), String(limit)).rejects.toThrow(
        `loadMnist: limit must be a non-negative integer, got ${limit}`,
      );
    const all = await loadMnist({ dir, validation: 4, limit: Infinity });
    expect(all.train.count).toBe(8);
  });

  it('images / labels count mismatch names the label file and both counts', async () => {
    const dir = await mnistDir({ ...good, 't10k-labels-idx1-ubyte': labels(4) });
    const err = await loadMnist({ dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataFormatError);
    expect((err as Error).message).toContain('t10k-labels-idx1-ubyte');
    expect((err as Error).message).toContain('expected 5 labels');
    expect((err as Error).message).toContain('found 4');
  });

  it('images that are not 3-d uint8', async () => {
    const flat = encodeIdx({ dtype: 'uint8', shape: [12 * 6], data: new Uint8Array(72) });
    const dir = await mnistDir({ ...good, 'train-images-idx3-ubyte': flat });
    await expect(loadMnist({ dir })).rejects.toThrow(
      /train-images-idx3-ubyte: expected images as a 3-d uint8 IDX array \[count, rows, cols\], found 1-d uint8 \[72\]/,
    );
  });

  it('a truncated gzip file names the .gz path', async () => {
    const dir = await mnistDir({ ...good, 'train-labels-idx1-ubyte': labels(12).subarray(0, 15) }, [
      'train-labels-idx1-ubyte',
    ]);
    await expect(loadMnist({ dir })).rejects.toThrow(/train-labels-idx1-ubyte\.gz: truncated/);
  });

  it('a missing file lists the names it tried', async () => {
    const { 't10k-images-idx3-ubyte': _, ...rest } = good;
    const dir = await mnistDir(rest);
    await expect(loadMnist({ dir })).rejects.toThrow(
      /IDX file not found: tried .*t10k-images-idx3-ubyte and .*t10k-images-idx3-ubyte\.gz/,
    );
  });
});
