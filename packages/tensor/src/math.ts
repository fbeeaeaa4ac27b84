import type { TensorRef } from './backend.js';
import { type DType, bytesPerElement, isFloat, promoteTypes } from './dtype.js';
import { BackendError, DTypeError, ShapeError, fmtShape } from './errors.js';
import {
  type BinaryOp,
  REDUCE,
  type ReduceOp,
  type UnaryOp,
  binaryDType,
  binaryResultDType,
  unaryDType,
} from './ops.js';
import { broadcastShapes, concatLayout, normAxes, normAxis, sameShape, sizeOf } from './shape.js';
import { Storage } from './storage.js';
import { Tensor } from './tensor.js';

/** The primitive ops on Tensors: checks, broadcasting and dtype promotion, then one backend call. */

/** Wraps new contiguous backend storage as a Tensor. */
export function wrap(
  backend: Tensor['backend'],
  handle: unknown,
  dtype: DType,
  shape: readonly number[],
): Tensor {
  const storage = new Storage(backend, handle, sizeOf(shape) * bytesPerElement(dtype));
  return Tensor._make(storage, handle, dtype, shape, undefined, 0);
}

/** A view of `t` broadcast to `shape` (stride 0 on new or size-1 axes), without a Tensor object. */
export function broadcastRef(t: Tensor, shape: readonly number[]): TensorRef {
  if (sameShape(t.shape, shape)) return t;
  const lead = shape.length - t.rank;
  const strides = shape.map((d, j) => {
    const i = j - lead;
    return i < 0 || (t.shape[i] === 1 && d !== 1) ? 0 : t.strides[i]!;
  });
  return { storage: t.storage, dtype: t.dtype, shape, strides, offset: t.offset };
}

export function checkBackend(op: string, tensors: readonly Tensor[]): void {
  const b = tensors[0]!.backend;
  for (const t of tensors) {
    t.assertLive(op);
    if (t.backend !== b)
      throw new BackendError(
        op,
        `tensors live on different backends (${b.name} and ${t.backend.name})`,
        'move one with `await t.to(backend)`',
      );
  }
}

export function checkDType(op: string, t: Tensor, dtype: DType = t.dtype): void {
  if (!t.backend.dtypes.includes(dtype))
    throw new DTypeError(
      op,
      `backend '${t.backend.name}' does not support ${dtype}`,
      `it supports ${t.backend.dtypes.join(', ')}`,
    );
}

/** Runs `fn` with temporaries that are disposed afterwards. */
function withTemps<R>(fn: (temps: Tensor[]) => R): R {
  const temps: Tensor[] = [];
  try {
    return fn(temps);
  } finally {
    for (const t of temps) t.dispose();
  }
}

function castTemp(t: Tensor, dtype: DType, temps: Tensor[]): Tensor {
  if (t.dtype === dtype) return t;
  const c = castOp(t, dtype);
  temps.push(c);
  return c;
}

/** A scalar operand as a 0-d tensor: `dtype`, or float32 for a fraction when `dtype` is int32. */
export function scalarFor(value: number, dtype: DType, backend: Tensor['backend']): Tensor {
  const d = dtype === 'int32' && !Number.isInteger(value) ? 'float32' : dtype;
  const data = new (d === 'float64' ? Float64Array : d === 'int32' ? Int32Array : Float32Array)(1);
  data[0] = value;
  return wrap(backend, backend.upload(data), d, []);
}

export function unaryOp(op: UnaryOp, x: Tensor): Tensor {
  x.assertLive(op);
  return withTemps((temps) => {
    const input = castTemp(x, unaryDType(op, x.dtype), temps);
    return wrap(x.backend, x.backend.unary(op, input), input.dtype, x.shape);
  });
}

export function binaryOp(op: BinaryOp, a: Tensor, b: Tensor | number): Tensor {
  a.assertLive(op);
  return withTemps((temps) => {
    if (typeof b === 'number') temps.push((b = scalarFor(b, a.dtype, a.backend)));
    checkBackend(op, [a, b]);
    const dtype = binaryDType(op, promoteTypes(a.dtype, b.dtype));
    const shape = broadcastShapes(op, a.shape, b.shape);
    const A = broadcastRef(castTemp(a, dtype, temps), shape);
    const B = broadcastRef(castTemp(b, dtype, temps), shape);
    return wrap(a.backend, a.backend.binary(op, A, B), binaryResultDType(op, dtype), shape);
  });
}

