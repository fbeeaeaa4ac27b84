/**
 * The oracle of the fused convolution (`FusedKernels.conv`, `convGrad`): the composition it replaces
 * (im2col, a matmul with the weight per image, the bias; and for the gradients, the matmuls with
 * the columns and col2im), written out in float64 over the reference's own im2col and col2im.
 */
import type { WindowGeometry } from '@nablajs/tensor';
import { type Nd, fill } from '../nd.js';
import type { Result } from '../reference.js';
import { col2im, im2col } from '../reference-window.js';

const abs = (x: number): number => (x < 0 ? -x : x);

/** y[n, o, l] = b[o] + Σ_r w[o, r]·cols[n, r, l], shaped [N, O, ...output]. */
export function conv(x: Nd, w: Nd, b: Nd | null, g: WindowGeometry): Result {
  const cols = im2col(x, g);
  const [N, R, L] = cols.shape as [number, number, number];
  const O = w.shape[0]!;
  const shape = [N, O, ...g.output];
  const acc = new Float64Array(N * O * L);
  const scale = new Float64Array(N * O * L);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++)
      for (let l = 0; l < L; l++) {
        let s = b ? b.data[o]! : 0;
        let m = b ? abs(b.data[o]!) : 0;
        for (let r = 0; r < R; r++) {
          const t = w.data[o * R + r]! * cols.data[(n * R + r) * L + l]!;
          s += t;
          m += abs(t);
        }
        acc[(n * O + o) * L + l] = s;
        scale[(n * O + o) * L + l] = m;
      }
  return { out: fromFlat(x, shape, acc), scale };
}

/** `v` (row-major, float64) as an Nd of `like`'s dtype, rounded as the backend stores it. */
const fromFlat = (like: Nd, shape: readonly number[], v: Float64Array): Nd => {
  let i = 0;
  return fill(like.dtype, shape, () => v[i++]!);
};

/** ∂x, ∂w, ∂b of `conv` from gy [N, O, ...output]. */
export function convGrad(
  x: Nd,
  w: Nd,
  gy: Nd,
  g: WindowGeometry,
): { dx: Result; dw: Result; db: Result } {
  const cols = im2col(x, g);
  const [N, R, L] = cols.shape as [number, number, number];
  const O = w.shape[0]!;
  const dw = new Float64Array(O * R);
  const dwScale = new Float64Array(O * R);
  const db = new Float64Array(O);
  const dbScale = new Float64Array(O);
  const dcols = new Float64Array(N * R * L);
  const dcolsAbs = new Float64Array(N * R * L);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++)
      for (let l = 0; l < L; l++) {
        const gv = gy.data[(n * O + o) * L + l]!;
        db[o]! += gv;
        dbScale[o]! += abs(gv);
        for (let r = 0; r < R; r++) {
          const t = gv * cols.data[(n * R + r) * L + l]!;
          dw[o * R + r]! += t;
          dwScale[o * R + r]! += abs(t);
          const u = w.data[o * R + r]! * gv;
          dcols[(n * R + r) * L + l]! += u;
          dcolsAbs[(n * R + r) * L + l]! += abs(u);
        }
      }
  const asNd = (v: Float64Array, shape: number[]): Nd => fromFlat(x, shape, v);
  // col2im sums the columns' gradients into place (in float64); the scale sums their magnitudes
  const fold = (v: Float64Array) => col2im({ dtype: 'float64', shape: [N, R, L], data: v }, g).out;
  const dxSum = fold(dcols);
  const dx = fromFlat(x, dxSum.shape, dxSum.data);
  const dxScale = fold(dcolsAbs).data;
  return {
    dx: { out: dx, scale: dxScale },
    dw: { out: asNd(dw, [...w.shape]), scale: dwScale },
    db: { out: asNd(db, [O]), scale: dbScale },
  };
}
