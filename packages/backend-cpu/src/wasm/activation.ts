// ReLU and its gradient on float32 on the WebAssembly kernels (kernels.wat): the operands are copied
// into the module's memory, masked with f32x4 compares, and copied out, as optim.ts does for the
// optimizer updates; the copies cost less than relu.ts's scalar loop (300k elements: 0.12 ms
// against 0.5).
import { FIRST, SLACK, align } from './layout.js';
import { instance, reserve } from './matmul.js';

/** out[i] = relu(x[xo + i]) for i < n (see relu.ts). */
export function reluWasm(x: Float32Array, xo: number, out: Float32Array, n: number): void {
  const k = instance();
  const h = reserve(k, FIRST + n + SLACK);
  h.set(x.subarray(xo, xo + n), FIRST);
  k.relu(FIRST * 4, n);
  out.set(h.subarray(FIRST, FIRST + n));
}

/** out[i] = g[i] where y[i] > 0 or y[i] is NaN, else +0, for i < n (see relu.ts). */
export function reluGradWasm(y: Float32Array, g: Float32Array, out: Float32Array, n: number): void {
  const k = instance();
  const gAt = align(FIRST + n + SLACK);
  const h = reserve(k, gAt + n + SLACK);
  h.set(y.subarray(0, n), FIRST);
  h.set(g.subarray(0, n), gAt);
  k.reluGrad(FIRST * 4, gAt * 4, n);
  out.set(h.subarray(gAt, gAt + n));
}
