import {
  type Axes,
  type Backend,
  INDEXING,
  type IndexingMethods,
  NablaError,
  SELECT,
  type SelectMethods,
  scatterAdd as scatterAddTensor,
  BINARY_OPS,
  type BinaryMethods,
  type BinaryOp,
  fmtShape,
  COMPOSITES,
  type CompositeMethods,
  type DType,
  REFLECT,
  DTypeError,
  Tensor,
  type DataArray,
  type UnaryMethods,
  UNARY_OPS,
  isCompare,
  isFloat,
  normAxis,
  tensor,
} from '@nablajs/tensor';
import type { FunctionNode } from './node.js';
import { lift, matmul, record, reduce } from './ops.js';
import { backward, type BackwardOptions } from './engine.js';
import { scatterAdd, where } from './functions.js';
import { VIEWS, type ViewMethods } from './views.js';

export { lift, record };

/** What a Variable's binary ops accept: a Variable, or a Tensor or number taken as a constant. */
export type Operand = Variable | Tensor | number;
/** A gradient hook (`registerHook`): sees ∂loss/∂v, and may return a Variable to use instead. */
export type Hook = (grad: Variable) => Variable | void;

type OperandMethods = BinaryMethods<Variable, Operand>;
export interface Variable
  extends
    UnaryMethods<Variable>,
    OperandMethods,
    CompositeMethods<Variable>,
    SelectMethods<Variable>,
    IndexingMethods<Variable>,
    ViewMethods {}

/**
 * A node of the computation graph holding a value (`data`), the gradient of a loss with respect to
 * it (`grad`, filled by `backward`) and the function node that created it (`gradFn`; null for
 * leaves). Operations mirror the Tensor API and record the graph when an input requires grad.
 */
export class Variable {
  /** @internal `grad` for the library: reading it does not count as the user seeing it. */
  _grad: Tensor | null = null;
  /** @internal backward made `_grad` and no user code saw it: zeroGrad() recycles its memory. */
  _gradOwned = false;
  /** The function node that made this variable; null for a leaf (an input or a parameter). */
  gradFn: FunctionNode | null = null;
  private label: string | undefined;
  /** @internal */ _hooks: Hook[] = [];
  /** @internal */ _retainsGrad = false;

  private needsGrad = false;

  constructor(
    /** The value. Replacing or assigning it does not record anything in the graph. */
    public data: Tensor,
    requiresGrad = false,
    name?: string,
  ) {
    this.requiresGrad = requiresGrad;
    this.name = name;
  }

  /** ∂loss/∂this, filled (and summed over uses) by `backward()`; null before, or after `zeroGrad()`. */
  get grad(): Tensor | null {
    this._gradOwned = false;
    return this._grad;
  }
  /** Sets ∂loss/∂this (optimizers and tests do; `backward()` sums into it). */
  set grad(g: Tensor | null) {
    this._gradOwned = false;
    this._grad = g;
  }

  /** Whether gradients flow to this variable; ops on it then record function nodes. Only floating
   * point variables can require grad (int32 or bool raises a DTypeError, as in PyTorch). */
  get requiresGrad(): boolean {
    return this.needsGrad;
  }
  /** Turns gradient tracking on or off (a DTypeError for int32 and bool, as in PyTorch). */
  set requiresGrad(value: boolean) {
    if (value && !isFloat(this.data.dtype))
      throw new DTypeError(
        'requiresGrad',
        `${this.data.dtype === 'int32' ? 'an' : 'a'} ${this.data.dtype} variable cannot require grad (shape ${fmtShape(this.data.shape)})`,
        "only floating point variables can: cast it first, x.cast('float32')",
      );
    this.needsGrad = value;
  }

  /** A label for graph drawings. */
  get name(): string | undefined {
    return this.label;
  }
  /** Names this variable in graph drawings (`toDot`, `toMermaid`). */
  set name(name: string | undefined) {
    this.label = name;
    this.exposeToNode();
  }

  /** Lets the node that made this variable see it (for hooks, retainGrad and graph labels). */
  private exposeToNode(): void {
    if (this.gradFn) this.gradFn.output = this;
  }

