import { type Backend, getBackend } from './backend.js';
import {
  type DType,
  type DataArray,
  type TypedArray,
  dtypeOfArray,
  isFloat,
  typedArray,
  typedArrayFrom,
} from './dtype.js';
import { DTypeError, NablaError, ShapeError, fmtShape } from './errors.js';
import { binaryOp, castOp, wrap } from './math.js';
import type { RandomDist } from './ops.js';
import { philoxBlocks } from './philox.js';
import { checkSize, sizeOf } from './shape.js';
import type { NestedArray, Tensor } from './tensor.js';

/** Options of the functions that make tensors. */
export interface CreateOptions {
  /** The element type (default float32). */
  dtype?: DType;
  /** The backend to create the tensor on (default: the one chosen with `useBackend`). */
  backend?: Backend;
}

function backendFor(op: string, opts: CreateOptions | undefined, dtype: DType): Backend {
  const b = opts?.backend ?? getBackend(op);
  if (!b.dtypes.includes(dtype))
    throw new DTypeError(
      op,
      `backend '${b.name}' does not support ${dtype}`,
      `it supports ${b.dtypes.join(', ')}`,
    );
  return b;
}

function checkShape(op: string, shape: readonly number[]): void {
  if (shape.some((d) => !Number.isInteger(d) || d < 0))
    throw new ShapeError(
      op,
      `invalid shape ${fmtShape(shape)}`,
      'sizes must be non-negative integers',
    );
  checkSize(op, shape);
}

function inferShape(data: NestedInput, op: string): number[] {
  const shape: number[] = [];
  let level: NestedInput = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = (level as readonly NestedInput[])[0]!;
  }
  // Every path must have the first path's lengths and end in a number (a flat count is not enough:
  // [[1, 2], [[3, 4]]] has 4 numbers but is ragged).
  // booleans or numbers, not both (a bool tensor is made of booleans)
  const leaf = typeof level === 'boolean' ? 'boolean' : 'number';
  const fits = (v: unknown, depth: number): boolean =>
    depth === shape.length
      ? typeof v === leaf
      : Array.isArray(v) && v.length === shape[depth] && v.every((x) => fits(x, depth + 1));
  if (!fits(data, 0))
    throw new ShapeError(
      op,
      `nested arrays are ragged or hold non-${leaf}s (first path suggests ${fmtShape(shape)})`,
      'every row must have the same length, and hold numbers (or booleans for a bool tensor)',
    );
  return shape;
}

/** Numbers or booleans (a bool tensor) nested in arrays, one level per axis. */
export type NestedInput = number | boolean | readonly NestedInput[];

/**
 * A tensor from a number, a boolean, nested arrays or a typed array (copied). The dtype defaults to
 * the typed array's, bool for booleans, else float32 (a Uint8Array of bytes becomes float32 unless
 * `dtype: 'bool'` says it holds a mask); `shape` reshapes flat data.
 */
export function tensor(
  data: NestedInput | NestedArray | DataArray | ArrayLike<number> | ArrayLike<boolean>,
  opts: CreateOptions & { shape?: readonly number[] } = {},
): Tensor {
  const isTyped = ArrayBuffer.isView(data) && !(data instanceof DataView);
  let values: ArrayLike<number> | ArrayLike<boolean>;
  let shape: readonly number[];
  if (typeof data === 'number' || typeof data === 'boolean')
    [values, shape] = [[data] as ArrayLike<number>, []];
  else if (isTyped || !Array.isArray(data))
    [values, shape] = [data as ArrayLike<number>, [(data as ArrayLike<number>).length]];
  else {
    shape = inferShape(data as NestedInput, 'tensor');
    values = (data as unknown[]).flat(Infinity as 1) as number[];
  }
  const dtype =
    opts.dtype ??
    (data instanceof Float32Array || data instanceof Int32Array || data instanceof Float64Array
      ? dtypeOfArray(data)
      : values.length > 0 && typeof values[0] === 'boolean'
        ? 'bool'
        : 'float32');
  const backend = backendFor('tensor', opts, dtype);
  if (opts.shape) {
    checkShape('tensor', opts.shape);
    if (sizeOf(opts.shape) !== values.length)
      throw new ShapeError(
        'tensor',
        `${values.length} values do not fill shape ${fmtShape(opts.shape)}`,
      );
    shape = opts.shape;
  }
  // `upload` copies: a typed array of the dtype goes as it is, anything else is converted first
  const same =
    (data instanceof Float32Array && dtype === 'float32') ||
    (data instanceof Int32Array && dtype === 'int32') ||
    (data instanceof Float64Array && dtype === 'float64');
  const array = same ? (data as TypedArray) : typedArrayFrom(dtype, values);
  if (dtype !== 'bool' && values.length > 0 && typeof values[0] === 'boolean')
    throw new DTypeError(
      'tensor',
      `booleans cannot be ${dtype}`,
      "make a bool tensor and cast it: tensor([true]).cast('float32')",
    );
  return wrap(backend, backend.upload(array), dtype, shape);
}

