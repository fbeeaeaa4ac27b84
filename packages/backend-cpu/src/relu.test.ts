import { describe, expect, it } from 'vitest';
import { UNARY_JS } from './tables.js';
import { reluF32, reluGradF32 } from './relu.js';
import { activationGradWasm, reluWasm } from './wasm/activation.js';
import { CHUNK } from './wasm/layout.js';

const reluGradWasm = (y: Float32Array, g: Float32Array, out: Float32Array, n: number) =>
  activationGradWasm('relu', y, g, out, n);

// The branch-free float32 loops (TypeScript on the bits, WebAssembly f32x4) against the scalar
// definitions they replace, on the values where bit tricks go wrong: ±0, ±Infinity, NaN of either
// sign, the smallest subnormals; 13 of them, so the f32x4 loop ends on a partial vector.
const negNaN = new Float32Array(new Int32Array([0xffc00000 | 0]).buffer)[0]!;
const edges = [1, -1, 0, -0, NaN, negNaN, Infinity, -Infinity, 1e-45, -1e-45, 3.4e38, -3.4e38, 2];
const x = Float32Array.from(edges);
const relu = UNARY_JS.relu.f;

describe.each([
  ['bits', reluF32, reluGradF32],
  ['f32x4', reluWasm, reluGradWasm],
] as const)('branch-free float32 relu (%s)', (_, fwd, grad) => {
  it('is the scalar relu, bit for bit where it matters (+0 for ≤ 0, NaN kept)', () => {
    const out = new Float32Array(x.length + 2).fill(5);
    fwd(Float32Array.from([9, ...edges]), 1, out, x.length);
    edges.forEach((v, i) => expect(Object.is(out[i], Math.fround(relu(v)))).toBe(true));
    expect([out[x.length], out[x.length + 1]]).toEqual([5, 5]); // nothing written past n
  });

  it('its gradient passes g where y > 0 or y is NaN (either sign), +0 elsewhere', () => {
    const g = new Float32Array(x.length).fill(-2.5);
    const out = new Float32Array(x.length);
    grad(x, g, out, x.length);
    edges.forEach((v, i) => expect(Object.is(out[i], v > 0 || v !== v ? -2.5 : 0)).toBe(true));
  });
});

it('the f32x4 relu and gradient agree with the scalar loops across copy chunks (2·CHUNK + 13)', () => {
  const n = 2 * CHUNK + 13;
  const src = Float32Array.from({ length: n + 3 }, (_, i) => edges[i % edges.length]! * (i % 7));
  const g = Float32Array.from({ length: n }, (_, i) => i - n / 2);
  const [want, got] = [new Float32Array(n), new Float32Array(n)];
  reluF32(src, 3, want, n);
  reluWasm(src, 3, got, n);
  expect(got).toEqual(want);
  const y = want.slice();
  reluGradF32(y, g, want, n);
  reluGradWasm(y, g, got, n);
  expect(got).toEqual(want);
});

it("sigmoid's and tanh's f32x4 gradients are the double formulas rounded once, across chunks", () => {
  const n = 2 * CHUNK + 13;
  const y = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * (i % 5 === 0 ? 3 : 1));
  const g = Float32Array.from({ length: n }, (_, i) => Math.cos(i * 0.7) * 1e3);
  y.set(edges.slice(0, 13), n - 13);
  const got = new Float32Array(n);
  const formulas = { sigmoid: (v: number) => v * (1 - v), tanh: (v: number) => 1 - v * v };
  for (const op of ['sigmoid', 'tanh'] as const) {
    activationGradWasm(op, y, g, got, n);
    const want = Float32Array.from(y, (v, i) => g[i]! * formulas[op](v));
    expect(got).toEqual(want);
  }
});
