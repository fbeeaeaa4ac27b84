// Softmax cross-entropy of float32 logits on the WebAssembly kernels (kernels/elementwise.wat): rows
// in chunks of about CHUNK floats, copied into the module's memory with their labels (and the
// gradient's weights), the exponentials as f32x4 (Cephes' expf, as sigmoid's), each row's sum in
// f64. W2's 128×10 (2026-12-06, one call after another): the loss 16 → 6.5 µs, its gradient 17.5
// → 7.1 µs, against fused.ts's loop of Math.exp in doubles (which float64 keeps). Of the kernel's
// 4.5 µs, 2.6 are the 320 f32x4 exponentials (~23 cycles each). Exponentials below the least
// normal float32 are 0, so a gradient the double loop made subnormal is +0 here.
import { IndexError, type TensorRef, type TypedArray } from '@nablajs/tensor';
import { CHUNK, FIRST, SLACK, align } from './layout.js';
import { instance, reserve } from './instance.js';

/** labels[at], checked to be one of C classes: an IndexError otherwise, worded as WebGPU's flag. */
export function labelOf(labels: ArrayLike<number>, at: number, C: number): number {
  const label = labels[at]!;
  if (!(label >= 0 && label < C))
    throw new IndexError(
      'softmaxCrossEntropy',
      `target label ${label} is out of range for ${C} classes`,
      C > 0 ? `labels must be integers in 0..${C - 1}` : 'the logits need at least one class',
    );
  return label;
}

/**
 * The loss of each row of dense logits x [N, C] (from x[xo], C ≥ 1) into `out` [N], or with `g`
 * (float32 weights [N]) the gradient into `out` [N, C]; labels at labels[lo + i·ls]. False, having
 * written nothing, where the module's memory cannot hold a chunk.
 */
export function crossEntropyF32(
  x: Float32Array,
  xo: number,
  N: number,
  C: number,
  labels: Int32Array,
  lo: number,
  ls: number,
  out: Float32Array,
  g?: TensorRef<TypedArray>,
): boolean {
  const k = instance();
  const rows = Math.max(1, Math.floor(CHUNK / C));
  const lAt = align(FIRST + rows * C + SLACK);
  const gAt = align(lAt + rows + SLACK);
  const outAt = align(gAt + rows + SLACK); // 2 doubles a row
  const end = outAt + 4 * rows + SLACK;
  if (end * 4 > 0xffff0000) return false;
  const h = reserve(k, end);
  const ints = new Int32Array(h.buffer, lAt * 4, rows);
  const pairs = new Float64Array(h.buffer, outAt * 4, 2 * rows);
  for (let r = 0; r < N; r += rows) {
    const n = Math.min(rows, N - r);
    h.set(x.subarray(xo + r * C, xo + (r + n) * C), FIRST);
    for (let i = 0; i < n; i++) ints[i] = labelOf(labels, lo + (r + i) * ls, C);
    if (g) for (let i = 0; i < n; i++) h[gAt + i] = g.storage[g.offset + (r + i) * g.strides[0]!]!;
    k.softmaxCrossEntropy(FIRST * 4, n, C, lAt * 4, g ? gAt * 4 : 0, outAt * 4);
    if (g) out.set(h.subarray(FIRST, FIRST + n * C), r * C);
    else for (let i = 0; i < n; i++) out[r + i] = pairs[2 * i + 1]! + Math.log(pairs[2 * i]!);
  }
  return true;
}
