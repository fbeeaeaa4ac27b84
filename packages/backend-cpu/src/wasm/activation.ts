// ReLU and its gradient on float32 on the WebAssembly kernels (kernels.wat): the operands are copied
// into the module's memory, masked with f32x4 compares, and copied out, as optim.ts does for the
// optimizer updates; the copies cost less than relu.ts's scalar loop (300k elements: 0.12 ms
// against 0.5), in chunks of CHUNK elements (layout.ts).
import { CHUNK, FIRST, SLACK, align } from './layout.js';
import { instance, reserve } from './matmul.js';

/** out[i] = op(x[xo + i]) for i < n, with an in-place kernel of kernels.wat. */
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

/** out[i] = g[i] where y[i] > 0 or y[i] is NaN, else +0, for i < n (see relu.ts). */
export function reluGradWasm(y: Float32Array, g: Float32Array, out: Float32Array, n: number): void {
  const k = instance();
  const c = Math.min(n, CHUNK);
  const gAt = align(FIRST + c + SLACK);
  const h = reserve(k, gAt + c + SLACK);
  for (let s = 0; s < n; s += c) {
    const len = Math.min(c, n - s);
    h.set(y.subarray(s, s + len), FIRST);
    h.set(g.subarray(s, s + len), gAt);
    k.reluGrad(FIRST * 4, gAt * 4, len);
    out.set(h.subarray(gAt, gAt + len), s);
  }
}
