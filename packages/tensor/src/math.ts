import type { TensorRef } from './backend.js';
import { type DType, bytesPerElement, isFloat, resultType } from './dtype.js';
import { BackendError, DTypeError, NablaError, ShapeError, fmtShape } from './errors.js';
import {
  BINARY,
  type BinaryOp,
  REDUCE,
  type ReduceOp,
  UNARY,
  type UnaryOp,
  binaryDType,
  binaryResultDType,
  unaryDType,
} from './ops.js';
import { broadcastShapes, normAxes, sameShape, sizeOf } from './shape.js';
import { Storage } from './storage.js';
import { Tensor } from './tensor.js';

/** The elementwise ops, reductions and casts on Tensors: checks, broadcasting and dtype promotion,
 * then one backend call (the structured primitives are in structured.ts). */

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

/** What a value is, for messages: 'null', 'an array', 'an object', 'a string', … */
function kindOf(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

export function checkBackend(op: string, tensors: readonly Tensor[]): void {
  for (const t of tensors as unknown[])
    if (!(t instanceof Tensor))
      throw new NablaError(op, `expects Tensors, got ${kindOf(t)}`, 'make one with tensor(values)');
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
export function withTemps<R>(fn: (temps: Tensor[]) => R): R {
  const temps: Tensor[] = [];
  try {
    return fn(temps);
  } finally {
    for (const t of temps) t.dispose();
  }
}

/** `t` in `dtype` for reading only (bool as int32 is a view), disposed with `temps`. */
export function castTemp(t: Tensor, dtype: DType, temps: Tensor[]): Tensor {
  if (t.dtype === dtype) return t;
  const c = t.dtype === 'bool' && dtype === 'int32' ? boolAsInt(t) : castOp(t, dtype);
  temps.push(c);
  return c;
}

/** `t` as int32 when it is bool: the same storage (0/1), so a view, no copy; for reading only. */
export function boolAsInt(t: Tensor): Tensor {
  return t.dtype === 'bool'
    ? Tensor._make(t._buffer, t.storage, 'int32', t.shape, t.strides, t.offset)
    : t;
}

/** A scalar operand as a 0-d tensor: `dtype`, or float32 for a fraction when `dtype` is int32 or
 * bool, int32 for an integer against bool (PyTorch: a bool tensor plus a Python int is integral). */
export function scalarFor(value: number, dtype: DType, backend: Tensor['backend']): Tensor {
  const d = isFloat(dtype) ? dtype : !Number.isInteger(value) ? 'float32' : 'int32';
  const data = new (d === 'float64' ? Float64Array : d === 'int32' ? Int32Array : Float32Array)(1);
  data[0] = value;
  return wrap(backend, backend.upload(data), d, []);
}

/** PyTorch 1.13 refuses `op` on bool: a DTypeError that says what to do instead. */
function refuseBool(op: string, shape: readonly number[]): never {
  throw new DTypeError(
    op,
    `is not defined for bool ${fmtShape(shape)} (PyTorch refuses it too)`,
    op === 'neg' || op === 'sub'
      ? "use logicalNot / logicalXor, or cast first: m.cast('int32')"
      : "cast first: m.cast('int32') or m.cast('float32')",
  );
}

export function unaryOp(op: UnaryOp, x: Tensor): Tensor {
  x.assertLive(op);
  const onBool = x.dtype === 'bool' ? UNARY[op].bool : undefined;
  if (onBool === 'refuse') refuseBool(op, x.shape);
  return withTemps((temps) => {
    const input = castTemp(x, unaryDType(op, x.dtype), temps);
    const dtype = onBool === 'keep' ? 'bool' : input.dtype;
    return wrap(x.backend, x.backend.unary(op, input), dtype, x.shape);
  });
}

export function binaryOp(op: BinaryOp, a: Tensor, b: Tensor | number): Tensor {
  a.assertLive(op);
  return withTemps((temps) => {
    if (typeof b === 'number') temps.push((b = scalarFor(b, a.dtype, a.backend)));
    checkBackend(op, [a, b]);
    const promoted = resultType(a, b);
    // two bools: PyTorch's logical meaning (add is or, mul is and), or a refusal
    const onBool = promoted === 'bool' ? BINARY[op].bool : undefined;
    if (onBool === 'refuse') refuseBool(op, a.shape);
    const run = onBool ?? op;
    const dtype = binaryDType(op, promoted);
    const shape = broadcastShapes(op, a.shape, b.shape);
    const A = broadcastRef(castTemp(a, dtype, temps), shape);
    const B = broadcastRef(castTemp(b, dtype, temps), shape);
    const result = onBool ? 'bool' : binaryResultDType(op, dtype);
    return wrap(a.backend, a.backend.binary(run, A, B), result, shape);
  });
}

/** Refuses a mask that is not bool, as PyTorch does (a DTypeError that says how to make one). */
export function checkMask(
  op: string,
  name: string,
  mask: { readonly dtype: DType; readonly shape: readonly number[] },
): void {
  if (mask.dtype !== 'bool')
    throw new DTypeError(
      op,
      `${name} must be bool (what comparisons give), got ${mask.dtype} ${fmtShape(mask.shape)}`,
      `compare, e.g. m.ne(0), or cast: m.cast('bool')`,
    );
}

/** Elementwise `cond ? a : b` with broadcasting; `cond` is bool (comparisons give it). */
export function where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  cond.assertLive('where');
  return withTemps((temps) => {
    checkMask('where', 'condition', cond);
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
    const dtype = resultType(A, B);
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
  // bool reduces as int32 (sum counts, as PyTorch's gives int64); max and min stay bool
  const input = boolAsInt(x);
  const dtype = index ? 'int32' : op === 'sum' ? input.dtype : x.dtype;
  const h = x.backend.reduce(op, input, ax);
  if (input !== x) input.dispose();
  return wrap(x.backend, h, dtype, shape);
}

/** `x` converted to `dtype` in new storage: to bool, 1 for anything but 0 (NaN included, as
 * PyTorch's `bool()`); from bool, 0 and 1. */
export function castOp(x: Tensor, dtype: DType): Tensor {
  x.assertLive('cast');
  checkDType('cast', x, dtype);
  if (dtype === 'bool') return binaryOp('ne', x, 0);
  return wrap(x.backend, x.backend.cast(x, dtype), dtype, x.shape);
}
