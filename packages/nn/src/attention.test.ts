import { cpu } from '@nablajs/backend-cpu';
import { gradcheck, variable } from '@nablajs/autograd';
import { ShapeError, manualSeed, randn, tensor, useBackend } from '@nablajs/tensor';
import { describe, expect, test } from 'vitest';
import {
  MultiheadAttention,
  generateSquareSubsequentMask,
  scaledDotProductAttention as sdpa,
} from './index.js';

useBackend(cpu());
const f64 = { dtype: 'float64' as const };
const arr = (v: { data: { dataSync(): ArrayLike<number> } }) => Array.from(v.data.dataSync());
const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((x, i) => Math.abs(x - b[i]!)));

describe('scaledDotProductAttention', () => {
  test('a query whose keys are all masked gets zeros and zero gradients; the other rows are unchanged', () => {
    manualSeed(1);
    const q = variable(randn([3, 4], f64), { requiresGrad: true });
    const k = variable(randn([5, 4], f64), { requiresGrad: true });
    const v = variable(randn([5, 2], f64), { requiresGrad: true });
    // row 1 may attend to nothing; rows 0 and 2 to keys 0–2
    const mask = tensor([1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0], {
      shape: [3, 5],
      dtype: 'bool',
    });
    const y = sdpa(q, k, v, { attnMask: mask });
    const out = arr(y);
    expect(out.slice(2, 4)).toEqual([0, 0]);
    expect(out.every(Number.isFinite)).toBe(true);
    const alone = sdpa(q.slice([[0, 1]]), k.slice([[0, 3]]), v.slice([[0, 3]]));
    expect(maxDiff(out.slice(0, 2), arr(alone))).toBeLessThan(1e-14);
    y.sum().backward();
    for (const g of [q.grad!, k.grad!, v.grad!])
      expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
    expect(Array.from(q.grad!.dataSync()).slice(4, 8)).toEqual([0, 0, 0, 0]);
    // the same with an additive mask of −∞, and gradcheck through it
    const additive = tensor(
      Array.from(mask.dataSync(), (m) => (m ? 0 : -Infinity)),
      { shape: [3, 5], ...f64 },
    );
    expect(maxDiff(arr(sdpa(q, k, v, { attnMask: additive })), out)).toBe(0);
    expect(gradcheck((a, b, c) => sdpa(a, b, c, { attnMask: mask }), [q, k, v])).toBe(true);
  });

  test('isCausal is the top-left lower triangle, the same as the explicit mask', () => {
    manualSeed(2);
    const [q, k, v] = [randn([2, 4, 3], f64), randn([2, 6, 3], f64), randn([2, 6, 3], f64)];
    const tril = tensor(
      Array.from({ length: 24 }, (_, i) => +(i % 6 <= Math.floor(i / 6))),
      { shape: [4, 6], dtype: 'bool' },
    );
    expect(
      maxDiff(arr(sdpa(q, k, v, { isCausal: true })), arr(sdpa(q, k, v, { attnMask: tril }))),
    ).toBe(0);
    const mask = generateSquareSubsequentMask(3);
    expect(Array.from(mask.dataSync())).toEqual([
      0,
      -Infinity,
      -Infinity,
      0,
      0,
      -Infinity,
      0,
      0,
      0,
    ]);
  });

  test('stable for large scores and long sequences', () => {
    manualSeed(3);
    const q = randn([2, 64]).mul(1e3);
    const k = randn([4096, 64]).mul(1e3);
    const v = randn([4096, 8]);
    const y = arr(sdpa(q, k, v));
    expect(y.every(Number.isFinite)).toBe(true);
    // weights are a distribution: the output lies within the values' range
    const vs = arr({ data: v });
    expect(Math.max(...y)).toBeLessThanOrEqual(Math.max(...vs) + 1e-5);
  });

  test('gradcheck with a float mask, a scale and batch axes that broadcast', () => {
    manualSeed(4);
    const q = variable(randn([2, 1, 3, 4], f64), { requiresGrad: true });
    const k = variable(randn([1, 2, 5, 4], f64), { requiresGrad: true });
    const v = variable(randn([2, 2, 5, 3], f64), { requiresGrad: true });
    const attnMask = randn([3, 5], f64);
    expect(gradcheck((a, b, c) => sdpa(a, b, c, { attnMask, scale: 0.7 }), [q, k, v])).toBe(true);
  });

  test('dropout: p = 1 drops every weight, p = 0.5 changes the output', () => {
    manualSeed(5);
    const [q, k, v] = [randn([3, 4]), randn([5, 4]), randn([5, 2])];
    expect(arr(sdpa(q, k, v, { dropoutP: 1 }))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(maxDiff(arr(sdpa(q, k, v, { dropoutP: 0.5 })), arr(sdpa(q, k, v)))).toBeGreaterThan(0);
  });

  test('shapes and options that do not fit raise', () => {
    const [q, k, v] = [randn([3, 4]), randn([5, 4]), randn([5, 2])];
    expect(() => sdpa(q, randn([5, 3]), v)).toThrow(ShapeError);
    expect(() => sdpa(q, k, randn([4, 2]))).toThrow(/do not fit/);
    expect(() => sdpa(q, k, v, { attnMask: randn([3, 4]) })).toThrow(/does not broadcast/);
    expect(() => sdpa(q, k, v, { dropoutP: 2 })).toThrow(/in \[0, 1\]/);
  });
});

describe('MultiheadAttention', () => {
  test("PyTorch's parameters, keys and init: Xavier-uniform in_proj, zero biases", () => {
    const m = new MultiheadAttention(8, 2);
    expect(m.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([
      ['in_proj_weight', [24, 8]],
      ['in_proj_bias', [24]],
      ['out_proj.weight', [8, 8]],
      ['out_proj.bias', [8]],
    ]);
    const w = arr(m.in_proj_weight);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / (24 + 8)));
    expect(arr(m.in_proj_bias!).every((x) => x === 0)).toBe(true);
    expect(arr(m.out_proj.bias!).every((x) => x === 0)).toBe(true);
    expect(() => new MultiheadAttention(8, 3)).toThrow(/not divisible/);
    expect(() => new MultiheadAttention(8, 2, { kdim: 4 })).toThrow(/kdim 4 differs/);
  });

  test("a bool attnMask's true entries are masked (PyTorch's MHA), the opposite of sdpa's", () => {
    manualSeed(6);
    const m = new MultiheadAttention(4, 2, f64);
    const x = randn([3, 1, 4], f64);
    const blocked = tensor([0, 1, 1, 0, 0, 1, 0, 0, 0], { shape: [3, 3], dtype: 'bool' });
    const [a, wa] = m.forwardWithWeights(x, x, x, { attnMask: blocked });
    const [b] = m.forwardWithWeights(x, x, x, { isCausal: true });
    expect(maxDiff(arr(a), arr(b))).toBe(0);
    expect(arr(wa!).slice(1, 3)).toEqual([0, 0]); // query 0 sees key 0 only
    const causal = generateSquareSubsequentMask(3, f64);
    expect(maxDiff(arr(m.forward(x, x, x, undefined, causal)), arr(a))).toBe(0);
  });

  test('gradcheck through the projections, heads and a key padding mask', () => {
    manualSeed(7);
    const m = new MultiheadAttention(4, 2, { ...f64, batchFirst: true });
    const q = variable(randn([2, 3, 4], f64), { requiresGrad: true });
    const kv = variable(randn([2, 2, 4], f64), { requiresGrad: true });
    const pad = tensor([0, 1, 0, 0], { shape: [2, 2], dtype: 'bool' });
    expect(
      gradcheck((a, b) => m.forwardWithWeights(a, b, b, { keyPaddingMask: pad })[0], [q, kv]),
    ).toBe(true);
  });

  test('dropout on the weights only in training mode; bad masks raise', () => {
    manualSeed(8);
    const m = new MultiheadAttention(4, 2, { dropout: 0.9 });
    const x = randn([5, 2, 4]);
    const train = arr(m.forward(x));
    m.eval();
    const a = arr(m.forward(x));
    expect(arr(m.forward(x))).toEqual(a);
    expect(maxDiff(train, a)).toBeGreaterThan(0);
    expect(() => m.forwardWithWeights(x, x, x, { attnMask: randn([5, 4]) })).toThrow(
      /should be \[5, 5\]/,
    );
    expect(() => m.forwardWithWeights(x, x, x, { keyPaddingMask: randn([5, 2]) })).toThrow(
      /keyPaddingMask/,
    );
    expect(() => m.forward(randn([5, 2, 3]))).toThrow(/do not fit embedDim 4/);
    // PyTorch takes bool and float masks only: an int32 mask would be ambiguous
    const int = tensor([0, 1, 0, 0, 0], { dtype: 'int32' }).reshape([1, 5]).expand([2, 5]);
    expect(() => m.forward(x, x, x, int)).toThrow(
      /^MultiheadAttention: keyPaddingMask must be bool or float, got int32 \[2,5\]/,
    );
  });
});
