import {
  ShapeError,
  type TensorRef,
  type TypedArray,
  type WindowGeometry,
  type WindowOp,
} from '@nablajs/tensor';
import { alloc } from './alloc.js';
import { isDense, rows } from './strided.js';
import {
  type WindowPlan,
  col2imF32,
  im2colF32,
  maxPoolF32,
  maxPoolGrad2x2F32,
} from './wasm/window.js';

// The sliding-window kernels. 1-d and 2-d windows run as 3-d ones with leading unit axes (kernel 1,
// stride 1, no padding), so each kernel is one loop nest. The innermost loop walks the output's
// last axis over the range of windows whose element lies inside the input (see `plan`), so it has
// no bounds test; the rest of the row is padding.

type Ref = TensorRef<TypedArray>;

/** One spatial axis of a geometry. */
export interface Axis {
  n: number; // input size
  o: number; // windows
  k: number;
  s: number;
  p: number;
  d: number;
}

/** The geometry as three axes (depth, height, width), unit axes in front for 1-d and 2-d. */
export function axes3(g: WindowGeometry): [Axis, Axis, Axis] {
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
 * Where the windows read a [D, H, W] input with spatial strides `sd, sh, sw`: for kernel offset k
 * and output row m = od·Ho + oh, `row[k·M + m]` is the offset of the input row it reads (−1 in the
 * padding); along the row, windows `lo[k]..hi[k]` read from `col[k]` on, a step of `step` apart.
 * Small (∏kernel · Do·Ho entries), so the kernels below are plain loops with no bounds tests.
 */
type Plan = WindowPlan;

/** Plans made, by geometry and strides: a training loop asks for the same few every step. */
const plans = new Map<string, Plan>();

/** The plan of `g` on spatial strides `spatialStrides` (made once; callers only read it). */
export function plan(g: WindowGeometry, spatialStrides: readonly number[]): Plan {
  const key = `${g.input}|${g.kernel}|${g.stride}|${g.padding}|${g.dilation}|${spatialStrides}`;
  let p = plans.get(key);
  if (!p) {
    if (plans.size >= 64) plans.clear();
    plans.set(key, (p = makePlan(g, spatialStrides)));
  }
  return p;
}

function makePlan(g: WindowGeometry, spatialStrides: readonly number[]): Plan {
  const [D, H, W] = axes3(g);
  const st = [...spatialStrides];
  while (st.length < 3) st.unshift(0);
  const [sd, sh, sw] = st as [number, number, number];
  const K = D.k * H.k * W.k;
  const M = D.o * H.o;
  const p: Plan = {
    K,
    M,
    Wo: W.o,
    row: new Int32Array(K * M),
    lo: new Int32Array(K),
    hi: new Int32Array(K),
    col: new Int32Array(K),
    step: W.s * sw,
  };
  let k = 0;
  for (let kd = 0; kd < D.k; kd++)
    for (let kh = 0; kh < H.k; kh++)
      for (let kw = 0; kw < W.k; kw++, k++) {
        const [lo, hi] = inside(W, kw);
        p.lo[k] = lo;
        p.hi[k] = hi;
        p.col[k] = (lo * W.s + kw * W.d - W.p) * sw;
        let m = k * M;
        for (let od = 0; od < D.o; od++) {
          const id = od * D.s + kd * D.d - D.p;
          for (let oh = 0; oh < H.o; oh++, m++) {
            const ih = oh * H.s + kh * H.d - H.p;
            p.row[m] = id >= 0 && id < D.n && ih >= 0 && ih < H.n ? id * sd + ih * sh : -1;
          }
        }
      }
  return p;
}

const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

function im2col(x: Ref, g: WindowGeometry, fast = false): TypedArray {
  const [N, C] = [x.shape[0]!, x.shape[1]!];
  const p = plan(g, x.strides.slice(2));
  const { K, M, Wo, row, lo, hi, col, step } = p;
  const L = M * Wo;
  const o = alloc(x.dtype, N * C * K * L); // zeros: the padding
  const src = x.storage;
  if (fast && src instanceof Float32Array && isDense(x))
    if (im2colF32(src, x.offset, N * C, prod(g.input), p, o as Float32Array)) return o;
  let at = 0; // the output row of (n, c, k)
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++) {
      const base = x.offset + n * x.strides[0]! + c * x.strides[1]!;
      for (let k = 0; k < K; k++, at += L) {
        const [a, b, from] = [lo[k]!, hi[k]!, base + col[k]!];
        for (let m = 0; m < M; m++) {
          const r = row[k * M + m]!;
          if (r < 0) continue;
          const out = at + m * Wo;
          for (let j = a, s = from + r; j < b; j++, s += step) o[out + j] = src[s]!;
        }
      }
    }
  return o;
}

function col2im(cols: Ref, g: WindowGeometry, fast = false): TypedArray {
  const K0 = prod(g.kernel);
  const [N, C] = [cols.shape[0]!, cols.shape[1]! / K0];
  const shape = [N, C, ...g.input];
  const plane = prod(g.input);
  const o = alloc(cols.dtype, N * C * plane);
  // the output is row-major: plan its reads as a dense input, and walk the columns by their strides
  const p = plan(g, rowMajor(shape).slice(2));
  const { K, M, Wo, row, lo, hi, col, step } = p;
  const cs = cols.storage;
  if (fast && cs instanceof Float32Array && isDense(cols))
    if (col2imF32(cs, cols.offset, N * C, plane, p, o as Float32Array)) return o;
  const [s0, s1, s2] = cols.strides as [number, number, number];
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++) {
      const base = (n * C + c) * plane;
      for (let k = 0; k < K; k++) {
        const [a, b, to] = [lo[k]!, hi[k]!, base + col[k]!];
        const from = cols.offset + n * s0 + (c * K + k) * s1;
        for (let m = 0; m < M; m++) {
          const r = row[k * M + m]!;
          if (r < 0) continue;
          const at = from + m * Wo * s2;
          for (let j = a, d = to + r; j < b; j++, d += step) o[d]! += cs[at + j * s2]!;
        }
      }
    }
  return o;
}

