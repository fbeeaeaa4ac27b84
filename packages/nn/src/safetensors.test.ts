import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpu } from '@nablajs/backend-cpu';
import { type Tensor, randn, tensor, useBackend, zeros } from '@nablajs/tensor';
import { afterAll, describe, expect, test } from 'vitest';
import {
  Linear,
  Sequential,
  Sigmoid,
  SafetensorsError,
  deserialize,
  load,
  removeStaleTemporaries,
  save,
  serialize,
} from './index.js';

useBackend(cpu());

const dir = mkdtempSync(join(tmpdir(), 'nabla-safetensors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const arr = (t: Tensor) => Array.from(t.dataSync());
const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** A file from a header object and data bytes, padded like the reference writer. */
function build(header: unknown, data: number[] | Uint8Array = [], pad = true): Uint8Array {
  let json = JSON.stringify(header);
  if (pad) json = json.padEnd(Math.ceil(json.length / 8) * 8, ' ');
  const h = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

function sampleDict(): Record<string, Tensor> {
  return {
    'layer.weight': randn([3, 4], { seed: 1 }),
    bias64: tensor([1 / 3, -2.5, 1e-300], { dtype: 'float64' }),
    labels: tensor(
      [
        [-1, 0],
        [2147483647, -2147483648],
      ],
      { dtype: 'int32' },
    ),
    scalar: tensor(3.5),
    empty: zeros([0, 3]),
    mask: tensor([
      [true, false, true],
      [false, false, true],
    ]),
  };
}

describe('serialize / deserialize', () => {
  test('the exact bytes of a small file', () => {
    const bytes = serialize({ a: tensor([1, 2]) });
    const header = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
    const padded = header.padEnd(56, ' ');
    expect(Number(new DataView(bytes.buffer).getBigUint64(0, true))).toBe(56);
    expect(text(bytes.subarray(8, 64))).toBe(padded);
    expect(Array.from(bytes.subarray(64))).toEqual([0, 0, 0x80, 0x3f, 0, 0, 0, 0x40]); // 1.0f, 2.0f little-endian
    expect(bytes.length).toBe(72);
  });

  test('round trip of every dtype, scalars, empty tensors and metadata; header 8-byte aligned', () => {
    const sd = sampleDict();
    const bytes = serialize(sd, { format: 'pt', note: '∇ nabla' });
    expect(Number(new DataView(bytes.buffer).getBigUint64(0, true)) % 8).toBe(0);
    const { tensors, metadata } = deserialize(bytes);
    expect(metadata).toEqual({ format: 'pt', note: '∇ nabla' });
    expect(Object.keys(tensors)).toEqual(Object.keys(sd));
    for (const [k, t] of Object.entries(sd)) {
      expect(tensors[k]!.dtype).toBe(t.dtype);
      expect(tensors[k]!.shape).toEqual(t.shape);
      expect(arr(tensors[k]!)).toEqual(arr(t));
    }
    expect(deserialize(serialize({})).tensors).toEqual({});
  });

  test('a module round-trips through bytes into a fresh module', () => {
    const a = new Sequential(new Linear(5, 4), new Sigmoid(), new Linear(4, 2));
    const b = new Sequential(new Linear(5, 4), new Sigmoid(), new Linear(4, 2));
    b.loadStateDict(deserialize(serialize(a)).tensors);
    const x = randn([3, 5], { seed: 2 });
    expect(arr(b.forward(x).data)).toEqual(arr(a.forward(x).data));
  });

  test('strided views are written row-major', () => {
    const t = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]).transpose();
    const { tensors } = deserialize(serialize({ t }));
    expect(tensors.t!.shape).toEqual([3, 2]);
    expect(arr(tensors.t!)).toEqual([1, 4, 2, 5, 3, 6]);
  });

  test('reads F16, BF16, I64, U8 and BOOL (as float32 / int32)', () => {
    const data = new Uint8Array(2 * 3 + 2 * 2 + 8 * 2 + 2 + 2);
    const v = new DataView(data.buffer);
    [0x3800, 0xc000, 0x7bff].forEach((h, i) => v.setUint16(2 * i, h, true)); // 0.5, -2, 65504
    [0x3fc0, 0xc040].forEach((h, i) => v.setUint16(6 + 2 * i, h, true)); // 1.5, -3
    v.setBigInt64(10, 7n, true);
    v.setBigInt64(18, -5n, true);
    data.set([200, 3], 26);
    data.set([1, 0], 28);
    const bytes = build(
      {
        half: { dtype: 'F16', shape: [3], data_offsets: [0, 6] },
        bf: { dtype: 'BF16', shape: [2], data_offsets: [6, 10] },
        steps: { dtype: 'I64', shape: [2], data_offsets: [10, 26] },
        u8: { dtype: 'U8', shape: [2], data_offsets: [26, 28] },
        mask: { dtype: 'BOOL', shape: [2], data_offsets: [28, 30] },
      },
      data,
      false, // unpadded headers are read too
    );
    const { tensors } = deserialize(bytes);
    expect(arr(tensors.half!)).toEqual([0.5, -2, 65504]);
    expect(tensors.half!.dtype).toBe('float32');
    expect(arr(tensors.bf!)).toEqual([1.5, -3]);
    expect(arr(tensors.steps!)).toEqual([7, -5]);
    expect(tensors.steps!.dtype).toBe('int32');
    expect(arr(tensors.u8!)).toEqual([200, 3]);
    expect(arr(tensors.mask!)).toEqual([1, 0]);
  });

  test('refuses what it cannot write', () => {
    expect(() => serialize({ __metadata__: zeros([1]) })).toThrow("'__metadata__' is reserved");
    expect(() => serialize({ a: 1 as never })).toThrow("'a' is not a Tensor");
    expect(() => serialize({ a: zeros([1]) }, { n: 1 as never })).toThrow(
      'metadata must map strings to strings',
    );
    const d = zeros([1]);
    d.dispose();
    expect(() => serialize({ d })).toThrow('disposed');
  });
});

describe('corrupt and truncated files raise a SafetensorsError that says what is wrong', () => {
  const good = serialize({ a: tensor([1, 2]), b: tensor([3], { dtype: 'int32' }) });
  const F32 = (shape: number[], offsets: number[]) => ({
    a: { dtype: 'F32', shape, data_offsets: offsets },
  });
  const cases: [string, Uint8Array, string][] = [
    ['empty', new Uint8Array(0), '0 bytes is too short'],
    ['truncated in the header', good.subarray(0, 20), 'exceeds the 12 bytes after it'],
    [
      'truncated in the data',
      good.subarray(0, good.length - 2),
      "'b': data_offsets [8, 12] go past the 10 data bytes",
    ],
    [
      'not JSON',
      build('{"a": [1, 2').map((b, i) => (i === 8 ? 0x20 : b)),
      'header is not UTF-8 JSON',
    ],
    ['not UTF-8', build('"xy"').map((b, i) => (i === 9 ? 0xff : b)), 'header is not UTF-8 JSON'],
    ['not an object', build([1, 2]), 'the header is not a JSON object'],
    [
      'unknown dtype',
      build({ a: { dtype: 'F128', shape: [1], data_offsets: [0, 16] } }, new Uint8Array(16)),
      '\'a\': unknown dtype "F128"',
    ],
    [
      'unsupported dtype',
      build({ a: { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] } }, [0]),
      'dtype F8_E4M3 is not supported',
    ],
    [
      'shape × itemsize ≠ bytes',
      build(F32([3], [0, 8]), new Uint8Array(8)),
      "'a': F32 [3] needs 12 bytes, but data_offsets [0, 8] hold 8",
    ],
    [
      'bad shape',
      build(F32([-1] as number[], [0, 4]), new Uint8Array(4)),
      'is not a list of non-negative integers',
    ],
    ['bad offsets', build(F32([1], [0]), new Uint8Array(4)), 'is not [begin, end]'],
    ['reversed offsets', build(F32([0], [4, 0]), new Uint8Array(4)), 'end before they begin'],
    [
      'overlapping tensors',
      build(
        {
          a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
        },
        new Uint8Array(8),
      ),
      "overlap another tensor's bytes",
    ],
    ['a gap', build(F32([1], [4, 8]), new Uint8Array(8)), 'leave a gap after byte 0'],
    [
      'trailing bytes',
      build(F32([1], [0, 4]), new Uint8Array(12)),
      '8 bytes after the last tensor are not described',
    ],
    ['bad metadata', build({ __metadata__: { a: 1 } }), '__metadata__ must map strings to strings'],
    ['not an entry', build({ a: 5 }), "'a': expected {dtype, shape, data_offsets}"],
    [
      'I64 outside int32',
      build(
        { a: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } },
        new Uint8Array([0, 0, 0, 0, 1, 0, 0, 0]),
      ),
      'holds 4294967296 at index 0, outside int32',
    ],
  ];
  test.each(cases)('%s', (_name, bytes, message) => {
    expect(() => deserialize(bytes)).toThrow(SafetensorsError);
    expect(() => deserialize(bytes)).toThrow(message);
  });

  test('a huge header length is refused without allocating', () => {
    const b = new Uint8Array(16);
    new DataView(b.buffer).setBigUint64(0, 2n ** 63n, true);
    expect(() => deserialize(b)).toThrow(
      'header length 9223372036854775808 exceeds the 8 bytes after it',
    );
  });
});

