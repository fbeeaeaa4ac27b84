// A convolution of one group and its gradients on the WebAssembly kernels, the columns never leaving
// the module's memory: the images are copied in, and for each image in turn im2col lays out its
// columns [C·K, L] there and one matmul multiplies them by the weight [O, C·K]; the results are
// copied out at once. The bias rides in the matmul: the columns get a row of ones and the weight a
// column holding the bias, so y = [w | b]·[cols; 1]. The backward recomputes the columns rather than
// keeping them (im2col costs a fraction of a matmul): [∂w | ∂b] sums ∂y_n·[cols_n; 1]ᵀ over the
// images, ∂x is col2im of wᵀ·∂y_n. A padded input is laid out inside its border of zeros
// (`padRows`), so that im2col and col2im see no padding and copy whole rows (LeNet's first layer:
// im2col 4.8 → 2.4 µs an image); ∂x is cut out of the padded planes the same way. Against im2col,
// a batched matmul and a bias add as separate
// primitives, this saves allocating the columns (5 MB for LeNet's first layer at batch 64), copying
// them in and out of the module, and a pass over the output; one image's columns stay in cache
// from im2col to the matmul.
import type { TensorRef, TypedArray, WindowGeometry } from '@nablajs/tensor';
import { alloc } from '../alloc.js';
import { isDense } from '../strided.js';
import { axes3, plan, rowMajor } from '../window.js';
import { FIRST, SLACK, align, workFloats } from './layout.js';
import { type KernelExports, instance, reserve } from './instance.js';
import { type WindowPlan, writePlan } from './window.js';

type Ref = TensorRef<TypedArray>;
type Triple = [number, number, number];

const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

/** Sizes of a convolution and where its regions go in the module's memory (floats). */
interface Layout {
  N: number;
  C: number;
  O: number;
  /** C·∏kernel: rows of an image's columns. */
  CK: number;
  /** Windows per image. */
  L: number;
  /** Elements of a plane as laid out: padded where the geometry pads. */
  plane: number;
  /** The padding per axis as 3-d (leading 0s), and the unpadded [D, H, W]; null without padding. */
  pad: { p: Triple; dhw: Triple } | null;
  /** Where the unpadded images go on their way in (and ∂x on its way out), N·C·∏input. */
  plainAt: number;
  p: WindowPlan;
  planAt: number;
  /** The images, N·C·plane, padded (and ∂x in their place, image by image). */
  xAt: number;
  /** One image's columns and the row of ones, (C·K + 1)·L. */
  colsAt: number;
  /** One image's columns' gradient, C·K·L. */
  dcolsAt: number;
  /** [w | b], O·(C·K + 1). */
  wAt: number;
  /** The result (forward) or ∂y (backward), N·O·L. */
  yAt: number;
  /** One image's [∂w | ∂b], O·(C·K + 1). */
  dwAt: number;
  /** Their sum over the images, O·(C·K + 1). */
  sumAt: number;
  workAt: number;
  h: Float32Array;
  k: KernelExports;
}

/** The layout for x [N, C, ...] and w [O, C, ...k] (dense float32), w and b copied in; null when it cannot run. */
function layOut(x: Ref, w: Ref, b: Ref | null, g: WindowGeometry): Layout | null {
  if (!(x.storage instanceof Float32Array && w.storage instanceof Float32Array)) return null;
  if (!isDense(x) || !isDense(w)) return null;
  const [N, C, O] = [x.shape[0]!, x.shape[1]!, w.shape[0]!];
  const CK = C * prod(g.kernel);
  const L = prod(g.output);
  // the same windows on the input laid out inside its border of zeros
  const input = g.input.map((n, i) => n + 2 * g.padding[i]!);
  const plane = prod(input);
  if (N === 0 || O === 0 || CK === 0) return null;
  const p = plan({ ...g, input, padding: g.padding.map(() => 0) }, rowMajor(input));
  const axes = axes3(g);
  const pad = g.padding.some((q) => q > 0)
    ? { p: axes.map((a) => a.p) as Triple, dhw: axes.map((a) => a.n) as Triple }
    : null;
  const R = CK + 1;
  const planAt = FIRST;
  const xAt = align(planAt + p.row.length + 3 * p.K + SLACK);
  const colsAt = align(xAt + N * C * plane + SLACK);
  const dcolsAt = align(colsAt + R * L + SLACK);
  const wAt = align(dcolsAt + CK * L + SLACK);
  const yAt = align(wAt + O * R + SLACK);
  const dwAt = align(yAt + N * O * L + SLACK);
  const sumAt = align(dwAt + O * R + SLACK);
  const workAt = align(sumAt + O * R + SLACK);
  const work = Math.max(workFloats(O, L, R), workFloats(O, R, L), workFloats(CK, L, O));
  const plainAt = align(workAt + work + SLACK);
  const end = plainAt + (pad ? N * C * prod(g.input) : 0);
  if (end * 4 > 0xffff0000) return null;
  const k = instance();
  let h: Float32Array;
  try {
    h = reserve(k, end);
  } catch {
    return null; // the engine refused to grow the memory
  }
  writePlan(h, planAt, p);
  const n = N * C * prod(g.input);
  h.set((x.storage as Float32Array).subarray(x.offset, x.offset + n), pad ? plainAt : xAt);
  if (pad) k.padRows(plainAt * 4, xAt * 4, N * C, ...pad.dhw, ...pad.p, 1);
  for (let o = 0; o < O; o++) {
    const from = w.offset + o * CK;
    h.set(w.storage.subarray(from, from + CK), wAt + o * R);
    h[wAt + o * R + CK] = b ? b.storage[b.offset + o * b.strides[0]!]! : 0;
  }
  h.fill(1, colsAt + CK * L, colsAt + R * L);
  // prettier-ignore
  return { N, C, O, CK, L, plane, pad, plainAt, p, planAt, xAt, colsAt, dcolsAt, wAt, yAt, dwAt, sumAt, workAt, h, k };
}

