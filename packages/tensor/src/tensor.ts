// [Symbol.dispose] needs esnext.disposable in the lib of whoever reads our declarations (TS drops
// a reference without preserve="true" from the .d.ts).
/// <reference lib="esnext.disposable" preserve="true" />
import type { Backend, TensorRef } from './backend.js';
import { COMPOSITES, type CompositeMethods } from './composites.js';
import { type DataArray, type DType, asData } from './dtype.js';
import { BackendError, DisposedError, ShapeError, fmtShape } from './errors.js';
import { type NestedArray, formatTensor, nest } from './format.js';
import {
  type Axes,
  binaryOp,
  castOp,
  checkBackend,
  reduceOp,
  scalarFor,
  unaryOp,
  where,
  wrap,
} from './math.js';
import { argsortOp, gatherOp, matmulOp, scanOp, scatterAdd } from './structured.js';
import type { BinaryMethods, UnaryMethods } from './methods.js';
import { INDEXING, type IndexingMethods } from './indexing.js';
import { SELECT, type SelectMethods } from './select.js';
import { BINARY_OPS, type BinaryOp, UNARY_OPS } from './ops.js';
import { REFLECT, type Reflected, isReflected } from './reflect.js';
import { contiguousStrides, isContiguous, sizeOf } from './shape.js';
import { type Storage, trackTensor, untrackTensor } from './storage.js';
import * as views from './views.js';
import type { SliceSpec } from './views.js';

export type { NestedArray, SliceSpec };
export { REFLECT, type Reflected };

// The elementwise methods, documented one by one in methods.ts.
export type { BinaryMethods, UnaryMethods };

/**
 * Tensor's binary methods: those of `BinaryMethods<Tensor>`, each also taking an operand of another
 * library that implements {@link Reflected} (autograd's Variable), which is handed the op, so
 * `tensor.sub(variable)` is a Variable, as `variable.sub(tensor)` is.
 */
export type TensorBinaryMethods = {
  [K in BinaryOp]: BinaryMethods<Tensor>[K] & (<R>(other: Reflected<R>) => R);
};

// The elementwise methods come from the op tables (installed below), the composites from COMPOSITES,
// SELECT and INDEXING.
export interface Tensor
  extends
    UnaryMethods<Tensor>,
    TensorBinaryMethods,
    CompositeMethods<Tensor>,
    SelectMethods<Tensor>,
    IndexingMethods<Tensor> {}

/**
 * An n-d array on one backend. Immutable as far as its API goes (only `assign` writes, for
 * optimizers); views (reshape, transpose, expand, slice, …) share storage. Memory is reclaimed by the
 * garbage collector, or at once with `dispose()` / `using`.
 *
 * Besides the methods below, every primitive op is a method, installed from the op lists of
 * `ops.ts`: the unary ones (`neg exp log sqrt abs sign sigmoid tanh relu step reciprocal square sin
 * cos floor ceil log1p expm1 softsign erf gelu geluGrad`) take no argument, and the binary ones (`add sub mul div pow maximum
 * minimum`, and the comparisons `eq ne lt le gt ge`, which give bool) take a tensor or a number
 * and broadcast. Unary ops that need floats (`exp`, `log`, …) turn int32 into float32.
 */
export class Tensor implements TensorRef {
  /**
   * The backend's handle to the storage this tensor views. Not for writing: change a tensor with
   * its methods (`assign`, the optimizers' updates), which the backend sees; a backend may keep a
   * copy of a storage it has read (the CPU's matmul keeps a large operand for the next product) and
   * would not see a write made here.
   */
  readonly storage: unknown;
  private disposed = false;

  private constructor(
    /** @internal */ readonly _buffer: Storage,
    handle: unknown,
    /** The element type. */
    readonly dtype: DType,
    /** The size of each axis, outermost first (`[]` for a scalar). */
    readonly shape: readonly number[],
    /** Elements to skip in storage for one step along each axis (0 on a broadcast axis). */
    readonly strides: readonly number[],
    /** Index in storage of the first element. */
    readonly offset: number,
  ) {
    this.storage = handle;
    trackTensor(this, _buffer);
  }

