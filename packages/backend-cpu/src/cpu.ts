import {
  type Backend,
  type BinaryOp,
  type DType,
  type RandomDist,
  type ReduceOp,
  type TensorRef,
  type TypedArray,
  type UnaryOp,
  ShapeError,
  philoxFill,
  typedArray,
} from '@nablajs/tensor';
import { alloc } from './alloc.js';
import { FUSED } from './fused.js';
import { matmulBatched, matmulRef } from './matmul.js';
import { matmulF32, wasmSimdSupported } from './wasm/matmul.js';
import { copyStrided, isDense, rows, sizeOf } from './strided.js';
import { BINARY, UNARY } from './tables.js';
import { windowKernels } from './window.js';

const COMPARE = new Set<BinaryOp>(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);

type Ref = TensorRef<TypedArray>;

function out(dtype: DType, shape: readonly number[]): TypedArray {
  return alloc(dtype, sizeOf(shape));
}

/** A strided run of a unary op; the hot ops get their own loop (no call per element). */
function unaryRun(
  op: UnaryOp,
  x: TypedArray,
  ox: number,
  sx: number,
  o: TypedArray,
  start: number,
  len: number,
): void {
  switch (op) {
    case 'neg': for (let j = 0; j < len; j++) o[start + j] = -x[ox + j * sx]!; return; // prettier-ignore
    case 'exp': for (let j = 0; j < len; j++) o[start + j] = Math.exp(x[ox + j * sx]!); return; // prettier-ignore
    case 'log': for (let j = 0; j < len; j++) o[start + j] = Math.log(x[ox + j * sx]!); return; // prettier-ignore
    case 'square':
      // int32 wraps mod 2^32: Math.imul, since a double product past 2^53 loses the low bits
      if (o instanceof Int32Array) for (let j = 0; j < len; j++) { const v = x[ox + j * sx]!; o[start + j] = Math.imul(v, v); } // prettier-ignore
      else for (let j = 0; j < len; j++) { const v = x[ox + j * sx]!; o[start + j] = v * v; } // prettier-ignore
      return;
    case 'sigmoid':
      for (let j = 0; j < len; j++) {
        const v = x[ox + j * sx]!;
        if (v >= 0) o[start + j] = 1 / (1 + Math.exp(-v));
        else { const e = Math.exp(v); o[start + j] = e / (1 + e); } // prettier-ignore
      }
      return;
  }
  const f = UNARY[op];
  for (let j = 0; j < len; j++) o[start + j] = f(x[ox + j * sx]!);
}

function unary(op: UnaryOp, x: Ref): TypedArray {
  const o = out(x.dtype, x.shape);
  rows(x.shape, [x], (start, [ox], len, [sx]) => unaryRun(op, x.storage, ox!, sx!, o, start, len));
  return o;
}

/** A strided run of a binary op (stride 0 is a broadcast); the hot ops get their own loop. */
function binaryRun(
  op: BinaryOp,
  a: TypedArray,
  oa: number,
  sa: number,
  b: TypedArray,
  ob: number,
  sb: number,
  o: TypedArray,
  start: number,
  len: number,
): void {
  // prettier-ignore
  switch (op) {
    case 'add': for (let j = 0; j < len; j++) o[start + j] = a[oa + j * sa]! + b[ob + j * sb]!; return; // prettier-ignore
    case 'sub': for (let j = 0; j < len; j++) o[start + j] = a[oa + j * sa]! - b[ob + j * sb]!; return; // prettier-ignore
    case 'mul':
      // int32 wraps mod 2^32: Math.imul, since a double product past 2^53 loses the low bits
      if (o instanceof Int32Array) for (let j = 0; j < len; j++) o[start + j] = Math.imul(a[oa + j * sa]!, b[ob + j * sb]!); // prettier-ignore
      else for (let j = 0; j < len; j++) o[start + j] = a[oa + j * sa]! * b[ob + j * sb]!; // prettier-ignore
      return;
    case 'div': for (let j = 0; j < len; j++) o[start + j] = a[oa + j * sa]! / b[ob + j * sb]!; return; // prettier-ignore
  }
  const f = BINARY[op];
  for (let j = 0; j < len; j++) o[start + j] = f(a[oa + j * sa]!, b[ob + j * sb]!);
}