/** Elementwise `cond ? a : b` with broadcasting; `cond` is int32 (comparisons give it). */
export function where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  cond.assertLive('where');
  return withTemps((temps) => {
    if (cond.dtype !== 'int32')
      throw new DTypeError(
        'where',
        `condition must be int32 (a comparison's result), got ${cond.dtype}`,
        'use cond.ne(0)',
      );
    const other = a instanceof Tensor ? a : b instanceof Tensor ? b : undefined;
    const fix = (v: Tensor | number): Tensor => {
      if (v instanceof Tensor) return v;
      const t = scalarFor(v, other?.dtype ?? 'float32', cond.backend);
      temps.push(t);
      return t;
    };
    const A = fix(a);
    const B = fix(b);
    checkBackend('where', [cond, A, B]);
    const dtype = promoteTypes(A.dtype, B.dtype);
    const shape = broadcastShapes('where', cond.shape, A.shape, B.shape);
    const h = cond.backend.where(
      broadcastRef(cond, shape),
      broadcastRef(castTemp(A, dtype, temps), shape),
      broadcastRef(castTemp(B, dtype, temps), shape),
    );
    return wrap(cond.backend, h, dtype, shape);
  });
}

/** One axis or several; negative axes count from the end (−1 is the last). */
export type Axes = number | readonly number[];

export function reduceOp(op: ReduceOp, x: Tensor, axes?: Axes, keepDims = false): Tensor {
  x.assertLive(op);
  const index = REDUCE[op].index;
  if (index && axes === undefined) {
    const flat = x.reshape([-1]);
    const r = reduceOp(op, flat, 0, false);
    flat.dispose();
    if (!keepDims) return r;
    const kept = r.reshape(x.shape.map(() => 1));
    r.dispose();
    return kept;
  }
  if (index && typeof axes !== 'number')
    throw new ShapeError(op, `takes one axis, got [${axes!.join(',')}]`);
  const ax = normAxes(op, axes, x.rank);
  if (op !== 'sum' && ax.some((a) => x.shape[a] === 0))
    throw new ShapeError(
      op,
      `cannot reduce an empty axis of ${fmtShape(x.shape)}`,
      'it has no identity; use sum, or check the shape',
    );
  const shape = keepDims
    ? x.shape.map((d, i) => (ax.includes(i) ? 1 : d))
    : x.shape.filter((_, i) => !ax.includes(i));
  const dtype = index ? 'int32' : x.dtype;
  return wrap(x.backend, x.backend.reduce(op, x, ax), dtype, shape);
}

/** Matrix product with NumPy's rules: batched, batch axes broadcast, 1-D operands promoted and dropped. */
export function matmulOp(a: Tensor, b: Tensor): Tensor {
  checkBackend('matmul', [a, b]);
  if (a.rank === 0 || b.rank === 0)
    throw new ShapeError(
      'matmul',
      `operands need at least one axis, got ${fmtShape(a.shape)} @ ${fmtShape(b.shape)}`,
      'use mul for scalars',
    );
  const as = a.rank === 1 ? [1, a.shape[0]!] : a.shape;
  const bs = b.rank === 1 ? [b.shape[0]!, 1] : b.shape;
  const K = as[as.length - 1]!;
  if (bs[bs.length - 2] !== K) {
    const hint =
      bs[bs.length - 1] === K
        ? 'did you mean b.transpose()?'
        : 'the last axis of a must equal the second-to-last of b';
    throw new ShapeError(
      'matmul',
      `inner dimensions differ: ${fmtShape(a.shape)} @ ${fmtShape(b.shape)}`,
      hint,
    );
  }
  const M = as[as.length - 2]!;
  const N = bs[bs.length - 1]!;
  const batch = broadcastShapes('matmul', as.slice(0, -2), bs.slice(0, -2));
  return withTemps((temps) => {
    const dtype = promoteTypes(a.dtype, b.dtype);
    const A = castTemp(a, dtype, temps);
    const B = castTemp(b, dtype, temps);
    const Av = A.rank === 1 ? A.reshape(as) : A;
    const Bv = B.rank === 1 ? B.reshape(bs) : B;
    if (Av !== A) temps.push(Av);
    if (Bv !== B) temps.push(Bv);
    const h = a.backend.matmul(
      broadcastRef(Av, [...batch, M, K]),
      broadcastRef(Bv, [...batch, K, N]),
    );
    const shape = [...batch, ...(a.rank === 1 ? [] : [M]), ...(b.rank === 1 ? [] : [N])];
    return wrap(a.backend, h, dtype, shape);
  });
}

