import { describe, expect, it } from 'vitest';
import { UNARY_JS } from './tables.js';
import { sigmoidWasm } from './wasm/activation.js';

// The f32x4 sigmoid (kernels/elementwise.wat, with an exp of its own) against the scalar definition
// it stands in for on float32 (tables.ts: Math.exp in doubles, rounded once, subnormals flushed to
// 0).

const scalar = (x: number) => Math.fround(UNARY_JS.sigmoid.f32!(x));
const bits = (v: number) => new Int32Array(Float32Array.of(v).buffer)[0]!;
const run = (xs: ArrayLike<number>) => {
  const x = Float32Array.from(xs);
  const out = new Float32Array(x.length);
  sigmoidWasm(x, 0, out, x.length);
  return out;
};

describe('sigmoid on f32x4', () => {
  it('is within 2 ulps of the scalar sigmoid from −100 to 100', () => {
    const n = 1 << 20;
    const x = Float32Array.from({ length: n }, (_, i) => -100 + (200 * i) / n);
    const y = run(x);
    let worst = 0;
    for (let i = 0; i < n; i++)
      worst = Math.max(worst, Math.abs(bits(y[i]!) - bits(scalar(x[i]!))));
    expect(worst).toBeLessThanOrEqual(2);
  });

  it('gives the scalar sigmoid exactly at the edges', () => {
    // ±0, infinities, NaN, the float32 contract's 0 below the least normal result (−87.34), what
    // rounds to 1, and a partial last vector (13 values)
    const edges = [0, -0, Infinity, -Infinity, NaN, -87.33, -87.34, -87.5, -88, -95, 20, 88, 1e-8];
    const x = Float32Array.from(edges);
    const y = run(x);
    x.forEach((v, i) => expect(Object.is(y[i], scalar(v)), `sigmoid(${v})`).toBe(true));
  });
});