  /** The shape of `data`. */
  get shape(): readonly number[] {
    return this.data.shape;
  }
  /** The dtype of `data`. */
  get dtype(): DType {
    return this.data.dtype;
  }
  /** The number of axes of `data`. */
  get rank(): number {
    return this.data.rank;
  }
  /** The number of elements of `data`. */
  get size(): number {
    return this.data.size;
  }
  /** Whether no function node made this variable (inputs and parameters are leaves). */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }
  /** The backend of `data`. */
  get backend(): Backend {
    return this.data.backend;
  }

  /**
   * Sets `requiresGrad` in place and returns this variable, as PyTorch's `requires_grad_()`: only
   * on a leaf (a computed variable's flag follows its inputs).
   */
  requiresGrad_(requiresGrad = true): this {
    if (!this.isLeaf)
      throw new NablaError(
        'requiresGrad_',
        'only a leaf can change requiresGrad (this variable was computed by an op)',
        'detach() it first to get a leaf',
      );
    this.requiresGrad = requiresGrad;
    return this;
  }

  /** A copy of the value in storage of its own, recorded in the graph (the gradient passes as is). */
  clone(): Variable {
    return record('reshape', [this], this.data.clone());
  }

  /**
   * Back-propagates from this variable; a non-scalar needs `gradient` (∂loss/∂this). The options
   * may come alone, `loss.backward({ createGraph: true })`, as PyTorch's keywords do.
   */
  backward(opts?: BackwardOptions): void;
  backward(gradient?: Operand, opts?: BackwardOptions): void;
  backward(gradient?: Operand | BackwardOptions, opts: BackwardOptions = {}): void {
    if (isOptions(gradient)) [gradient, opts] = [undefined, gradient];
    backward([this], gradient === undefined ? undefined : [gradient], opts);
  }

  /** Keeps `.grad` on a non-leaf variable after backward (leaves always keep it). */
  retainGrad(): this {
    this._retainsGrad = true;
    this.exposeToNode();
    return this;
  }

  /** Calls `hook(grad)` when the gradient with respect to this variable is computed; a returned
   * Variable replaces the gradient. Returns a function that removes the hook. */
  registerHook(hook: Hook): () => void {
    this._hooks.push(hook);
    this.exposeToNode();
    return () => {
      this._hooks = this._hooks.filter((h) => h !== hook);
    };
  }

  /** The same value, cut from the graph. */
  detach(): Variable {
    return new Variable(this.data);
  }

  /** `left op this` for a Tensor on the left (`tensor.sub(variable)`): the Tensor is a constant. */
  [REFLECT](op: BinaryOp | 'matmul', left: Tensor): Variable {
    return new Variable(left)[op](this);
  }

  /** Clears `.grad` (its memory is reused at once when no user code saw it). */
  zeroGrad(): void {
    if (this._gradOwned) this._grad?._recycle();
    this.grad = null;
  }

  /** The value of a one-element variable (`await loss.item()`). */
  async item(): Promise<number> {
    return this.data.item();
  }
  /** The elements of `data`, row-major, in a new typed array (a Uint8Array of 0/1 for bool). */
  async values(): Promise<DataArray> {
    return this.data.data();
  }

  /** `data` as text, with the function node that made it or `requiresGrad`. */
  toString(): string {
    const fn = this.gradFn
      ? `, gradFn=${this.gradFn.name}`
      : this.requiresGrad
        ? ', requiresGrad'
        : '';
    return `Variable(${this.data.toString()}${fn})`;
  }

  // ---- reductions ----------------------------------------------------------------------------

  /** The sum over `axis` (all axes by default); `keepDims` keeps them as size 1. */
  sum(axis?: Axes, keepDims = false): Variable {
    return reduce('sum', this, axis, keepDims);
  }
  /**
   * The maximum over `axis`. Along one axis given as a number, the gradient goes to the index
   * `argmax` selects (the first maximum), as PyTorch's `max(dim)`; over all axes or a list of
   * them it is split evenly between ties, as PyTorch's `max()` and `amax`.
   */
  max(axis?: Axes, keepDims = false): Variable {
    return reduce('max', this, axis, keepDims);
  }
  /** The minimum over `axis`; the gradient goes as `max`'s does (to `argmin`'s index along one axis). */
  min(axis?: Axes, keepDims = false): Variable {
    return reduce('min', this, axis, keepDims);
  }
  /** Limits to [min, max] (either may be omitted); the gradient is 1 inside, bounds included (PyTorch). */
  clamp(min?: number, max?: number): Variable {
    return record('clamp', [this], this.data.clamp(min, max), { min, max });
  }
  /** Not differentiable: the result never requires grad. */
  argmax(axis?: number, keepDims = false): Variable {
    return new Variable(this.data.argmax(axis, keepDims));
  }
  /** Not differentiable: the result never requires grad. */
  argmin(axis?: number, keepDims = false): Variable {
    return new Variable(this.data.argmin(axis, keepDims));
  }
  /** int32 positions that sort along `axis` (stable): not differentiable (`sort` gives values). */
  argsort(axis = -1, descending = false): Variable {
    return new Variable(this.data.argsort(axis, descending));
  }
  /** The running sum along `axis`; the gradient is the running sum of g from the end. */
  cumsum(axis: number): Variable {
    return record(
      'cumsum',
      [this],
      this.data.cumsum(axis),
      normAxis('cumsum', axis, Math.max(1, this.rank)),
    );
  }
  /** The running product along `axis`; its gradient is exact where x has zeros (as PyTorch's). */
  cumprod(axis: number): Variable {
    return record(
      'cumprod',
      [this],
      this.data.cumprod(axis),
      normAxis('cumprod', axis, Math.max(1, this.rank)),
    );
  }
  /** `cond ? this : other`, elementwise (PyTorch's `Tensor.where`); differentiable in both. */
  where(cond: Tensor | Variable, other: Operand): Variable {
    return where(cond, this, other);
  }
  /** This plus `src` added at `index` along `axis` (PyTorch's `scatter_add`); differentiable in both. */
  scatterAdd(axis: number, index: Tensor | Variable, src: Tensor | Variable): Variable {
    const s =
      src instanceof Variable
        ? scatterAdd(this.shape, axis, index, src)
        : new Variable(
            scatterAddTensor(this.shape, axis, index instanceof Variable ? index.data : index, src),
          );
    return this.add(s);
  }

  // ---- products, indexing (the views are in views.ts) ----------------------------------------

  /** NumPy matmul rules (batched, broadcast batch axes, 1-D operands), built from reshape and expand. */
  matmul(other: Operand): Variable {
    return matmul(this, other);
  }

  /** PyTorch's gather along `axis` with int32 `index`; differentiable in this variable. */
  gather(axis: number, index: Tensor | Variable): Variable {
    const idx = index instanceof Variable ? index.data : index;
    return record('gather', [this], this.data.gather(axis, idx), {
      axis: normAxis('gather', axis, this.rank),
      index: idx,
    });
  }
  /** To int32 or bool the result never requires grad (they carry no gradient, as in PyTorch). */
  cast(dtype: DType): Variable {
    if (dtype === this.dtype) return this;
    return !isFloat(dtype)
      ? new Variable(this.data.cast(dtype))
      : record('cast', [this], this.data.cast(dtype));
  }
}