/** A tensor of `shape` with every element `value` (a boolean makes a bool tensor). */
export function full(
  shape: readonly number[],
  value: number | boolean,
  opts: CreateOptions = {},
): Tensor {
  return fill('full', shape, value, opts);
}

function fill(
  op: string,
  shape: readonly number[],
  value: number | boolean,
  opts: CreateOptions,
): Tensor {
  checkShape(op, shape);
  const dtype = opts.dtype ?? (typeof value === 'boolean' ? 'bool' : 'float32');
  const backend = backendFor(op, opts, dtype);
  const n = sizeOf(shape);
  const v = typedArrayFrom(dtype, [value] as ArrayLike<number>)[0]!;
  if (v === 0) return wrap(backend, backend.zeros(dtype, n), dtype, shape);
  const a = typedArray(dtype, n);
  a.fill(v);
  return wrap(backend, backend.upload(a), dtype, shape);
}

/** A tensor of `shape` filled with 0. */
export const zeros = (shape: readonly number[], opts: CreateOptions = {}): Tensor =>
  fill('zeros', shape, 0, opts);
/** A tensor of `shape` filled with 1. */
export const ones = (shape: readonly number[], opts: CreateOptions = {}): Tensor =>
  fill('ones', shape, 1, opts);
/** Zeros with `t`'s shape, dtype and backend. */
export const zerosLike = (t: Tensor): Tensor =>
  full(t.shape, 0, { dtype: t.dtype, backend: t.backend });
/**
 * `count` tensors of zeros with `t`'s shape, dtype and backend, for state that a fused kernel
 * updates every step (an optimizer's moments): where the backend can, they lie where its kernels
 * update them in place (`Backend.stateZeros`). Otherwise as `zerosLike`.
 */
export function stateZerosLike(t: Tensor, count: number): Tensor[] {
  const b = t.backend;
  const n = sizeOf(t.shape);
  const made =
    b.stateZeros?.(t.dtype, n, count) ?? Array.from({ length: count }, () => b.zeros(t.dtype, n));
  return made.map((s) => wrap(b, s, t.dtype, t.shape));
}
/** Ones with `t`'s shape, dtype and backend. */
export const onesLike = (t: Tensor): Tensor =>
  full(t.shape, 1, { dtype: t.dtype, backend: t.backend });

/** [start, stop) by step; int32 when every argument is an integer, else float32. `arange(5)` is 0..4. */
export function arange(start: number, stop?: number, step = 1, opts: CreateOptions = {}): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  for (const [name, v] of [
    ['start', start],
    ['stop', stop],
    ['step', step],
  ] as const)
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new ShapeError('arange', `${name} ${String(v)} must be a finite number`);
  if (step === 0) throw new ShapeError('arange', 'step must not be 0');
  const dtype = opts.dtype ?? ([start, stop, step].every(Number.isInteger) ? 'int32' : 'float32');
  if (dtype === 'bool')
    throw new DTypeError('arange', 'counts in numbers, not bool', "use dtype 'int32'");
  const n = Math.max(0, Math.ceil((stop - start) / step));
  checkSize('arange', [n]);
  const a = typedArray(dtype, n);
  for (let i = 0; i < n; i++) a[i] = start + i * step;
  const backend = backendFor('arange', opts, dtype);
  return wrap(backend, backend.upload(a), dtype, [n]);
}

/** The n×m identity. */
export function eye(n: number, m = n, opts: CreateOptions = {}): Tensor {
  checkShape('eye', [n, m]);
  const dtype = opts.dtype ?? 'float32';
  const a = typedArray(dtype, n * m);
  for (let i = 0; i < Math.min(n, m); i++) a[i * m + i] = 1;
  const backend = backendFor('eye', opts, dtype);
  return wrap(backend, backend.upload(a), dtype, [n, m]);
}