function checkIndex(op: string, x: readonly number[], axis: number, index: Tensor): void {
  if (index.dtype !== 'int32')
    throw new DTypeError(
      op,
      `index must be int32, got ${index.dtype}`,
      "make it with { dtype: 'int32' }",
    );
  if (index.rank !== x.length || index.shape.some((d, i) => i !== axis && d > x[i]!))
    throw new ShapeError(
      op,
      `index ${fmtShape(index.shape)} does not fit ${fmtShape(x)} along axis ${axis}`,
      'index needs the same rank, and no larger size on the other axes',
    );
}

/** PyTorch's gather: out[i][j] = x[i][index[i][j]] (axis 1). */
export function gatherOp(x: Tensor, axis: number, index: Tensor): Tensor {
  checkBackend('gather', [x, index]);
  const ax = normAxis('gather', axis, x.rank);
  checkIndex('gather', x.shape, ax, index);
  return wrap(x.backend, x.backend.gather(x, ax, index), x.dtype, index.shape);
}

/** Zeros of `shape`, then out[i][index[i][j]] += src[i][j] (axis 1): gather's adjoint. */
export function scatterAdd(
  shape: readonly number[],
  axis: number,
  index: Tensor,
  src: Tensor,
): Tensor {
  checkBackend('scatterAdd', [src, index]);
  const ax = normAxis('scatterAdd', axis, shape.length);
  checkIndex('scatterAdd', shape, ax, index);
  if (!sameShape(index.shape, src.shape))
    throw new ShapeError(
      'scatterAdd',
      `src ${fmtShape(src.shape)} and index ${fmtShape(index.shape)} differ`,
      'they must have one shape',
    );
  return wrap(src.backend, src.backend.scatterAdd(src, ax, index, shape), src.dtype, shape);
}

/** Joins tensors along an existing axis. */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError('concat', 'needs at least one tensor');
  checkBackend('concat', tensors);
  const first = tensors[0]!;
  const ax = normAxis('concat', axis, first.rank);
  for (const t of tensors)
    if (t.rank !== first.rank || t.shape.some((d, i) => i !== ax && d !== first.shape[i]))
      throw new ShapeError(
        'concat',
        `shapes ${tensors.map((u) => fmtShape(u.shape)).join(', ')} differ off axis ${ax}`,
        'all axes but the joined one must match',
      );
  const dtype = tensors.map((t) => t.dtype).reduce(promoteTypes);
  return withTemps((temps) => {
    const xs = tensors.map((t) => castTemp(t, dtype, temps));
    const { shape } = concatLayout(
      xs.map((x) => x.shape),
      ax,
    );
    return wrap(first.backend, first.backend.concat(xs, ax), dtype, shape);
  });
}

/** Joins tensors along a new axis. */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError('stack', 'needs at least one tensor');
  const ax = normAxis('stack', axis, tensors[0]!.rank + 1);
  const views = tensors.map((t) => t.unsqueeze(ax));
  try {
    return concat(views, ax);
  } finally {
    for (const v of views) v.dispose();
  }
}

export function castOp(x: Tensor, dtype: DType): Tensor {
  x.assertLive('cast');
  checkDType('cast', x, dtype);
  return wrap(x.backend, x.backend.cast(x, dtype), dtype, x.shape);
}

/** y = x·wᵀ + b, PyTorch's `F.linear`: x [..., in], w [out, in], b [out]. */
export function linear(x: Tensor, w: Tensor, b?: Tensor): Tensor {
  if (
    w.rank !== 2 ||
    x.rank < 1 ||
    x.shape[x.rank - 1] !== w.shape[1] ||
    (b && (b.rank !== 1 || b.shape[0] !== w.shape[0]))
  )
    throw new ShapeError(
      'linear',
      `input ${fmtShape(x.shape)}, weight ${fmtShape(w.shape)}${b ? `, bias ${fmtShape(b.shape)}` : ''} do not fit`,
      'weight is [out, in] with in = the last axis of the input, bias is [out]',
    );
  const k = x.backend.fused?.linear;
  if (k && x.rank === 2 && x.dtype === w.dtype && (!b || b.dtype === x.dtype) && isFloat(x.dtype)) {
    checkBackend('linear', b ? [x, w, b] : [x, w]);
    return wrap(x.backend, k(x, w, b ?? null), x.dtype, [x.shape[0]!, w.shape[0]!]);
  }
  const wt = w.transpose();
  const y = matmulOp(x, wt);
  wt.dispose();
  if (!b) return y;
  const out = binaryOp('add', y, b);
  y.dispose();
  return out;
}
