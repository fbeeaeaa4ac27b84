// ReLU, sigmoid, their gradients (and tanh's) and column sums on float32 on the WebAssembly kernels
// (kernels/elementwise.wat): the operands are copied into the module's memory, computed with f32x4,
// and copied out, as optim.ts does for the optimizer updates; the copies cost less than relu.ts's
// scalar loop (300k elements: 0.12 ms against 0.5), in chunks of CHUNK elements (layout.ts).
import { CHUNK, FIRST, SLACK, align } from './layout.js';
import { instance, reserve } from './instance.js';

/** out[i] = op(x[xo + i]) for i < n, with an in-place kernel (kernels/elementwise.wat). */
function inPlace(
  op: 'relu' | 'sigmoid',
  x: Float32Array,
  xo: number,
  out: Float32Array,
  n: number,
) {
  const k = instance();
  const c = Math.min(n, CHUNK);
  const h = reserve(k, FIRST + c + SLACK);
  for (let s = 0; s < n; s += c) {
    const len = Math.min(c, n - s);
    h.set(x.subarray(xo + s, xo + s + len), FIRST);
    k[op](FIRST * 4, len);
    out.set(h.subarray(FIRST, FIRST + len), s);
  }
}

/** out[i] = relu(x[xo + i]) for i < n (see relu.ts). */
export const reluWasm = (x: Float32Array, xo: number, out: Float32Array, n: number): void =>
  inPlace('relu', x, xo, out, n);

/** out[i] = sigmoid(x[xo + i]) for i < n, within a few ulps of the correctly rounded value. */
export const sigmoidWasm = (x: Float32Array, xo: number, out: Float32Array, n: number): void =>
  inPlace('sigmoid', x, xo, out, n);

/**
 * out[i] = an activation's gradient from its output y[i] and the incoming g[i], for i < n: ReLU's
 * g where y > 0 or NaN, else +0 (see relu.ts); sigmoid's g·y·(1 − y) and tanh's g·(1 − y²) in
 * doubles rounded once, the values of fused.ts's loops, NaN as NaN (W2's sigmoid gradient, 3,840
 * floats: 9.6 → 5.0 µs a call).
 */
export function activationGradWasm(
  op: 'relu' | 'sigmoid' | 'tanh',
  y: Float32Array,
  g: Float32Array,
  out: Float32Array,
  n: number,
): void {
  const k = instance();
  const c = Math.min(n, CHUNK);
  const gAt = align(FIRST + c + SLACK);
  const h = reserve(k, gAt + c + SLACK);
  for (let s = 0; s < n; s += c) {
    const len = Math.min(c, n - s);
    h.set(y.subarray(s, s + len), FIRST);
    h.set(g.subarray(s, s + len), gAt);
    if (op === 'relu') k.reluGrad(FIRST * 4, gAt * 4, len);
    else k.activationGrad(FIRST * 4, gAt * 4, len, op === 'tanh' ? 1 : 0);
    out.set(h.subarray(gAt, gAt + len), s);
  }
}

/**
 * The sums of the columns of x [R, C] (dense float32 at `x[xo]`) into `out` [C], added in doubles
 * row after row from 0, as cpu.ts's fold adds them (the same to the bit), with f64x2 in chunks of
 * rows (about CHUNK floats each). False where the memory cannot hold a chunk.
 */
export function sumRowsF32(
  x: Float32Array,
  xo: number,
  R: number,
  C: number,
  out: Float32Array,
): boolean {
  const k = instance();
  const rows = Math.max(1, Math.floor(CHUNK / C));
  const accAt = FIRST; // C doubles
  const xAt = align(accAt + 2 * C + SLACK);
  const end = xAt + rows * C + SLACK;
  if (end * 4 > 0xffff0000) return false;
  const h = reserve(k, end);
  h.fill(0, accAt, accAt + 2 * C);
  for (let r = 0; r < R; r += rows) {
    const n = Math.min(rows, R - r);
    h.set(x.subarray(xo + r * C, xo + (r + n) * C), xAt);
    k.sumRows(xAt * 4, n, C, accAt * 4);
  }
  out.set(new Float64Array(h.buffer, accAt * 4, C));
  return true;
}