  /** @internal Makes a tensor over a backend `handle` accounted by `storage`; `strides` default to row-major. */
  static _make(
    storage: Storage,
    handle: unknown,
    dtype: DType,
    shape: readonly number[],
    strides: readonly number[] | undefined,
    offset: number,
  ): Tensor {
    return new Tensor(storage, handle, dtype, shape, strides ?? contiguousStrides(shape), offset);
  }

  /** The backend that holds this tensor's storage and runs its ops. */
  get backend(): Backend {
    return this._buffer.backend;
  }
  /** The number of axes. */
  get rank(): number {
    return this.shape.length;
  }
  /** The number of elements. */
  get size(): number {
    return sizeOf(this.shape);
  }
  /** Counts in-place writes to the storage (autograd checks it). */
  get version(): number {
    return this._buffer.version;
  }
  /** Whether `dispose()` was called; a disposed tensor raises a `DisposedError` when used. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /** @internal */
  assertLive(op: string): void {
    if (this.disposed || this._buffer.released)
      throw new DisposedError(
        op,
        `tensor ${fmtShape(this.shape)} ${this.dtype} was disposed`,
        'dispose a tensor only after its last use, or clone() it first',
      );
  }

  /** @internal A view of the same storage. */
  _view(shape: readonly number[], strides: readonly number[], offset = this.offset): Tensor {
    return new Tensor(this._buffer, this.storage, this.dtype, shape, strides, offset);
  }

  // ---- views: no copy (views.ts) ----------------------------------------------------------
  /** A tensor of `shape` (one entry may be -1) with the same elements; a view when contiguous. */
  reshape(shape: readonly number[]): Tensor {
    return views.reshape(this, shape);
  }
  /** Reorders axes: `permute(1, 0)` is the transpose of a matrix. */
  permute(...axes: number[]): Tensor {
    return views.permute(this, ...axes);
  }
  /** Swaps two axes, the last two by default. */
  transpose(a = -2, b = -1): Tensor {
    return views.transpose(this, a, b);
  }
  /** Broadcasts to `shape` (NumPy rules; -1 keeps an axis); new and size-1 axes get stride 0. */
  expand(shape: readonly number[]): Tensor {
    return views.expand(this, shape);
  }
  /** The same as `expand` (NumPy's name). */
  broadcastTo(shape: readonly number[]): Tensor {
    return this.expand(shape);
  }
  /** `x.slice([null, [0, 10, 2]])` is NumPy's `x[:, 0:10:2]`; a number picks an index and drops its axis. */
  slice(specs: readonly SliceSpec[]): Tensor {
    return views.slice(this, specs);
  }
  /** Drops size-1 axes (all of them, or the ones named). */
  squeeze(axes?: Axes): Tensor {
    return views.squeeze(this, axes);
  }
  /** Inserts a size-1 axis at `axis` (-1 appends). */
  unsqueeze(axis: number): Tensor {
    return views.unsqueeze(this, axis);
  }
  /** Merges axes `start..end` (inclusive) into one. */
  flatten(start = 0, end = -1): Tensor {
    return views.flatten(this, start, end);
  }

  /** This tensor if row-major already, else a row-major copy. */
  contiguous(): Tensor {
    this.assertLive('contiguous');
    if (isContiguous(this.shape, this.strides)) return this._view(this.shape, this.strides);
    return this.clone();
  }

  /** A row-major copy with its own storage. */
  clone(): Tensor {
    this.assertLive('clone');
    const out = wrap(
      this.backend,
      this.backend.zeros(this.dtype, this.size),
      this.dtype,
      this.shape,
    );
    this.backend.copy(this, out);
    return out;
  }

  // ---- math ----------------------------------------------------------------------------------

