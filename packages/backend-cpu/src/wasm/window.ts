// im2col, col2im and maxPool in float32 on the WebAssembly kernels (kernels/window.wat and
// pool2x2.wat): the plan and the operand are copied into the module's memory, the kernel runs
// along rows with f32x4 (copies; branch-free compares for maxPool), the result is copied out.
// Times: bench/results/conv.md.
import { CHUNK, FIRST, SLACK, align } from './layout.js';
import { instance, reserve } from './instance.js';

/** Where windows read, as window.ts computes it (offsets in elements; see its `plan`). */
export interface WindowPlan {
  K: number;
  M: number;
  Wo: number;
  row: Int32Array;
  lo: Int32Array;
  hi: Int32Array;
  col: Int32Array;
  step: number;
}

/** Lays the plan out in the module's memory at `at` (in floats), offsets in bytes; returns its end. */
export function writePlan(h: Float32Array, at: number, p: WindowPlan): number {
  const words = new Int32Array(h.buffer, at * 4, p.row.length + 3 * p.K);
  for (let i = 0; i < p.row.length; i++) words[i] = p.row[i]! < 0 ? -1 : p.row[i]! * 4;
  words.set(p.lo, p.row.length);
  words.set(p.hi, p.row.length + p.K);
  for (let i = 0; i < p.K; i++) words[p.row.length + 2 * p.K + i] = p.col[i]! * 4;
  return align(at + words.length + SLACK);
}

/** Floats the module needs for a plan and two regions; false past 32-bit wasm memory. */
function room(p: WindowPlan, a: number, b: number): number {
  const end = align(FIRST + p.row.length + 3 * p.K + SLACK) + align(a + SLACK) + b + SLACK;
  return end * 4 > 0xffff0000 ? -1 : end;
}

/**
 * im2col of `nc` dense float32 planes of `plane` elements at `x[offset]` into `out`
 * ([nc][K][M·Wo], every element written). False, doing nothing, when the memory cannot hold it.
 */
export function im2colF32(
  x: Float32Array,
  offset: number,
  nc: number,
  plane: number,
  p: WindowPlan,
  out: Float32Array,
): boolean {
  const k = instance();
  const end = room(p, nc * plane, out.length);
  if (end < 0) return false;
  const h = reserve(k, end);
  const xAt = writePlan(h, FIRST, p);
  const oAt = align(xAt + nc * plane + SLACK);
  h.set(x.subarray(offset, offset + nc * plane), xAt);
  k.im2col(xAt * 4, plane * 4, nc, oAt * 4, FIRST * 4, p.K, p.M, p.Wo, p.step * 4);
  out.set(h.subarray(oAt, oAt + out.length));
  return true;
}

/**
 * col2im of dense float32 columns `cols[offset..]` ([nc][K][M·Wo]) into `out`, `nc` planes of
 * `plane` elements (every element written). False, doing nothing, when the memory cannot hold it.
 */
export function col2imF32(
  cols: Float32Array,
  offset: number,
  nc: number,
  plane: number,
  p: WindowPlan,
  out: Float32Array,
): boolean {
  const k = instance();
  const n = nc * p.K * p.M * p.Wo;
  const end = room(p, n, out.length);
  if (end < 0) return false;
  const h = reserve(k, end);
  const cAt = writePlan(h, FIRST, p);
  const oAt = align(cAt + n + SLACK);
  h.set(cols.subarray(offset, offset + n), cAt);
  k.col2im(cAt * 4, plane * 4, nc, oAt * 4, FIRST * 4, p.K, p.M, p.Wo, p.step * 4);
  out.set(h.subarray(oAt, oAt + out.length));
  return true;
}

/**
 * maxPool of `nc` dense float32 planes of `plane` elements at `x[offset]`: the maxima into `values`
 * and their flat positions into `indices` ([nc][M·Wo] each). `hw`: the planes' [H, W] when the
 * windows are 2×2 with stride 2 and no padding, which one-pass `maxPool2x2` pools (3.6× faster than
 * the plan's kernel on LeNet's first pooling). False, doing nothing, when the memory cannot hold it.
 */
export function maxPoolF32(
  x: Float32Array,
  offset: number,
  nc: number,
  plane: number,
  p: WindowPlan,
  values: Float32Array,
  indices: Int32Array,
  hw: readonly [number, number] | null,
): boolean {
  const k = instance();
  const L = nc > 0 ? values.length / nc : 0; // outputs per plane
  // a few planes at a time (about CHUNK inputs, layout.ts), so the copies meet in the cache
  const cp = Math.min(nc, Math.max(1, Math.floor(CHUNK / plane)));
  const end = room(p, cp * plane, 2 * align(cp * L + SLACK));
  if (end < 0) return false;
  const h = reserve(k, end);
  const xAt = hw ? FIRST : writePlan(h, FIRST, p); // maxPool2x2 reads no plan
  const vAt = align(xAt + cp * plane + SLACK);
  const iAt = align(vAt + cp * L + SLACK);
  const hi = new Int32Array(h.buffer);
  for (let c = 0; c < nc; c += cp) {
    const q = Math.min(cp, nc - c);
    const at = offset + c * plane;
    h.set(x.subarray(at, at + q * plane), xAt);
    if (hw) k.maxPool2x2(xAt * 4, hw[0], hw[1], q, vAt * 4, iAt * 4);
    else k.maxPool(xAt * 4, plane * 4, q, vAt * 4, iAt * 4, FIRST * 4, p.K, p.M, p.Wo, p.step * 4);
    values.set(h.subarray(vAt, vAt + q * L), c * L);
    indices.set(hi.subarray(iAt, iAt + q * L), c * L);
  }
  return true;
}

/**
 * maxPool2x2's gradient (2×2 windows, stride 2, no padding) of `nc` planes [H, W] into `out`
 * (every element written) from dense float32 gradients and int32 positions at `g[go..]`,
 * `idx[io..]`. The windows do not overlap, so each element is its window's gradient or +0, written
 * in order instead of scattered into zeros (LeNet's first pooling: 0.60 → 0.45 ms in a step).
 * False when a position lies outside its window or the memory cannot hold a chunk: the caller
 * scatters instead (and reports a position out of range).
 */
export function maxPoolGrad2x2F32(
  [g, go]: readonly [Float32Array, number],
  [idx, io]: readonly [Int32Array, number],
  nc: number,
  H: number,
  W: number,
  out: Float32Array,
): boolean {
  const k = instance();
  const plane = H * W;
  const L = (H >> 1) * (W >> 1);
  const cp = Math.min(nc, Math.max(1, Math.floor(CHUNK / plane)));
  const gAt = FIRST;
  const iAt = align(gAt + cp * L + SLACK);
  const oAt = align(iAt + cp * L + SLACK);
  const end = oAt + cp * plane + SLACK;
  if (end * 4 > 0xffff0000) return false;
  const h = reserve(k, end);
  const hi = new Int32Array(h.buffer);
  for (let c = 0; c < nc; c += cp) {
    const q = Math.min(cp, nc - c);
    h.set(g.subarray(go + c * L, go + (c + q) * L), gAt);
    hi.set(idx.subarray(io + c * L, io + (c + q) * L), iAt);
    if (k.maxPoolGrad2x2(gAt * 4, iAt * 4, H, W, q, oAt * 4) !== 0) return false;
    out.set(h.subarray(oAt, oAt + q * plane), c * plane);
  }
  return true;
}
