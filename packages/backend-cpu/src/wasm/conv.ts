// A convolution of one group and its gradients on the WebAssembly kernels, the columns never leaving
// the module's memory: the images are copied in, im2col lays out each image's columns [C·K, L]
// there, one matmul per image multiplies them by the weight [O, C·K], and the result is copied out
// (with the bias added as it goes). The backward recomputes the columns rather than keeping them
// (im2col costs a fraction of a matmul): ∂w sums ∂y_n·cols_nᵀ over the images, ∂x is col2im of
// wᵀ·∂y_n. Against im2col, a batched matmul and a bias add as separate primitives, this saves
// allocating and copying the columns (5 MB for LeNet's first layer at batch 64) in and out of the
// module and a pass over the output. Large batches go through in chunks of images.
import type { TensorRef, TypedArray, WindowGeometry } from '@nablajs/tensor';
import { alloc } from '../alloc.js';
import { isDense } from '../strided.js';
import { plan, rowMajor } from '../window.js';
import { FIRST, SLACK, align, workFloats } from './layout.js';
import { type KernelExports, instance, reserve } from './matmul.js';
import { type WindowPlan, writePlan } from './window.js';

type Ref = TensorRef<TypedArray>;

/** Floats of columns a chunk of images may hold (32 MB): the module's memory never shrinks. */
const CHUNK_COLUMNS = 1 << 23;

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
  plane: number;
  p: WindowPlan;
  /** Images per chunk. */
  nb: number;
  planAt: number;
  xAt: number;
  colsAt: number;
  wAt: number;
  /** The result (forward) or ∂y (backward), nb·O·L. */
  yAt: number;
  /** One image's ∂w [O, C·K] (backward). */
  dwAt: number;
  workAt: number;
  h: Float32Array;
  k: KernelExports;
}

/** The layout for x [N, C, ...] and w [O, C, ...k] (both dense float32), or null when it cannot run. */
function layOut(x: Ref, w: Ref, g: WindowGeometry): Layout | null {
  if (!(x.storage instanceof Float32Array && w.storage instanceof Float32Array)) return null;
  if (!isDense(x) || !isDense(w)) return null;
  const [N, C, O] = [x.shape[0]!, x.shape[1]!, w.shape[0]!];
  const CK = C * prod(g.kernel);
  const L = prod(g.output);
  const plane = prod(g.input);
  if (N === 0 || O === 0 || CK === 0) return null;
  const p = plan(g, rowMajor(g.input));
  const nb = Math.max(1, Math.min(N, Math.floor(CHUNK_COLUMNS / (CK * L))));
  const planAt = FIRST;
  const xAt = align(planAt + p.row.length + 3 * p.K + SLACK);
  const colsAt = align(xAt + nb * C * plane + SLACK);
  const wAt = align(colsAt + nb * CK * L + SLACK);
  const yAt = align(wAt + O * CK + SLACK);
  const dwAt = align(yAt + nb * O * L + SLACK);
  const workAt = align(dwAt + O * CK + SLACK);
  const work = Math.max(workFloats(O, L, CK), workFloats(O, CK, L), workFloats(CK, L, O));
  const end = workAt + work;
  if (end * 4 > 0xffff0000) return null;
  const k = instance();
  let h: Float32Array;
  try {
    h = reserve(k, end);
  } catch {
    return null; // the engine refused to grow the memory
  }
  writePlan(h, planAt, p);
  h.set(w.storage.subarray(w.offset, w.offset + O * CK), wAt);
  return { N, C, O, CK, L, plane, p, nb, planAt, xAt, colsAt, wAt, yAt, dwAt, workAt, h, k };
}

/** Copies images n0..n0+nb of x in and lays out their columns. */
function columns(lay: Layout, x: Ref, n0: number, nb: number): void {
  const { C, plane, p, h, k } = lay;
  const from = x.offset + n0 * C * plane;
  h.set((x.storage as Float32Array).subarray(from, from + nb * C * plane), lay.xAt);
  // prettier-ignore
  k.im2col(lay.xAt * 4, plane * 4, nb * C, lay.colsAt * 4, lay.planAt * 4, p.K, p.M, p.Wo, p.step * 4);
}

