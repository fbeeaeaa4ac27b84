// The resident operand (matmul.ts): a large A that a matmul copied into the kernels' memory serves
// later matmuls reading the same elements, and is dropped whenever it could be stale. Every product
// is checked against a float64 loop written here.
import { type Tensor, fusedAdam, fusedSgd, linear, tensor } from '@nablajs/tensor';
import { describe, expect, it } from 'vitest';
import { cpu } from '../cpu.js';
import { instance } from './instance.js';
import { matmulF32 } from './matmul.js';

const B = cpu();
const [N, K, O] = [128, 784, 30]; // W2's first layer: x is 100,352 floats, over RESIDENT_MIN

/** Values in [-1, 1) from a seed, so that each case has its own. */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

const make = (shape: number[], seed: number): Tensor =>
  tensor(
    values(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    { shape, backend: B },
  );

/** a [M, K] · b [K, N] in doubles, from the tensors' elements (row-major). */
function product(a: Tensor, b: Tensor): Float64Array {
  const [M, Kd] = a.shape as [number, number];
  const Nd = b.shape[1]!;
  const [x, y] = [a.dataSync(), b.dataSync()];
  const out = new Float64Array(M * Nd);
  for (let i = 0; i < M; i++)
    for (let k = 0; k < Kd; k++) {
      const v = x[i * Kd + k]!;
      for (let j = 0; j < Nd; j++) out[i * Nd + j]! += v * y[k * Nd + j]!;
    }
  return out;
}

/** The largest difference between a result and the reference. */
function worst(got: Tensor, want: Float64Array): number {
  const g = got.dataSync();
  let w = 0;
  for (let i = 0; i < want.length; i++) w = Math.max(w, Math.abs(g[i]! - want[i]!));
  return w;
}

const TOL = 2e-6 * K; // float32 rounding of K terms of size <= 1

/** x's forward (x·Wᵀ, x is A) then the weight gradient gᵀ·x (x is B), as a linear layer does. */
function forwardThenGradient(x: Tensor, change?: () => void): number {
  const w = make([O, K], 11);
  const g = make([N, O], 12);
  const y = linear(x, w);
  expect(worst(y, product(x, w.transpose()))).toBeLessThanOrEqual(TOL);
  change?.();
  return worst(g.transpose().matmul(x), product(g.transpose(), x));
}

describe('the resident operand', () => {
  it('serves the weight gradient the forward copied in', () => {
    expect(forwardThenGradient(make([N, K], 1))).toBeLessThanOrEqual(TOL);
  });

  it('is the copy the gradient reads (so the cases below test its dropping)', () => {
    // a write that bypasses the backend is not seen: the product is the one of the old x
    const x = make([N, K], 2);
    const g = make([N, O], 12);
    const old = product(g.transpose(), x);
    linear(x, make([O, K], 11));
    (x as unknown as { storage: Float32Array }).storage.fill(0.5);
    expect(worst(g.transpose().matmul(x), old)).toBeLessThanOrEqual(TOL);
  });

  it('is dropped when its array is written in place: assign', () => {
    const x = make([N, K], 3);
    const d = forwardThenGradient(x, () => x.assign(make([N, K], 4)));
    expect(d).toBeLessThanOrEqual(TOL);
  });

  it('is dropped when its array is written in place: a row of it assigned', () => {
    const x = make([N, K], 5);
    const d = forwardThenGradient(x, () => x.slice([[7, 8]]).assign(2));
    expect(d).toBeLessThanOrEqual(TOL);
  });

  it('is dropped when its array is updated by SGD or Adam', () => {
    const sgd = { lr: 0.5, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, maximize: false, init: true }; // prettier-ignore
    const x = make([N, K], 6);
    expect(forwardThenGradient(x, () => fusedSgd(x, make([N, K], 7), null, sgd))).toBeLessThanOrEqual(TOL); // prettier-ignore
    const adam = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false, maximize: false, step: 1 }; // prettier-ignore
    const z = make([N, K], 8);
    const [m, v] = [make([N, K], 9).mul(0), make([N, K], 10).mul(0)];
    expect(forwardThenGradient(z, () => fusedAdam(z, make([N, K], 7), m, v, null, adam))).toBeLessThanOrEqual(TOL); // prettier-ignore
  });

  it('is dropped when a call needs the memory it lies in', () => {
    const x = make([N, K], 13);
    // a product with a large B (A too small to take x's place) needs the memory above the copy
    const big = () => {
      const [a, b] = [make([8, 2000], 14), make([2000, 600], 15)];
      expect(worst(a.matmul(b), product(a, b))).toBeLessThanOrEqual(2e-6 * 2000);
    };
    expect(forwardThenGradient(x, big)).toBeLessThanOrEqual(TOL);
  });

  it('serves views inside it and is replaced by another large A', () => {
    const x = make([N, K], 16);
    const other = make([N, K], 17);
    const w = make([O, K], 11);
    linear(x, w);
    // rows 10..73 of x, as B: inside the copy, one row-stride in
    const rows = x.slice([[10, 74]]);
    const g = make([64, O], 18);
    expect(worst(g.transpose().matmul(rows), product(g.transpose(), rows))).toBeLessThanOrEqual(TOL); // prettier-ignore
    linear(other, w); // other takes its place; x is copied again
    const h = make([N, O], 19);
    expect(worst(h.transpose().matmul(x), product(h.transpose(), x))).toBeLessThanOrEqual(TOL);
    expect(worst(h.transpose().matmul(other), product(h.transpose(), other))).toBeLessThanOrEqual(TOL); // prettier-ignore
  });

  it('does not keep its array alive', async () => {
    const gc = (globalThis as { gc?: () => void }).gc!;
    const weak = (() => {
      const x = make([N, K], 20);
      linear(x, make([O, K], 11)); // x's storage is now resident
      return new WeakRef((x as unknown as { storage: Float32Array }).storage);
    })();
    await new Promise((r) => setTimeout(r, 0)); // (a WeakRef keeps its target to the end of the job)
    gc();
    expect(weak.deref()).toBeUndefined();
  });

  it('takes no other region of the memory for a large A', () => {
    // A of 16 MB: the memory grows by about that much, not twice (a region for it, then the copy)
    const bytes = () => instance().memory.buffer.byteLength;
    const [a, b] = [make([4096, 1024], 21), make([1024, 1], 22)];
    const before = bytes();
    expect(worst(a.matmul(b), product(a, b))).toBeLessThanOrEqual(2e-6 * 1024);
    expect(bytes() - before).toBeLessThan(1.25 * a.size * 4);
  });

  it('is not made by matmulF32: a caller may change its arrays between calls', () => {
    const [M, Kd, Nd] = [128, 784, 30];
    const [a, b, out] = [new Float32Array(M * Kd).fill(1), new Float32Array(Kd * Nd).fill(1), new Float32Array(M * Nd)]; // prettier-ignore
    matmulF32(M, Nd, Kd, a, 0, Kd, 1, b, 0, Nd, 1, out, 0);
    expect(out[0]).toBe(784);
    a.fill(2);
    matmulF32(M, Nd, Kd, a, 0, Kd, 1, b, 0, Nd, 1, out, 0);
    expect(out[0]).toBe(1568);
  });
});