describe('save / load (Node)', () => {
  test('saves a module and loads it back; metadata too; no temporary file left', async () => {
    const model = new Sequential(new Linear(4, 3), new Sigmoid(), new Linear(3, 2));
    const path = join(dir, 'model.safetensors');
    await save(model, path, { epoch: '3' });
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
    const { tensors, metadata } = await load(path);
    expect(metadata).toEqual({ epoch: '3' });
    expect(Object.keys(tensors)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    for (const [k, t] of Object.entries(model.stateDict()))
      expect(arr(tensors[k]!)).toEqual(arr(t));
    // overwrite with a smaller file: the whole file is replaced
    await save({ x: tensor([1]) }, path);
    expect(Object.keys((await load(path)).tensors)).toEqual(['x']);
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
  });

  test('a failed write leaves the previous file intact and no temporary file', async () => {
    const sub = join(dir, 'atomic');
    mkdirSync(sub);
    const target = join(sub, 'taken');
    mkdirSync(target); // rename onto a non-empty directory fails
    writeFileSync(join(target, 'keep'), 'x');
    await expect(save({ a: tensor([1]) }, target)).rejects.toThrow();
    expect(readdirSync(sub)).toEqual(['taken']);
    await expect(
      save({ a: tensor([1]) }, join(dir, 'no-such-dir', 'm.safetensors')),
    ).rejects.toThrow('ENOENT');
  });

  test('a missing folder is named in the error, with the path asked for (not the temporary file)', async () => {
    const path = join(dir, 'no-such-dir', 'm.safetensors');
    const err = (await save({ a: tensor([1]) }, path).catch((e: unknown) => e)) as Error & {
      code?: string;
    };
    expect(err.code).toBe('ENOENT');
    expect(err.message).toBe(
      `save: cannot write ${path}: the folder ${join(dir, 'no-such-dir')} does not exist (ENOENT)`,
    );
    expect(err.message).not.toContain('.tmp-');
  });

  test('temporary files of a killed writer are removed by the next save to that path', async () => {
    const sub = join(dir, 'stale');
    mkdirSync(sub);
    const path = join(sub, 'ck.safetensors');
    // pid 2^22 + 1 is above Linux's pid_max default; a pid of a live process: ours
    const dead = `${path}.tmp-4194305-abcdefgh`;
    const live = `${path}.tmp-${process.pid}-ijklmnop`;
    const other = join(sub, 'other.safetensors.tmp-4194305-abcdefgh');
    for (const f of [dead, live, other]) writeFileSync(f, 'half a file');
    expect(await removeStaleTemporaries(path)).toEqual([dead]);
    expect(readdirSync(sub).sort()).toEqual(
      [live, other].map((f) => f.slice(sub.length + 1)).sort(),
    );
    writeFileSync(dead, 'again');
    await save({ a: tensor([1]) }, path);
    expect(readdirSync(sub).sort()).toEqual(
      ['ck.safetensors', live.slice(sub.length + 1), other.slice(sub.length + 1)].sort(),
    );
  });

  test('load names the file in its errors', async () => {
    const path = join(dir, 'broken.safetensors');
    writeFileSync(path, serialize({ a: tensor([1, 2, 3]) }).subarray(0, 60));
    await expect(load(path)).rejects.toThrow(SafetensorsError);
    await expect(load(path)).rejects.toThrow(`deserialize(${path}): `);
  });
});

// PyTorch 1.13 has no safetensors package: the Python side parses and writes the format by hand
// (struct + json + torch.frombuffer), so this proves that a torch program reads our files and we
// read its files, with equal values.
const PYTHON = String.raw`
import json, struct, sys, torch
DT = {'F32': torch.float32, 'F64': torch.float64, 'I32': torch.int32, 'I64': torch.int64, 'F16': torch.float16, 'BF16': torch.bfloat16, 'BOOL': torch.bool}
def read(path):
    raw = open(path, 'rb').read()
    (n,) = struct.unpack('<Q', raw[:8])
    assert (8 + n) % 8 == 0, 'header not padded to 8 bytes'
    header = json.loads(raw[8:8 + n])
    meta = header.pop('__metadata__', {})
    data = raw[8 + n:]
    out = {}
    for name, info in header.items():
        b, e = info['data_offsets']
        out[name] = torch.frombuffer(bytearray(data[b:e]), dtype=DT[info['dtype']]).reshape(info['shape']) if e > b else torch.zeros(info['shape'], dtype=DT[info['dtype']])
    return out, meta
def write(path, tensors):
    header, blobs, at = {}, [], 0
    for name, t in tensors.items():
        raw = t.contiguous().reshape(-1).view(torch.uint8).numpy().tobytes()
        header[name] = {'dtype': [k for k, v in DT.items() if v == t.dtype][0], 'shape': list(t.shape), 'data_offsets': [at, at + len(raw)]}
        blobs.append(raw); at += len(raw)
    h = json.dumps(header).encode()
    h += b' ' * (-len(h) % 8)
    open(path, 'wb').write(struct.pack('<Q', len(h)) + h + b''.join(blobs))
ours, meta = read(sys.argv[1])
expected = json.load(sys.stdin)
report = {'metadata': meta, 'equal': {}}
for name, e in expected.items():
    want = torch.tensor(e['data'], dtype=DT[e['dtype']]).reshape(e['shape'])
    report['equal'][name] = bool(ours[name].dtype == want.dtype and torch.equal(ours[name], want))
torch.manual_seed(0)
theirs = {
    'weight': torch.randn(2, 3),
    'bias64': torch.randn(3, dtype=torch.float64),
    'labels': torch.tensor([[1, 2], [3, -4]], dtype=torch.int32),
    'steps': torch.tensor(7, dtype=torch.int64),
    'half': torch.tensor([0.5, -2.0, 65504.0], dtype=torch.float16),
    'bf': torch.tensor([1.5, -3.0], dtype=torch.bfloat16),
    'keep': torch.tensor([[True, False, True]]),
}
write(sys.argv[2], theirs)
report['theirs'] = {k: {'data': t.float().reshape(-1).tolist() if t.is_floating_point() and t.dtype != torch.float64 else t.reshape(-1).int().tolist() if t.dtype == torch.bool else t.reshape(-1).tolist(), 'shape': list(t.shape)} for k, t in theirs.items()}
print(json.dumps(report))
`;

function torchAvailable(): string | undefined {
  const r = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : (r.error?.message ?? r.stderr.trim().split('\n').pop());
}
const noTorch = torchAvailable();
if (noTorch)
  console.warn(
    `skipping the PyTorch interop test: /usr/bin/python3 cannot import torch (${noTorch})`,
  );

describe('PyTorch interop', () => {
  test.skipIf(noTorch !== undefined)(
    'PyTorch reads our file equal, and we read the file PyTorch wrote',
    { timeout: 60_000 },
    async () => {
      const sd = sampleDict();
      const ours = join(dir, 'nabla.safetensors');
      const theirs = join(dir, 'torch.safetensors');
      await save(sd, ours, { format: 'pt' });
      const expected = Object.fromEntries(
        Object.entries(sd).map(([k, t]) => [
          k,
          {
            data: arr(t),
            shape: t.shape,
            dtype: { float32: 'F32', float64: 'F64', int32: 'I32', bool: 'BOOL' }[t.dtype],
          },
        ]),
      );
      const r = spawnSync('/usr/bin/python3', ['-c', PYTHON, ours, theirs], {
        input: JSON.stringify(expected),
        encoding: 'utf8',
      });
      expect(
        r.stderr
          .split('\n')
          .filter((l) => l.includes('Error'))
          .join('\n'),
      ).toBe('');
      expect(r.status).toBe(0);
      const report = JSON.parse(r.stdout) as {
        metadata: Record<string, string>;
        equal: Record<string, boolean>;
        theirs: Record<string, { data: number[]; shape: number[] }>;
      };
      expect(report.metadata).toEqual({ format: 'pt' });
      expect(report.equal).toEqual(Object.fromEntries(Object.keys(sd).map((k) => [k, true])));

      const { tensors } = await load(theirs);
      expect(Object.keys(tensors)).toEqual(Object.keys(report.theirs));
      for (const [k, e] of Object.entries(report.theirs)) {
        expect(tensors[k]!.shape, k).toEqual(e.shape);
        expect(arr(tensors[k]!), k).toEqual(e.data);
      }
      expect(tensors.weight!.dtype).toBe('float32');
      expect(tensors.bias64!.dtype).toBe('float64');
      expect(tensors.labels!.dtype).toBe('int32');
      expect(tensors.keep!.dtype).toBe('bool');
      expect(readFileSync(ours).length).toBeGreaterThan(0);
    },
  );
});

describe('untrusted names never reach Object.prototype', () => {
  const F32x1 = { dtype: 'F32', shape: [1], data_offsets: [0, 4] };
  // JSON.parse makes `__proto__` an own key, so JSON.stringify writes it as a crafted file would
  const header = (key: string, value: unknown) =>
    JSON.parse(`{${JSON.stringify(key)}: ${JSON.stringify(value)}}`);
  test.each(['__proto__', 'constructor', 'prototype'])('a tensor named %s is refused', (key) => {
    const bytes = build(header(key, F32x1), [0, 0, 128, 63]);
    expect(() => deserialize(bytes)).toThrow(SafetensorsError);
    expect(() => deserialize(bytes)).toThrow(`'${key}' cannot name a tensor`);
    expect(({} as Record<string, unknown>).dtype).toBeUndefined();
  });
  test.each(['__proto__', 'constructor', 'prototype'])('a metadata key %s is refused', (key) => {
    const bytes = build({ __metadata__: header(key, 'x') });
    expect(() => deserialize(bytes)).toThrow(`__metadata__: key '${key}' is not allowed`);
  });
  test('what deserialize returns has no prototype to reach', () => {
    const { tensors, metadata } = deserialize(
      build({ __metadata__: { a: 'b' }, t: F32x1 }, [0, 0, 128, 63]),
    );
    expect(Object.getPrototypeOf(tensors)).toBeNull();
    expect(Object.getPrototypeOf(metadata)).toBeNull();
    expect('toString' in tensors).toBe(false);
    expect(arr(tensors.t!)).toEqual([1]);
    expect({ ...metadata }).toEqual({ a: 'b' });
  });
  test('a state dict with such a key is refused by serialize', () => {
    const sd = Object.create(null) as Record<string, Tensor>;
    sd['constructor'] = tensor([1]);
    expect(() => serialize(sd)).toThrow("'constructor' cannot name a tensor");
  });
});