function binary(op: BinaryOp, a: Ref, b: Ref): TypedArray {
  const o = out(COMPARE.has(op) ? 'int32' : a.dtype, a.shape);
  rows(a.shape, [a, b], (start, [oa, ob], len, [sa, sb]) =>
    binaryRun(op, a.storage, oa!, sa!, b.storage, ob!, sb!, o, start, len),
  );
  return o;
}

function where(c: Ref, a: Ref, b: Ref): TypedArray {
  const o = out(a.dtype, a.shape);
  const [cs, as, bs] = [c.storage, a.storage, b.storage];
  rows(a.shape, [c, a, b], (start, [oc, oa, ob], len, [sc, sa, sb]) => {
    for (let j = 0; j < len; j++)
      o[start + j] = cs[oc! + j * sc!] ? as[oa! + j * sa!]! : bs[ob! + j * sb!]!;
  });
  return o;
}

/** Puts the reduced axes last, so each output element owns a run of `R` consecutive visits. */
function reduce(op: ReduceOp, x: Ref, axes: readonly number[]): TypedArray {
  const keep = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const order = [...keep, ...axes];
  const view: Ref = {
    ...x,
    shape: order.map((i) => x.shape[i]!),
    strides: order.map((i) => x.strides[i]!),
  };
  const R = sizeOf(axes.map((i) => x.shape[i]!));
  const arg = op === 'argmax' || op === 'argmin';
  const o = out(
    arg ? 'int32' : x.dtype,
    keep.map((i) => x.shape[i]!),
  );
  if (R === 0) return o; // sum of nothing is 0; tensor rejects empty max/min/arg
  const xs = x.storage;
  // running state of the output element being reduced: its value and, for arg ops, its index
  let acc = 0;
  let at = -1;
  let k = -1;
  const flush = () => {
    if (k >= 0) o[k] = arg ? at : acc;
  };
  rows(view.shape, [view], (start, [ox], len, [sx]) => {
    for (let j = 0; j < len;) {
      const flat = start + j;
      const r = flat % R;
      if (r === 0) {
        flush();
        k = (flat - r) / R;
        acc = op === 'sum' ? 0 : op === 'max' || op === 'argmax' ? -Infinity : Infinity;
        at = -1;
      }
      const end = Math.min(len, j + R - r); // this run ends with the output element or the row
      const base = ox! + j * sx!;
      const n = end - j;
      switch (op) {
        case 'sum': for (let i = 0; i < n; i++) acc += xs[base + i * sx!]!; break; // prettier-ignore
        case 'max': for (let i = 0; i < n; i++) { const v = xs[base + i * sx!]!; if (v > acc || v !== v) acc = v; } break; // prettier-ignore
        case 'min': for (let i = 0; i < n; i++) { const v = xs[base + i * sx!]!; if (v < acc || v !== v) acc = v; } break; // prettier-ignore
        default:
          // first extreme wins; the first NaN wins over everything, as in PyTorch
          for (let i = 0; i < n; i++) {
            const v = xs[base + i * sx!]!;
            if (at === -1 || (acc === acc && (v !== v || (op === 'argmax' ? v > acc : v < acc)))) {
              acc = v;
              at = r + i;
            }
          }
      }
      j = end;
    }
  });
  flush();
  return o;
}

function indexed(
  op: string,
  x: Ref,
  axis: number,
  index: Ref,
  visit: (xOff: number, iOff: number, k: number) => void,
): void {
  const dim = x.shape[axis]!;
  const is = index.storage;
  const xr: Ref = {
    ...x,
    shape: index.shape,
    strides: x.strides.map((s, i) => (i === axis ? 0 : s)),
  };
  const step = x.strides[axis]!;
  rows(index.shape, [index, xr], (start, [oi, ox], len, [si, sx]) => {
    for (let j = 0; j < len; j++) {
      const k = is[oi! + j * si!]!;
      if (k < 0 || k >= dim)
        throw new ShapeError(
          op,
          `index ${k} is out of range for axis ${axis} of size ${dim}`,
          `indices must be in 0..${dim - 1}`,
        );
      visit(ox! + j * sx! + k * step, start + j, k);
    }
  });
}

