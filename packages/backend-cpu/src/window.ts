import {
  ShapeError,
  type TensorRef,
  type TypedArray,
  type WindowGeometry,
  type WindowOp,
} from '@nablajs/tensor';
import { alloc } from './alloc.js';
import { rows } from './strided.js';

// The sliding-window kernels. 1-d and 2-d windows run as 3-d ones with leading unit axes (kernel 1,
// stride 1, no padding), so each kernel is one loop nest. The innermost loop walks the output's
// last axis over the range of windows whose element lies inside the input (computed once per row),
// so it has no bounds test; the rest of the row is padding.

type Ref = TensorRef<TypedArray>;

/** One spatial axis of a geometry. */
interface Axis {
  n: number; // input size
  o: number; // windows
  k: number;
  s: number;
  p: number;
  d: number;
}

/** The geometry as three axes (depth, height, width), unit axes in front for 1-d and 2-d. */
function axes3(g: WindowGeometry): [Axis, Axis, Axis] {
  const unit: Axis = { n: 1, o: 1, k: 1, s: 1, p: 0, d: 1 };
  const list = g.input.map((n, i) => ({
    n,
    o: g.output[i]!,
    k: g.kernel[i]!,
    s: g.stride[i]!,
    p: g.padding[i]!,
    d: g.dilation[i]!,
  }));
  while (list.length < 3) list.unshift(unit);
  return list as [Axis, Axis, Axis];
}

/** The windows [lo, hi) of `a` whose element at kernel offset `j` lies inside the input. */
function inside(a: Axis, j: number): [number, number] {
  const at = j * a.d - a.p; // input position of window 0's element j
  const lo = at >= 0 ? 0 : Math.ceil(-at / a.s);
  const hi = at >= a.n ? 0 : Math.min(a.o, Math.floor((a.n - 1 - at) / a.s) + 1);
  return [lo, Math.max(lo, hi)];
}

/**
 * Calls `row` for every (n, c, kernel offset k, output position od·Ho + oh) of a 3-d window walk
 * over `x` [N, C, D, H, W] (a view), with the input offset of the row's element at window column
 * `lo` and the step to the next window; `ok` is false where the row lies in the padding.
 */
function walk(
  x: { shape: readonly number[]; offset: number; strides: readonly number[] },
  g: WindowGeometry,
  row: (n: number, c: number, k: number, m: number, ok: boolean, xOff: number, lo: number, hi: number, step: number) => void, // prettier-ignore
): void {
  const [D, H, W] = axes3(g);
  const xs = x.strides.slice(2);
  while (xs.length < 3) xs.unshift(0);
  const [sd, sh, sw] = xs as [number, number, number];
  const [N, C] = [x.shape[0]!, x.shape[1]!];
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++) {
      const base = x.offset + n * x.strides[0]! + c * x.strides[1]!;
      let k = 0;
      for (let kd = 0; kd < D.k; kd++)
        for (let kh = 0; kh < H.k; kh++)
          for (let kw = 0; kw < W.k; kw++, k++) {
            const [lo, hi] = inside(W, kw);
            const iw0 = lo * W.s + kw * W.d - W.p;
            let m = 0;
            for (let od = 0; od < D.o; od++) {
              const id = od * D.s + kd * D.d - D.p;
              for (let oh = 0; oh < H.o; oh++, m++) {
                const ih = oh * H.s + kh * H.d - H.p;
                const ok = id >= 0 && id < D.n && ih >= 0 && ih < H.n;
                row(n, c, k, m, ok, base + id * sd + ih * sh + iw0 * sw, lo, hi, W.s * sw);
              }
            }
          }
    }
}

const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

function im2col(x: Ref, g: WindowGeometry): TypedArray {
  const Wo = g.output[g.output.length - 1]!;
  const [K, L, C] = [prod(g.kernel), prod(g.output), x.shape[1]!];
  const o = alloc(x.dtype, x.shape[0]! * C * K * L); // zeros: the padding
  const src = x.storage;
  walk(x, g, (n, c, k, m, ok, xo, lo, hi, step) => {
    if (!ok) return;
    const at = ((n * C + c) * K + k) * L + m * Wo;
    for (let j = lo, s = xo; j < hi; j++, s += step) o[at + j] = src[s]!;
  });
  return o;
}