// The global generator: a seed and how many Philox counters have been used.
const generator = { seed: 0, offset: 0 };

/** Rejects seeds that are not non-negative safe integers. */
function checkSeed(op: string, seed: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new NablaError(op, `seed must be a non-negative safe integer, got ${seed}`);
}

/** Seeds the global generator (like `torch.manual_seed`); the default seed is 0. */
export function manualSeed(seed: number): void {
  checkSeed('manualSeed', seed);
  generator.seed = seed;
  generator.offset = 0;
}

/** The global generator's position, to save with a checkpoint and restore with `setRngState`. */
export function getRngState(): {
  /** The seed set by `manualSeed`. */
  seed: number;
  /** How many Philox blocks have been drawn since. */
  offset: number;
} {
  return { ...generator };
}

/** Restores the global generator to a position saved by `getRngState`. */
export function setRngState(state: { seed: number; offset: number }): void {
  manualSeed(state.seed);
  generator.offset = state.offset;
}

/** Options of `rand` and `randn`: a float dtype, a backend, and optionally a seed of their own. */
export interface RandomOptions extends CreateOptions {
  /** Draws from the stream of this seed (from its start) instead of the global generator. */
  seed?: number;
}

function random(
  op: string,
  dist: RandomDist,
  shape: readonly number[],
  opts: RandomOptions,
): Tensor {
  checkShape(op, shape);
  const dtype = opts.dtype ?? 'float32';
  if (!isFloat(dtype))
    throw new DTypeError(op, `draws floats, not ${dtype}`, "use dtype 'float32' or 'float64'");
  const backend = backendFor(op, opts, dtype);
  const n = sizeOf(shape);
  let seed: number, offset: number; // prettier-ignore
  if (opts.seed !== undefined) {
    checkSeed(op, opts.seed);
    [seed, offset] = [opts.seed, 0];
  } else {
    [seed, offset] = [generator.seed, generator.offset];
    generator.offset += philoxBlocks(n);
  }
  return wrap(backend, backend.random(dist, dtype, n, seed, offset), dtype, shape);
}

/** Uniform in [0, 1), from the Philox stream (see `philox.ts`). */
export const rand = (shape: readonly number[], opts: RandomOptions = {}): Tensor =>
  random('rand', 'uniform', shape, opts);
/** Standard normal, from the Philox stream (Box–Muller). */
export const randn = (shape: readonly number[], opts: RandomOptions = {}): Tensor =>
  random('randn', 'normal', shape, opts);

/** U[0, 1) with `t`'s shape and backend, in its dtype (float32 for int32 and bool), like
 * `torch.rand_like`. */
export const randLike = (t: Tensor, opts: RandomOptions = {}): Tensor =>
  rand(t.shape, { dtype: isFloat(t.dtype) ? t.dtype : 'float32', backend: t.backend, ...opts });
/** N(0, 1) with `t`'s shape and backend, in its dtype (float32 for int32 and bool), like
 * `torch.randn_like`. */
export const randnLike = (t: Tensor, opts: RandomOptions = {}): Tensor =>
  randn(t.shape, { dtype: isFloat(t.dtype) ? t.dtype : 'float32', backend: t.backend, ...opts });
/** `value` everywhere, with `t`'s shape, dtype and backend (`torch.full_like`). */
export const fullLike = (t: Tensor, value: number | boolean): Tensor =>
  full(t.shape, value, { dtype: t.dtype, backend: t.backend });

/** `indices` (int32, any shape) as one-hot float32 rows: shape [...indices.shape, numClasses]. */
export function oneHot(indices: Tensor, numClasses: number, dtype: DType = 'float32'): Tensor {
  if (indices.dtype !== 'int32')
    throw new DTypeError('oneHot', `indices must be int32, got ${indices.dtype}`);
  if (indices.backend.readSync)
    for (const k of indices.dataSync())
      if (k < 0 || k >= numClasses)
        throw new ShapeError(
          'oneHot',
          `index ${k} is out of range for ${numClasses} classes`,
          `indices must be in 0..${numClasses - 1}`,
        );
  const classes = arange(numClasses, undefined, 1, { backend: indices.backend });
  const col = indices.unsqueeze(-1);
  const hot = binaryOp('eq', col, classes);
  const out = castOp(hot, dtype);
  for (const t of [classes, col, hot]) t.dispose();
  return out;
}