  /** The sum over `axis` (one or several; all by default); `keepDims` keeps them as size 1. */
  sum(axis?: Axes, keepDims = false): Tensor {
    return reduceOp('sum', this, axis, keepDims);
  }
  /** The maximum over `axis` (one or several; all by default); `keepDims` keeps them as size 1. */
  max(axis?: Axes, keepDims = false): Tensor {
    return reduceOp('max', this, axis, keepDims);
  }
  /** The minimum over `axis` (one or several; all by default); `keepDims` keeps them as size 1. */
  min(axis?: Axes, keepDims = false): Tensor {
    return reduceOp('min', this, axis, keepDims);
  }
  /** Index of the largest element along `axis` (of the flattened tensor without one), int32. */
  argmax(axis?: number, keepDims = false): Tensor {
    return reduceOp('argmax', this, axis, keepDims);
  }
  /** Index of the smallest element along `axis` (of the flattened tensor without one), int32. */
  argmin(axis?: number, keepDims = false): Tensor {
    return reduceOp('argmin', this, axis, keepDims);
  }
  /** The running sum along `axis` (PyTorch's `cumsum(dim)`); an int32 result must fit int32. */
  cumsum(axis: number): Tensor {
    return scanOp('cumsum', this, axis);
  }
  /** The running product along `axis` (PyTorch's `cumprod(dim)`); int32 is computed in float32. */
  cumprod(axis: number): Tensor {
    return scanOp('cumprod', this, axis);
  }
  /**
   * int32 positions that sort this tensor along `axis` (the last by default): a stable sort, so
   * equal values keep their order; NaN sorts after every number (before, when `descending`), as in
   * PyTorch. `x.gather(axis, x.argsort(axis))` is the sorted tensor (see `sort`).
   */
  argsort(axis = -1, descending = false): Tensor {
    return argsortOp(this, axis, descending);
  }
  /**
   * The matrix product, with NumPy's rules: batched over leading axes (which broadcast), and 1-D
   * operands treated as a row or a column. Transposed operands are read through their strides.
   */
  matmul(other: Tensor): Tensor;
  /** With a Variable (a {@link Reflected} operand): the Variable's matmul, recording the graph. */
  matmul<R>(other: Reflected<R>): R;
  matmul(other: Tensor | Reflected): unknown {
    if (isReflected(other)) return other[REFLECT]('matmul', this);
    return matmulOp(this, other);
  }
  /** PyTorch's gather: out[i][j] = this[i][index[i][j]] for axis 1; `index` is int32 of this rank. */
  gather(axis: number, index: Tensor): Tensor {
    return gatherOp(this, axis, index);
  }
  /** `cond ? this : other` elementwise, broadcasting (PyTorch's `Tensor.where`; `cond` int32). */
  where(cond: Tensor, other: Tensor | number): Tensor {
    return where(cond, this, other);
  }
  /** This plus `src` added at `index` along `axis`: out[i][index[i][j]] += src[i][j] for axis 1
   * (PyTorch's `scatter_add`, out of place). */
  scatterAdd(axis: number, index: Tensor, src: Tensor): Tensor {
    const s = scatterAdd(this.shape, axis, index, src);
    const out = this.add(s);
    s.dispose();
    return out;
  }
  /** This tensor converted to `dtype` (itself, as a view, when it already has it). */
  cast(dtype: DType): Tensor {
    this.assertLive('cast');
    return dtype === this.dtype ? this._view(this.shape, this.strides) : castOp(this, dtype);
  }

  /**
   * Writes `value` (broadcast and cast to this tensor's shape and dtype) into this tensor's storage,
   * in place. Views of the same storage see the change. For optimizers and in-place updates.
   */
  assign(value: Tensor | number): this {
    this.assertLive('assign');
    // an empty tensor has nothing to write (its row-major strides may be 0: [3,0] has [0,1])
    if (this.size > 0 && this.strides.some((s, i) => s === 0 && this.shape[i]! > 1))
      throw new ShapeError(
        'assign',
        `cannot write into a broadcast view ${fmtShape(this.shape)}`,
        'write into the tensor it was expanded from',
      );
    const src = typeof value === 'number' ? scalarFor(value, this.dtype, this.backend) : value;
    checkBackend('assign', [this, src]);
    // A source over this storage (a.assign(a.transpose())) would be overwritten while it is read.
    const cast =
      src._buffer === this._buffer && src.dtype === this.dtype ? src.clone() : src.cast(this.dtype);
    const full = cast.expand(this.shape);
    this.backend.copy(full, this);
    this._buffer.version++;
    for (const t of [full, cast, ...(src === value ? [] : [src])]) t.dispose();
    return this;
  }

