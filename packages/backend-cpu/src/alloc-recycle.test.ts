// The allocator's free list: arrays given back with `recycle` serve later results of the same byte
// length (zeroed for kernels, overwritten by uploads), and it holds a bounded number of them.
import {
  type Tensor,
  activationGrad,
  concat,
  conv,
  convGrad,
  linear,
  manualSeed,
  randn,
  softmaxCrossEntropy,
  softmaxCrossEntropyGrad,
  tensor,
  where,
} from '@nablajs/tensor';
import { expect, test } from 'vitest';
import { FREE_LIMITS, alloc, recycle, upload } from './alloc.js';
import { cpu } from './cpu.js';

const same = (a: ArrayBufferView, b: ArrayBufferView) =>
  a.buffer === b.buffer && a.byteOffset === b.byteOffset;

test('a recycled array serves the next result of its byte length, zeroed, in any dtype', () => {
  const a = alloc('float32', 26);
  a.fill(7);
  recycle(a);
  const b = alloc('int32', 26); // same bytes, another dtype
  expect(same(a, b)).toBe(true);
  expect(b).toBeInstanceOf(Int32Array);
  expect(Array.from(b)).toEqual(Array(26).fill(0));
  recycle(b);
  expect(same(alloc('float32', 27), b)).toBe(false); // another length does not take it
  const d = alloc('float64', 13);
  expect(same(d, b)).toBe(true);
  expect(Array.from(d)).toEqual(Array(13).fill(0));
  // bool is stored as int32 0/1: a recycled float32 serves it as an Int32Array of its length
  recycle(d);
  const m = alloc('bool', 26);
  expect([same(m, d), m instanceof Int32Array, m.length]).toEqual([true, true, 26]);
});

test('upload reuses a recycled array and copies the data into it', () => {
  const a = alloc('float32', 29);
  recycle(a);
  const data = Float32Array.from({ length: 29 }, (_, i) => i + 0.5);
  const b = upload(data);
  expect(same(a, b)).toBe(true);
  expect(Array.from(b)).toEqual(Array.from(data));
  expect(b.buffer).not.toBe(data.buffer);
});

test('arrays of its own (over the carving size) are recycled too', () => {
  const a = alloc('float32', 1 << 17); // 512 KiB
  recycle(a);
  expect(same(alloc('float32', 1 << 17), a)).toBe(true);
});

test('the free list keeps at most FREE_LIMITS.count arrays', () => {
  const given = Array.from({ length: FREE_LIMITS.count + 5 }, () => alloc('float32', 31));
  for (const a of given) recycle(a);
  const taken = Array.from({ length: FREE_LIMITS.count + 5 }, () => alloc('float32', 31));
  const reused = taken.filter((t) => given.some((g) => same(g, t))).length;
  expect(reused).toBe(FREE_LIMITS.count);
});

test('kernels that write every element take recycled memory unzeroed, and overwrite it all', () => {
  const junk = alloc('float32', 6);
  junk.fill(NaN);
  recycle(junk);
  const raw = alloc('float32', 6, false);
  expect(same(raw, junk)).toBe(true);
  expect(Array.from(raw).every(Number.isNaN)).toBe(true);
  // matmul and the fused linear layer: results over NaN-filled recycled memory
  const backend = cpu();
  const a = tensor([[1, 2], [3, 4], [5, 6]], { backend }); // prettier-ignore
  const b = tensor(
    [
      [1, 0],
      [0, 1],
    ],
    { backend },
  );
  for (const run of [() => a.matmul(b), () => linear(a, b, tensor([0, 0], { backend }))]) {
    const garbage = alloc('float32', 6);
    garbage.fill(NaN);
    recycle(garbage);
    const y = run();
    expect(same(y.storage as Float32Array, garbage)).toBe(true);
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
  }
});

test('every kernel that takes recycled memory unzeroed writes all of it', () => {
  const backend = cpu();
  const t = (values: number[], shape: number[], dtype: 'float32' | 'int32' = 'float32') =>
    tensor(values, { shape, dtype, backend });
  const x = t([-1.5, 2, 0.25, -3, 4, 0.5, 1, -2], [2, 4]);
  const y = t([0.2, 0.4, 0.6, 0.8, 0.1, 0.3, 0.5, 0.7], [2, 4]);
  const labels = t([3, 0], [2], 'int32');
  const mask = x.gt(0);
  const img = t(
    Array.from({ length: 2 * 1 * 5 * 5 }, (_, i) => Math.sin(i)),
    [2, 1, 5, 5],
  );
  const w = t(
    Array.from({ length: 3 * 1 * 3 * 3 }, (_, i) => Math.cos(i)),
    [3, 1, 3, 3],
  );
  const gy = t(
    Array.from({ length: 2 * 3 * 3 * 3 }, (_, i) => Math.sin(2 * i)),
    [2, 3, 3, 3],
  );
  const window = { kernelSize: [3, 3] };
  const runs: [string, () => Tensor][] = [
    ['unary exp', () => x.exp()],
    ['unary relu', () => x.relu()],
    ['binary add', () => x.add(y)],
    ['where', () => where(mask, x, y)],
    ['gather', () => x.gather(1, t([3, 0, 1, 2, 2, 1, 0, 3], [2, 4], 'int32'))],
    ['concat', () => concat([x, y], 0)],
    ['cast', () => x.cast('int32')],
    ['randn', () => (manualSeed(3), randn([2, 4], { backend }))],
    ['activationGrad sigmoid', () => activationGrad('sigmoid', y, x)],
    ['activationGrad relu', () => activationGrad('relu', x, y)],
    ['softmaxCrossEntropy', () => softmaxCrossEntropy(x, labels)],
    ['softmaxCrossEntropyGrad', () => softmaxCrossEntropyGrad(x, labels, t([1, 0.5], [2]))],
    ['conv', () => conv(img, w, t([0.1, 0.2, 0.3], [3]), window)],
    ...[0, 1, 2].map((i): [string, () => Tensor] => [
      `convGrad ${['∂x', '∂w', '∂b'][i]}`,
      () => convGrad(img, w, gy, window, [true, true, true])[i]!,
    ]),
  ];
  for (const [name, run] of runs) {
    const want = Array.from(run().dataSync());
    const junk = alloc('float32', want.length); // the result's bytes (all dtypes here are 4 bytes)
    junk.fill(NaN);
    recycle(junk);
    const got = run();
    expect(same(alloc('float32', want.length), junk), `${name} took the recycled memory`).toBe(false); // prettier-ignore
    expect(Array.from(got.dataSync()), name).toEqual(want);
  }
});