function col2im(cols: Ref, g: WindowGeometry): TypedArray {
  const Wo = g.output[g.output.length - 1]!;
  const K = prod(g.kernel);
  const [N, C] = [cols.shape[0]!, cols.shape[1]! / K];
  const shape = [N, C, ...g.input];
  const o = alloc(cols.dtype, prod(shape));
  const cs = cols.storage;
  const [s0, s1, s2] = cols.strides as [number, number, number];
  // walk the (row-major) output as the windows' input, reading the columns through their strides
  const dense = { shape, offset: 0, strides: rowMajor(shape) };
  walk(dense, g, (n, c, k, m, ok, oo, lo, hi, step) => {
    if (!ok) return;
    const at = cols.offset + n * s0 + (c * K + k) * s1 + m * Wo * s2;
    for (let j = lo, d = oo; j < hi; j++, d += step) o[d]! += cs[at + j * s2]!;
  });
  return o;
}

function rowMajor(shape: readonly number[]): number[] {
  const st = new Array<number>(shape.length);
  for (let i = shape.length - 1, s = 1; i >= 0; i--) [st[i], s] = [s, s * shape[i]!];
  return st;
}

function maxPool(x: Ref, g: WindowGeometry): [TypedArray, TypedArray] {
  const [D, H, W] = axes3(g);
  const xs = x.strides.slice(2);
  while (xs.length < 3) xs.unshift(0);
  const [xd, xh, xw] = xs as [number, number, number];
  const [N, C] = [x.shape[0]!, x.shape[1]!];
  const L = D.o * H.o * W.o;
  const values = alloc(x.dtype, N * C * L);
  const indices = alloc('int32', N * C * L);
  const src = x.storage;
  let at = 0;
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++) {
      const base = x.offset + n * x.strides[0]! + c * x.strides[1]!;
      for (let od = 0; od < D.o; od++)
        for (let oh = 0; oh < H.o; oh++)
          for (let ow = 0; ow < W.o; ow++, at++) {
            // PyTorch's loop: the first element inside starts the search, a larger value or a NaN
            // replaces it (so ties keep the first, and the last NaN wins)
            let best = -Infinity;
            let arg = -1;
            for (let kd = 0; kd < D.k; kd++) {
              const id = od * D.s + kd * D.d - D.p;
              if (id < 0 || id >= D.n) continue;
              for (let kh = 0; kh < H.k; kh++) {
                const ih = oh * H.s + kh * H.d - H.p;
                if (ih < 0 || ih >= H.n) continue;
                for (let kw = 0; kw < W.k; kw++) {
                  const iw = ow * W.s + kw * W.d - W.p;
                  if (iw < 0 || iw >= W.n) continue;
                  const v = src[base + id * xd + ih * xh + iw * xw]!;
                  if (arg < 0 || v > best || v !== v) {
                    best = v;
                    arg = (id * H.n + ih) * W.n + iw;
                  }
                }
              }
            }
            values[at] = best;
            indices[at] = arg;
          }
    }
  return [values, indices];
}

function maxPoolGrad(grad: Ref, indices: Ref, g: WindowGeometry): TypedArray {
  const plane = prod(g.input);
  const L = prod(g.output);
  const o = alloc(grad.dtype, grad.shape[0]! * grad.shape[1]! * plane);
  const [gs, is] = [grad.storage, indices.storage];
  rows(grad.shape, [grad, indices], (start, [og, oi], len, [sg, si]) => {
    for (let j = 0; j < len; j++) {
      const k = is[oi! + j * si!]!;
      if (k < 0 || k >= plane)
        throw new ShapeError(
          'maxPoolGrad',
          `index ${k} is out of range for an input plane of ${plane} elements`,
        );
      o[Math.floor((start + j) / L) * plane + k]! += gs[og! + j * sg!]!;
    }
  });
  return o;
}

/** The CPU's sliding-window kernels, keyed by op. */
export const WINDOW_KERNELS = { im2col, col2im, maxPool, maxPoolGrad } satisfies Record<
  WindowOp,
  unknown
>;