  // ---- data ----------------------------------------------------------------------------------

  /** The elements, row-major, in a new typed array (a Uint8Array of 0/1 for bool). */
  async data(): Promise<DataArray> {
    this.assertLive('data');
    return asData(this.dtype, await this.backend.read(this));
  }

  /** Like `data()`, synchronously: only on backends that can (the CPU). */
  dataSync(): DataArray {
    this.assertLive('dataSync');
    if (!this.backend.readSync)
      throw new BackendError(
        'dataSync',
        `backend '${this.backend.name}' cannot read synchronously`,
        'use `await t.data()`',
      );
    return asData(this.dtype, this.backend.readSync(this));
  }

  /** The value of a one-element tensor. */
  async item(): Promise<number> {
    this.assertLive('item');
    if (this.size !== 1)
      throw new ShapeError(
        'item',
        `needs a tensor with one element, got ${fmtShape(this.shape)}`,
        'reduce it first, e.g. t.sum()',
      );
    return (await this.data())[0]!;
  }

  /** The elements as nested arrays. */
  async array(): Promise<NestedArray> {
    this.assertLive('array');
    return nest(await this.data(), this.shape);
  }

  /** A copy on another backend. */
  async to(backend: Backend): Promise<Tensor> {
    this.assertLive('to');
    if (backend === this.backend) return this._view(this.shape, this.strides);
    // refused before the read, not after a whole download
    if (!backend.dtypes.includes(this.dtype))
      throw new BackendError('to', `backend '${backend.name}' does not support ${this.dtype}`);
    return wrap(backend, backend.upload(await this.backend.read(this)), this.dtype, this.shape);
  }

  /** Releases this tensor now; its storage goes back once no view uses it. Safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    untrackTensor(this._buffer);
  }

  /** @internal Disposes this tensor and `recycle`s its storage now, whatever views of it exist: only
   * for storage the library alone holds (a gradient no user code saw). A view used all the same
   * raises a DisposedError where ops check their operands, instead of reading reused memory. */
  _recycle(): void {
    if (this.disposed) return;
    const s = this._buffer;
    const once = !s.released; // (dispose() releases it when this is its last live tensor)
    this.dispose();
    const b = this.backend;
    if (!b.recycle || b.free || !once) return;
    s.released = true;
    b.recycle(this.storage);
  }

  /** `dispose()`, for `using t = …`. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** NumPy-style text for tensors on a synchronous backend; a summary elsewhere. */
  toString(): string {
    if (this.disposed) return `Tensor(${fmtShape(this.shape)}, ${this.dtype}, disposed)`;
    if (!this.backend.readSync)
      return `Tensor(${fmtShape(this.shape)}, ${this.dtype}, backend=${this.backend.name})`;
    return formatTensor(this.dataSync(), this.shape, this.dtype);
  }
}

for (const op of UNARY_OPS)
  Object.defineProperty(Tensor.prototype, op, {
    value: function (this: Tensor) {
      return unaryOp(op, this);
    },
  });
for (const op of BINARY_OPS)
  Object.defineProperty(Tensor.prototype, op, {
    value: function (this: Tensor, other: Tensor | number | Reflected) {
      if (isReflected(other)) return other[REFLECT](op, this);
      return binaryOp(op, this, other);
    },
  });
for (const [name, fn] of Object.entries({ ...COMPOSITES, ...SELECT, ...INDEXING }))
  Object.defineProperty(Tensor.prototype, name, {
    value: function (this: Tensor, ...args: unknown[]) {
      return (fn as (...a: unknown[]) => Tensor)(this, ...args);
    },
  });