/** Makes a Variable from a Tensor or data (`tensor()`'s inputs). */
export function variable(
  data: Tensor | Parameters<typeof tensor>[0],
  opts: { requiresGrad?: boolean; name?: string; dtype?: DType } = {},
): Variable {
  const t = data instanceof Tensor ? data : tensor(data, opts.dtype ? { dtype: opts.dtype } : {});
  return new Variable(t, opts.requiresGrad ?? false, opts.name);
}

/** A plain object of backward options (`{ createGraph: true }`), not a gradient. */
function isOptions(x: unknown): x is BackwardOptions {
  return (
    typeof x === 'object' &&
    x !== null &&
    !(x instanceof Variable) &&
    !(x instanceof Tensor) &&
    Object.keys(x).every((k) => k === 'retainGraph' || k === 'createGraph')
  );
}

for (const op of UNARY_OPS)
  Object.defineProperty(Variable.prototype, op, {
    value: function (this: Variable) {
      return record(op, [this], this.data[op]());
    },
  });
for (const op of BINARY_OPS)
  Object.defineProperty(Variable.prototype, op, {
    value: function (this: Variable, other: Operand) {
      const b = lift(other, this);
      const out = this.data[op](b.data);
      return isCompare(op) ? new Variable(out) : record(op, [this, b], out);
    },
  });
// a method the class defines itself (clamp: its own gradient rule) wins over the composite
for (const [name, fn] of Object.entries({ ...COMPOSITES, ...SELECT, ...INDEXING, ...VIEWS }))
  if (!Object.hasOwn(Variable.prototype, name))
    Object.defineProperty(Variable.prototype, name, {
      value: function (this: Variable, ...args: unknown[]) {
        return (fn as (...a: unknown[]) => Variable)(this, ...args);
      },
    });

/** Clears `.grad` of every variable (PyTorch's `zero_grad(set_to_none=True)`). */
export function zeroGrad(vars: Iterable<Variable>): void {
  for (const v of vars) v.zeroGrad();
}