function gather(x: Ref, axis: number, index: Ref): TypedArray {
  const o = out(x.dtype, index.shape);
  const xs = x.storage;
  indexed('gather', x, axis, index, (xo, i) => (o[i] = xs[xo]!));
  return o;
}

function scatterAdd(src: Ref, axis: number, index: Ref, shape: readonly number[]): TypedArray {
  const o = out(src.dtype, shape);
  const target: Ref = {
    storage: o,
    dtype: src.dtype,
    shape,
    strides: contiguous(shape),
    offset: 0,
  };
  // visit order is index's row-major order, which is src's when src is dense
  const s = isDense(src) ? src.storage.subarray(src.offset) : readView(src);
  indexed('scatterAdd', target, axis, index, (to, i) => (o[to]! += s[i]!));
  return o;
}

function contiguous(shape: readonly number[]): number[] {
  const st = new Array<number>(shape.length);
  for (let i = shape.length - 1, s = 1; i >= 0; i--) [st[i], s] = [s, s * shape[i]!];
  return st;
}

function concat(xs: readonly Ref[], axis: number): TypedArray {
  const first = xs[0]!;
  const shape = first.shape.map((d, i) =>
    i === axis ? xs.reduce((s, x) => s + x.shape[i]!, 0) : d,
  );
  const o = out(first.dtype, shape);
  const strides = contiguous(shape);
  let at = 0;
  for (const x of xs) {
    copyStrided(x, {
      storage: o,
      dtype: x.dtype,
      shape: x.shape,
      strides,
      offset: at * strides[axis]!,
    });
    at += x.shape[axis]!;
  }
  return o;
}

/** `x` copied into `o` (row-major, converting to `o`'s dtype). */
function copyInto(x: Ref, o: TypedArray, dtype: DType = x.dtype): TypedArray {
  copyStrided(x, { storage: o, dtype, shape: x.shape, strides: contiguous(x.shape), offset: 0 });
  return o;
}

/** What users read gets an array of its own (a slab view would keep the whole slab alive). */
const readFresh = (x: Ref): TypedArray => copyInto(x, typedArray(x.dtype, sizeOf(x.shape)));
const readView = (x: Ref): TypedArray => copyInto(x, out(x.dtype, x.shape));

const cast = (x: Ref, dtype: DType): TypedArray => copyInto(x, out(dtype, x.shape), dtype);

/** Options of `cpu()`. */
export interface CpuOptions {
  /** Use the WebAssembly SIMD matmul for float32 when the runtime supports it (default true). */
  wasm?: boolean;
}

/** The CPU backend: typed arrays, synchronous reads, float32 / int32 / float64. */
export function cpu(opts: CpuOptions = {}): Backend<TypedArray> {
  const fast = (opts.wasm ?? true) && wasmSimdSupported();
  return {
    name: 'cpu',
    dtypes: ['float32', 'int32', 'float64'],
    sync: true,
    upload: (data) => data,
    zeros: alloc,
    gcUnit: (a) => a.buffer,
    read: async (x) => readFresh(x),
    readSync: readFresh,
    unary,
    binary,
    where,
    reduce,
    matmul(a, b) {
      const r = a.shape.length;
      const o = out(a.dtype, [...a.shape.slice(0, r - 1), b.shape[r - 1]!]);
      const kernel = fast && a.dtype === 'float32' ? (matmulF32 as typeof matmulRef) : matmulRef;
      matmulBatched(a, b, o, kernel);
      return o;
    },
    gather,
    scatterAdd,
    concat,
    cast,
    copy: copyStrided,
    ...windowKernels(fast),
    fused: FUSED,
    random(dist: RandomDist, dtype, size, seed, offset) {
      const o = alloc(dtype, size);
      philoxFill(dist, o, seed, offset);
      return o;
    },
  };
}