/** Lays out image n's columns (the row of ones after them stays). */
function columns(lay: Layout, n: number): void {
  const { C, plane, p, k } = lay;
  // prettier-ignore
  k.im2col((lay.xAt + n * C * plane) * 4, plane * 4, C, lay.colsAt * 4, lay.planAt * 4, p.K, p.M, p.Wo, p.step * 4);
}

/** y = w·im2col(x) + b per image, [N, O, ...output]; null when it cannot run here. */
export function convF32(x: Ref, w: Ref, b: Ref | null, g: WindowGeometry): TypedArray | null {
  const lay = layOut(x, w, b, g);
  if (!lay) return null;
  const { N, O, CK, L, h, k } = lay;
  // image by image, in order: a partial tile's spill past an image's result lands on the next one's
  for (let n = 0; n < N; n++) {
    columns(lay, n);
    // prettier-ignore
    k.matmul(O, L, CK + 1, lay.wAt * 4, CK + 1, 1, lay.colsAt * 4, L, 1, (lay.yAt + n * O * L) * 4, lay.workAt * 4);
  }
  const out = alloc('float32', N * O * L, false) as Float32Array; // all written
  out.set(h.subarray(lay.yAt, lay.yAt + N * O * L));
  return out;
}

/** ∂x, ∂w, ∂b of `convF32` from gy [N, O, ...output] where `needs` asks; null when it cannot run here. */
export function convGradF32(
  x: Ref,
  w: Ref,
  gy: Ref,
  g: WindowGeometry,
  needs: readonly [boolean, boolean, boolean],
): [TypedArray | null, TypedArray | null, TypedArray | null] | null {
  if (!(gy.storage instanceof Float32Array) || !isDense(gy)) return null;
  const lay = layOut(x, w, null, g);
  if (!lay) return null;
  const { N, C, O, CK, L, plane, p, h, k } = lay;
  const R = CK + 1;
  h.set(gy.storage.subarray(gy.offset, gy.offset + N * O * L), lay.yAt);
  // every element of each is written below
  const dx = needs[0] ? (alloc('float32', N * C * prod(g.input), false) as Float32Array) : null;
  const dw = needs[1] ? (alloc('float32', O * CK, false) as Float32Array) : null;
  const db = needs[2] ? (alloc('float32', O, false) as Float32Array) : null;
  h.fill(0, lay.sumAt, lay.sumAt + O * R);
  for (let n = 0; n < N; n++) {
    const gyAt = (lay.yAt + n * O * L) * 4;
    if (dw || db) {
      // [∂w | ∂b] += ∂y_n [O, L] · [cols_n; 1]ᵀ [L, C·K + 1]: both contiguous along L
      columns(lay, n);
      k.matmul(O, R, L, gyAt, L, 1, lay.colsAt * 4, 1, L, lay.dwAt * 4, lay.workAt * 4);
      k.addTo(lay.sumAt * 4, lay.dwAt * 4, O * R);
    }
    if (dx) {
      // the columns' gradient wᵀ [C·K, O] · ∂y_n [O, L], summed into image n's place (its input,
      // read above, is not needed again)
      k.matmul(CK, L, O, lay.wAt * 4, 1, R, gyAt, L, 1, lay.dcolsAt * 4, lay.workAt * 4);
      // prettier-ignore
      k.col2im(lay.dcolsAt * 4, plane * 4, C, (lay.xAt + n * C * plane) * 4, lay.planAt * 4, p.K, p.M, p.Wo, p.step * 4);
    }
  }
  for (let o = 0, s = lay.sumAt; o < O; o++, s += R) {
    if (dw) dw.set(h.subarray(s, s + CK), o * CK);
    if (db) db[o] = h[s + CK]!;
  }
  if (dx && lay.pad)
    k.padRows(lay.plainAt * 4, lay.xAt * 4, N * C, ...lay.pad.dhw, ...lay.pad.p, 0);
  const dxAt = lay.pad ? lay.plainAt : lay.xAt;
  if (dx) dx.set(h.subarray(dxAt, dxAt + dx.length));
  return [dx, dw, db];
}
