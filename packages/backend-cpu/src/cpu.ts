import {
  type Backend,
  type BinaryOp,
  type DType,
  type RandomDist,
  type ReduceOp,
  type TensorRef,
  type TypedArray,
  type UnaryOp,
  DTypeError,
  REDUCE,
  binaryResultDType,
  concatLayout,
  contiguousStrides,
  IndexError,
  philoxFill,
  sizeOf,
  typedArray,
} from '@nablajs/tensor';
import { alloc, gcUnit, recycle, upload } from './alloc.js';
import { fusedKernels } from './fused.js';
import { matmulBatched, matmulInt, matmulRef } from './matmul.js';
import { matmulOwned, setMatmulThreads, wasmSimdSupported } from './wasm/matmul.js';
import { written } from './wasm/instance.js';
import { copyStrided, isDense, rows } from './strided.js';
import { type FoldState, binaryRun, reduceRun, unaryRun } from './loops.js';
import { RELU_WASM_MIN, reluF32 } from './relu.js';
import { reluWasm, sigmoidWasm, sumRowsF32 } from './wasm/activation.js';
import { REDUCE_JS } from './tables.js';
import { argsort, scan } from './scan.js';
import { windowKernels } from './window.js';
import { stateF32 } from './wasm/state.js';
import { UPDATE_WASM_MIN } from './wasm/optim.js';

type Ref = TensorRef<TypedArray>;

/** A result of `shape`; `zeroed` false where the kernel writes every element (recycled memory is
 * then taken as it is, `alloc`). */
function out(dtype: DType, shape: readonly number[], zeroed = true): TypedArray {
  return alloc(dtype, sizeOf(shape), zeroed);
}

type F32Kernel = (x: Float32Array, xo: number, out: Float32Array, n: number) => void;

/**
 * Unary ops with float32 kernels of their own for dense operands: the WebAssembly one from `min`
 * elements when `fast`, else `js` (none: the generic loop). ReLU is branch-free, f32x4 for large
 * tensors and a loop on the bits below (relu.ts); sigmoid is f32x4 with its own exp whatever the
 * size (so values never depend on it): 4× faster than Math.exp, within 2 ulps of the correctly
 * rounded value where Math.exp's is within 1.
 */
const F32_UNARY: Partial<Record<UnaryOp, { min: number; wasm: F32Kernel; js?: F32Kernel }>> = {
  relu: { min: RELU_WASM_MIN, wasm: reluWasm, js: reluF32 },
  sigmoid: { min: 0, wasm: sigmoidWasm },
};

function unary(op: UnaryOp, x: Ref, fast = false): TypedArray {
  const o = out(x.dtype, x.shape, false);
  const f32 = F32_UNARY[op];
  if (f32 && x.storage instanceof Float32Array && isDense(x)) {
    const kernel = fast && o.length >= f32.min ? f32.wasm : f32.js;
    if (kernel) {
      kernel(x.storage, x.offset, o as Float32Array, o.length);
      return o;
    }
  }
  const run = unaryRun(op, x.dtype);
  rows(x.shape, [x], (start, [ox], len, [sx]) => run(x.storage, ox!, sx!, o, start, len));
  return o;
}

function binary(op: BinaryOp, a: Ref, b: Ref): TypedArray {
  const o = out(binaryResultDType(op, a.dtype), a.shape, false);
  const run = binaryRun(op, a.dtype);
  rows(a.shape, [a, b], (start, [oa, ob], len, [sa, sb]) =>
    run(a.storage, oa!, sa!, b.storage, ob!, sb!, o, start, len),
  );
  return o;
}

function where(c: Ref, a: Ref, b: Ref): TypedArray {
  const o = out(a.dtype, a.shape, false);
  const [cs, as, bs] = [c.storage, a.storage, b.storage];
  rows(a.shape, [c, a, b], (start, [oc, oa, ob], len, [sc, sa, sb]) => {
    for (let j = 0; j < len; j++)
      o[start + j] = cs[oc! + j * sc!] ? as[oa! + j * sa!]! : bs[ob! + j * sb!]!;
  });
  return o;
}

/** Puts the reduced axes last, so each output element owns a run of `R` consecutive visits. */
function reduce(op: ReduceOp, x: Ref, axes: readonly number[], fast = false): TypedArray {
  const keep = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const R = sizeOf(axes.map((i) => x.shape[i]!));
  const index = REDUCE[op].index;
  const o = out(
    index ? 'int32' : x.dtype,
    keep.map((i) => x.shape[i]!),
  );
  if (R === 0) return o; // sum of nothing is 0; tensor rejects empty max/min/arg
  const xs = x.storage;
  // the sum over the leading axes of dense float32 (a bias's gradient) as the fold below does it,
  // in f32x4 and f64x2 (W3's four bias gradients [64, 100]: 55 → 16 µs a step)
  if (
    op === 'sum' &&
    fast &&
    xs instanceof Float32Array &&
    isDense(x) &&
    axes.every((a, i) => a === i)
  )
    if (sumRowsF32(xs, x.offset, R, o.length, o as Float32Array)) return o;
  const order = [...keep, ...axes];
  const view: Ref = {
    ...x,
    shape: order.map((i) => x.shape[i]!),
    strides: order.map((i) => x.strides[i]!),
  };
  const run = reduceRun(op, x.dtype);
  const { init } = REDUCE_JS[op];
  // the output element being reduced (k) and its running state
  const s: FoldState = { acc: init, at: -1 };
  let k = -1;
  // an int32 sum folds exactly in a double (below 2^53) and must fit when stored: never wrap
  const exact = op === 'sum' && x.dtype === 'int32';
  const flush = () => {
    if (k < 0) return;
    if (exact && (s.acc > 2147483647 || s.acc < -2147483648)) throw sumOverflow(s.acc);
    o[k] = index ? s.at : s.acc;
  };
  rows(view.shape, [view], (start, [ox], len, [sx]) => {
    for (let j = 0; j < len;) {
      const flat = start + j;
      const r = flat % R;
      if (r === 0) {
        flush();
        k = (flat - r) / R;
        s.acc = init;
        s.at = -1;
      }
      const end = Math.min(len, j + R - r); // this run ends with the output element or the row
      run(xs, ox! + j * sx!, sx!, end - j, r, s);
      j = end;
    }
  });
  flush();
  return o;
}