/** y = w·im2col(x) + b per image, [N, O, ...output]; null when it cannot run here. */
export function convF32(x: Ref, w: Ref, b: Ref | null, g: WindowGeometry): TypedArray | null {
  const lay = layOut(x, w, g);
  if (!lay) return null;
  const { N, O, CK, L, h, k } = lay;
  const out = alloc('float32', N * O * L) as Float32Array;
  for (let n0 = 0; n0 < N; n0 += lay.nb) {
    const nb = Math.min(lay.nb, N - n0);
    columns(lay, x, n0, nb);
    // image by image, in order: a partial tile's spill past an image's result lands on the next one's
    for (let n = 0; n < nb; n++)
      // prettier-ignore
      k.matmul(O, L, CK, lay.wAt * 4, CK, 1, (lay.colsAt + n * CK * L) * 4, L, 1, (lay.yAt + n * O * L) * 4, lay.workAt * 4);
    const o = n0 * O * L;
    if (!b) {
      out.set(h.subarray(lay.yAt, lay.yAt + nb * O * L), o);
      continue;
    }
    for (let r = 0; r < nb * O; r++) {
      const bias = b.storage[b.offset + (r % O) * b.strides[0]!]!;
      for (let j = 0, s = lay.yAt + r * L, d = o + r * L; j < L; j++) out[d + j] = h[s + j]! + bias;
    }
  }
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
  const lay = layOut(x, w, g);
  if (!lay) return null;
  const { N, C, O, CK, L, plane, p, h, k } = lay;
  const dx = needs[0] ? (alloc('float32', N * C * plane) as Float32Array) : null;
  const dw = needs[1] ? (alloc('float32', O * CK) as Float32Array) : null;
  const db = needs[2] ? sumRows(gy.storage, gy.offset, N, O, L) : null;
  if (!dx && !dw) return [null, null, db];
  for (let n0 = 0; n0 < N; n0 += lay.nb) {
    const nb = Math.min(lay.nb, N - n0);
    const from = gy.offset + n0 * O * L;
    h.set(gy.storage.subarray(from, from + nb * O * L), lay.yAt);
    if (dw) {
      columns(lay, x, n0, nb);
      for (let n = 0; n < nb; n++) {
        // ∂w += ∂y_n [O, L] · cols_nᵀ [L, C·K]: both contiguous along L
        // prettier-ignore
        k.matmul(O, CK, L, (lay.yAt + n * O * L) * 4, L, 1, (lay.colsAt + n * CK * L) * 4, 1, L, lay.dwAt * 4, lay.workAt * 4);
        for (let i = 0, s = lay.dwAt; i < O * CK; i++) dw[i]! += h[s + i]!;
      }
    }
    if (dx) {
      // the columns' gradient wᵀ [C·K, O] · ∂y_n [O, L] over the columns, then summed into place
      for (let n = 0; n < nb; n++)
        // prettier-ignore
        k.matmul(CK, L, O, lay.wAt * 4, 1, CK, (lay.yAt + n * O * L) * 4, L, 1, (lay.colsAt + n * CK * L) * 4, lay.workAt * 4);
      // prettier-ignore
      k.col2im(lay.colsAt * 4, plane * 4, nb * C, lay.xAt * 4, lay.planAt * 4, p.K, p.M, p.Wo, p.step * 4);
      dx.set(h.subarray(lay.xAt, lay.xAt + nb * C * plane), n0 * C * plane);
    }
  }
  return [dx, dw, db];
}

/** Σ over images and windows of gy [N, O, L] (dense at `off`): ∂b [O]. */
function sumRows(gy: Float32Array, off: number, N: number, O: number, L: number): TypedArray {
  const db = alloc('float32', O);
  for (let o = 0; o < O; o++) {
    let s = 0;
    for (let n = 0; n < N; n++)
      for (let j = 0, at = off + (n * O + o) * L; j < L; j++) s += gy[at + j]!;
    db[o] = s;
  }
  return db;
}