export function rowMajor(shape: readonly number[]): number[] {
  const st = new Array<number>(shape.length);
  for (let i = shape.length - 1, s = 1; i >= 0; i--) [st[i], s] = [s, s * shape[i]!];
  return st;
}

/** [H, W] when `g` is MaxPool2d(2)'s: 2-d windows 2×2, stride 2, no padding (or dilation). */
function twoByTwo(g: WindowGeometry): [number, number] | null {
  const is = (xs: readonly number[], v: number) => xs.length === 2 && xs[0] === v && xs[1] === v;
  const ok = is(g.kernel, 2) && is(g.stride, 2) && is(g.padding, 0) && is(g.dilation, 1);
  return ok ? [g.input[0]!, g.input[1]!] : null;
}

function maxPool(x: Ref, g: WindowGeometry, fast = false): [TypedArray, TypedArray] {
  const [N, C] = [x.shape[0]!, x.shape[1]!];
  // storage offsets to read, and the flat positions in the plane that the indices report
  const p = plan(g, x.strides.slice(2));
  const { K, M, Wo, row, lo, hi, col, step } = p;
  const L = M * Wo;
  const values = alloc(x.dtype, N * C * L);
  const indices = alloc('int32', N * C * L);
  const src = x.storage;
  if (fast && src instanceof Float32Array && isDense(x)) {
    const [v, i] = [values as Float32Array, indices as Int32Array];
    if (maxPoolF32(src, x.offset, N * C, prod(g.input), p, v, i, twoByTwo(g))) return [v, i];
  }
  const dense = plan(g, rowMajor(g.input));
  indices.fill(-1);
  // kernel offsets outermost, in row-major order: each window sees its elements in PyTorch's
  // order. The first element inside starts the search, a larger value or a NaN replaces it (ties
  // keep the first maximum, the last NaN wins).
  for (let n = 0, out = 0; n < N; n++)
    for (let c = 0; c < C; c++, out += L) {
      const base = x.offset + n * x.strides[0]! + c * x.strides[1]!;
      for (let k = 0; k < K; k++)
        for (let m = 0; m < M; m++) {
          const r = row[k * M + m]!;
          if (r < 0) continue;
          const at = out + m * Wo;
          let s = base + col[k]! + r;
          let pos = dense.col[k]! + dense.row[k * M + m]!;
          for (let j = lo[k]!; j < hi[k]!; j++, s += step, pos += dense.step) {
            const v = src[s]!;
            if (indices[at + j]! < 0 || v > values[at + j]! || v !== v) {
              values[at + j] = v;
              indices[at + j] = pos;
            }
          }
        }
    }
  return [values, indices];
}

function maxPoolGrad(grad: Ref, indices: Ref, g: WindowGeometry, fast = false): TypedArray {
  const plane = prod(g.input);
  const L = prod(g.output);
  const hw = twoByTwo(g);
  const [gs, is] = [grad.storage, indices.storage];
  const nc = grad.shape[0]! * grad.shape[1]!;
  const o = alloc(grad.dtype, nc * plane, false);
  const dense = isDense(grad) && isDense(indices);
  if (fast && hw && dense && o instanceof Float32Array && is instanceof Int32Array) {
    const [g32, at] = [gs as Float32Array, grad.offset]; // grad's dtype is o's
    if (maxPoolGrad2x2F32([g32, at], [is, indices.offset], nc, hw[0], hw[1], o)) return o;
  }
  // zeroed by a write: new memory is the kernel's zero page until written, and the scatter's
  // first read of each page, then its write, faulted twice (LeNet's first pooling: 1.0 → 0.5 ms)
  o.fill(0);
  const add = (k: number, at: number, v: number) => {
    if (k < 0 || k >= plane)
      throw new ShapeError(
        'maxPoolGrad',
        `index ${k} is out of range for an input plane of ${plane} elements`,
      );
    o[at + k]! += v;
  };
  if (dense) {
    // the usual case, plane by plane without a division per element; `add` only to throw
    const [go, io] = [grad.offset, indices.offset];
    for (let p = 0, at = 0; p < o.length; p += plane)
      for (let e = at + L; at < e; at++) {
        const k = is[io + at]!;
        if (!(k >= 0 && k < plane)) add(k, p, 0); // throws
        o[p + k]! += gs[go + at]!;
      }
    return o;
  }
  rows(grad.shape, [grad, indices], (start, [og, oi], len, [sg, si]) => {
    for (let j = 0; j < len; j++)
      add(is[oi! + j * si!]!, Math.floor((start + j) / L) * plane, gs[og! + j * sg!]!);
  });
  return o;
}

/** The CPU's sliding-window kernels, keyed by op; `fast`: im2col, col2im, maxPool and (for
 * MaxPool2d(2)) its gradient of dense float32 operands run on the WebAssembly kernels. */
export function windowKernels(fast: boolean) {
  return {
    im2col: (x: Ref, g: WindowGeometry) => im2col(x, g, fast),
    col2im: (cols: Ref, g: WindowGeometry) => col2im(cols, g, fast),
    maxPool: (x: Ref, g: WindowGeometry) => maxPool(x, g, fast),
    maxPoolGrad: (grad: Ref, indices: Ref, g: WindowGeometry) =>
      maxPoolGrad(grad, indices, g, fast),
  } satisfies Record<WindowOp, unknown>;
}