/** The error of an int32 sum whose exact value does not fit int32 (PyTorch would give int64). */
function sumOverflow(exact: number): DTypeError {
  return new DTypeError(
    'sum',
    `the int32 sum ${exact} does not fit int32 (it would wrap)`,
    "sum in a wider type: t.cast('float64').sum() (or 'float32', exact below 2^24)",
  );
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
        throw new IndexError(
          op,
          `index ${k} is out of range for axis ${axis} of size ${dim}`,
          `indices must be in 0..${dim - 1}`,
        );
      visit(ox! + j * sx! + k * step, start + j, k);
    }
  });
}

function gather(x: Ref, axis: number, index: Ref): TypedArray {
  const o = out(x.dtype, index.shape, false);
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
    strides: contiguousStrides(shape),
    offset: 0,
  };
  // visit order is index's row-major order, which is src's when src is dense
  const s = isDense(src) ? src.storage.subarray(src.offset) : readView(src);
  indexed('scatterAdd', target, axis, index, (to, i) => (o[to]! += s[i]!));
  return o;
}

function concat(xs: readonly Ref[], axis: number): TypedArray {
  const { shape, strides, offsets } = concatLayout(
    xs.map((x) => x.shape),
    axis,
  );
  const o = out(xs[0]!.dtype, shape, false);
  xs.forEach((x, i) =>
    copyStrided(x, { storage: o, dtype: x.dtype, shape: x.shape, strides, offset: offsets[i]! }),
  );
  return o;
}

/** `x` copied into `o` (row-major, converting to `o`'s dtype). */
function copyInto(x: Ref, o: TypedArray, dtype: DType = x.dtype): TypedArray {
  copyStrided(x, {
    storage: o,
    dtype,
    shape: x.shape,
    strides: contiguousStrides(x.shape),
    offset: 0,
  });
  return o;
}

/** What users read gets an array of its own (a slab view would keep the whole slab alive). */
const readFresh = (x: Ref): TypedArray => copyInto(x, typedArray(x.dtype, sizeOf(x.shape)));
const readView = (x: Ref): TypedArray => copyInto(x, out(x.dtype, x.shape, false));

const cast = (x: Ref, dtype: DType): TypedArray => copyInto(x, out(dtype, x.shape, false), dtype);

/** Options of `cpu()`. */
export interface CpuOptions {
  /** Use the WebAssembly SIMD matmul for float32 when the runtime supports it (default true). */
  wasm?: boolean;
  /**
   * Threads for float32 matmuls of over ~8·10⁶ multiply-adds, this one included (default: the
   * machine's cores, at most 4; 1 keeps every matmul on one thread). Needs shared memory: Node's
   * worker_threads, or a cross-origin isolated page; elsewhere one thread runs. Process-wide, as
   * `setMatmulThreads`. Results do not depend on it.
   */
  threads?: number;
}

/** The CPU backend: typed arrays, synchronous reads, float32 / int32 / float64. */
export function cpu(opts: CpuOptions = {}): Backend<TypedArray> {
  const fast = (opts.wasm ?? true) && wasmSimdSupported();
  if (opts.threads !== undefined) setMatmulThreads(opts.threads);
  return {
    name: 'cpu',
    dtypes: ['float32', 'int32', 'float64', 'bool'],
    sync: true,
    upload,
    zeros: alloc,
    // float32 Adam moments large enough for its WebAssembly kernel (fused.ts) go on a slab
    stateZeros: (dtype, size, count) =>
      fast && dtype === 'float32' && size >= UPDATE_WASM_MIN ? stateF32(size, count) : undefined,
    gcUnit,
    recycle(storage) {
      written(storage); // (no copy of it stays in the kernels' memory)
      recycle(storage);
    },
    read: async (x) => readFresh(x),
    readSync: readFresh,
    unary: (op, x) => unary(op, x, fast),
    binary,
    where,
    reduce: (op, x, axes) => reduce(op, x, axes, fast),
    matmul(a, b) {
      const r = a.shape.length;
      // every element is written: recycled memory needs no zeroing (a weight gradient's, each step)
      const o = alloc(a.dtype, sizeOf(a.shape.slice(0, r - 1)) * b.shape[r - 1]!, false);
      const kernel =
        a.dtype === 'int32'
          ? matmulInt
          : fast && a.dtype === 'float32'
            ? (matmulOwned as typeof matmulRef)
            : matmulRef;
      matmulBatched(a, b, o, kernel);
      return o;
    },
    gather,
    scatterAdd,
    concat,
    cast,
    scan,
    argsort,
    copy(src, dst) {
      written(dst.storage);
      copyStrided(src, dst);
    },
    ...windowKernels(fast),
    fused: fusedKernels(fast),
    random(dist: RandomDist, dtype, size, seed, offset) {
      const o = alloc(dtype, size, false);
      philoxFill(dist, o, seed, offset);
      return o;
    },
  };
}
