import {
  type Axes,
  BINARY_OPS,
  type BinaryOp,
  COMPOSITES,
  type CompositeMethods,
  type DType,
  type SliceSpec,
  ShapeError,
  Tensor,
  type TypedArray,
  type UnaryMethods,
  UNARY_OPS,
  broadcastShapes,
  isCompare,
  concat as concatTensors,
  linear as linearTensor,
  softmaxCrossEntropy as softmaxCrossEntropyTensor,
  scatterAdd as scatterAddTensor,
  where as whereTensor,
  zeros as zerosTensor,
  fmtShape,
  normAxes,
  normAxis,
  sameShape,
  tensor,
} from '@nablajs/tensor';
import { isGradEnabled } from './mode.js';
import { FunctionNode } from './node.js';
import { type DiffOp, type OpParams, RULES } from './rules.js';
import { backward, type BackwardOptions } from './engine.js';

/** What a Variable's binary ops accept: a Variable, or a Tensor or number taken as a constant. */
export type Operand = Variable | Tensor | number;
/** A gradient hook (`registerHook`): sees ∂loss/∂v, and may return a Variable to use instead. */
export type Hook = (grad: Variable) => Variable | void;

type OperandMethods = { [K in BinaryOp]: (other: Operand) => Variable };
export interface Variable
  extends UnaryMethods<Variable>, OperandMethods, CompositeMethods<Variable> {}

/**
 * A node of the computation graph holding a value (`data`), the gradient of a loss with respect to
 * it (`grad`, filled by `backward`) and the function node that created it (`gradFn`; null for
 * leaves). Operations mirror the Tensor API and record the graph when an input requires grad.
 */
export class Variable {
  /** ∂loss/∂this, filled (and summed over uses) by `backward()`; null before, or after `zeroGrad()`. */
  grad: Tensor | null = null;
  /** The function node that made this variable; null for a leaf (an input or a parameter). */
  gradFn: FunctionNode | null = null;
  private label: string | undefined;
  /** @internal */ _hooks: Hook[] = [];
  /** @internal */ _retainsGrad = false;

  constructor(
    /** The value. Replacing or assigning it does not record anything in the graph. */
    public data: Tensor,
    /** Whether gradients flow to this variable; ops on it then record function nodes. */
    public requiresGrad = false,
    name?: string,
  ) {
    this.name = name;
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

  /** Back-propagates from this variable; a non-scalar needs `gradient` (∂loss/∂this). */
  backward(gradient?: Operand, opts: BackwardOptions = {}): void {
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

  /** Clears `.grad`. */
  zeroGrad(): void {
    this.grad = null;
  }

  /** The value of a one-element variable (`await loss.item()`). */
  async item(): Promise<number> {
    return this.data.item();
  }
  /** The elements of `data`, row-major, in a new typed array. */
  async values(): Promise<TypedArray> {
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
  /** The maximum over `axis`; the gradient goes to the maximal entries (split between ties). */
  max(axis?: Axes, keepDims = false): Variable {
    return reduce('max', this, axis, keepDims);
  }
  /** The minimum over `axis`; the gradient goes to the minimal entries (split between ties). */
  min(axis?: Axes, keepDims = false): Variable {
    return reduce('min', this, axis, keepDims);
  }
  /** Not differentiable: the result never requires grad. */
  argmax(axis?: number, keepDims = false): Variable {
    return new Variable(this.data.argmax(axis, keepDims));
  }
  /** Not differentiable: the result never requires grad. */
  argmin(axis?: number, keepDims = false): Variable {
    return new Variable(this.data.argmin(axis, keepDims));
  }

  // ---- products, views, indexing -------------------------------------------------------------

  /** NumPy matmul rules (batched, broadcast batch axes, 1-D operands), built from reshape and expand. */
  matmul(other: Operand): Variable {
    const b = lift(other, this);
    const a2 = this.rank === 1 ? this.reshape([1, this.shape[0]!]) : this;
    const b2 = b.rank === 1 ? b.reshape([b.shape[0]!, 1]) : b;
    if (a2.rank < 2 || b2.rank < 2) return record('matmul', [this, b], this.data.matmul(b.data)); // lets Tensor raise
    const batch = broadcastShapes('matmul', a2.shape.slice(0, -2), b2.shape.slice(0, -2));
    // expand only where batch axes broadcast: no extra graph node (nor nameless copy) otherwise
    const fit = (v: Variable) => {
      const shape = [...batch, ...v.shape.slice(-2)];
      return sameShape(v.shape, shape) ? v : v.expand(shape);
    };
    const ae = fit(a2);
    const be = fit(b2);
    const out = record('matmul', [ae, be], ae.data.matmul(be.data));
    if (this.rank > 1 && b.rank > 1) return out;
    const shape = [
      ...batch,
      ...(this.rank === 1 ? [] : [a2.shape[a2.rank - 2]!]),
      ...(b.rank === 1 ? [] : [b2.shape[b2.rank - 1]!]),
    ];
    return out.reshape(shape);
  }

  /** The same elements in `shape` (one entry may be -1). */
  reshape(shape: readonly number[]): Variable {
    return record('reshape', [this], this.data.reshape(shape));
  }
  /** Reorders axes: `permute(1, 0)` transposes a matrix. */
  permute(...axes: number[]): Variable {
    const out = this.data.permute(...axes);
    return record(
      'permute',
      [this],
      out,
      axes.map((a) => normAxis('permute', a, this.rank)),
    );
  }
  /** Swaps two axes, the last two by default. */
  transpose(a = -2, b = -1): Variable {
    if (this.rank < 2) return this.reshape(this.shape);
    const order = Array.from({ length: this.rank }, (_, i) => i);
    const i = normAxis('transpose', a, this.rank);
    const j = normAxis('transpose', b, this.rank);
    [order[i], order[j]] = [order[j]!, order[i]!];
    return this.permute(...order);
  }
  /** Broadcasts to `shape`; the gradient sums over the broadcast axes. */
  expand(shape: readonly number[]): Variable {
    return record('expand', [this], this.data.expand(shape));
  }
  /** The same as `expand`. */
  broadcastTo(shape: readonly number[]): Variable {
    return this.expand(shape);
  }
  /** A strided slice, as `Tensor.slice`; the gradient is scattered back into zeros. */
  slice(specs: readonly SliceSpec[]): Variable {
    return record('slice', [this], this.data.slice(specs), specs);
  }
  /** Drops size-1 axes (all of them, or the ones named). */
  squeeze(axes?: Axes): Variable {
    return this.reshape(this.data.squeeze(axes).shape);
  }
  /** Inserts a size-1 axis at `axis`. */
  unsqueeze(axis: number): Variable {
    const a = normAxis('unsqueeze', axis, this.rank + 1);
    return this.reshape([...this.shape.slice(0, a), 1, ...this.shape.slice(a)]);
  }
  /** Merges axes `start..end` (inclusive) into one. */
  flatten(start = 0, end = -1): Variable {
    return this.reshape(this.data.flatten(start, end).shape);
  }
  /** The same value in row-major storage. */
  contiguous(): Variable {
    return record('reshape', [this], this.data.contiguous());
  }
  /** PyTorch's gather along `axis` with int32 `index`; differentiable in this variable. */
  gather(axis: number, index: Tensor | Variable): Variable {
    const idx = index instanceof Variable ? index.data : index;
    return record('gather', [this], this.data.gather(axis, idx), {
      axis: normAxis('gather', axis, this.rank),
      index: idx,
    });
  }
  /** To int32 the result never requires grad (integers carry no gradient, as in PyTorch). */
  cast(dtype: DType): Variable {
    if (dtype === this.dtype) return this;
    return dtype === 'int32'
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

/** Wraps a Tensor or number as a constant Variable (numbers take `like`'s dtype). */
export function lift(x: Operand, like: Variable): Variable {
  if (x instanceof Variable) return x;
  if (x instanceof Tensor) return new Variable(x);
  const dtype = like.dtype === 'int32' && !Number.isInteger(x) ? 'float32' : like.dtype;
  return new Variable(tensor(x, { dtype, backend: like.data.backend }));
}

/** Wraps `out` and, when grad mode is on and an input requires grad, records the node that made it. */
export function record<K extends DiffOp>(
  op: K,
  inputs: readonly Variable[],
  out: Tensor,
  ...params: OpParams<K>
): Variable {
  const v = new Variable(out);
  if (isGradEnabled() && inputs.some((i) => i.requiresGrad)) {
    v.requiresGrad = true;
    v.gradFn = new FunctionNode(op, inputs, v, params[0], (g, xs, y, needs) =>
      RULES[op](g, xs, y, needs, ...params),
    );
  }
  return v;
}

function reduce(
  op: 'sum' | 'max' | 'min',
  x: Variable,
  axis: Axes | undefined,
  keepDims: boolean,
): Variable {
  const axes = normAxes(op, axis, x.rank);
  return record(op, [x], x.data[op](axes, keepDims), { axes, keepDims });
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
for (const [name, fn] of Object.entries(COMPOSITES))
  Object.defineProperty(Variable.prototype, name, {
    value: function (this: Variable, ...args: unknown[]) {
      return (fn as (...a: unknown[]) => Variable)(this, ...args);
    },
  });

/** Elementwise `cond ? a : b`, differentiable in a and b. */
export function where(cond: Tensor | Variable, a: Operand, b: Operand): Variable {
  const c = cond instanceof Variable ? cond.data : cond;
  const like =
    a instanceof Variable ? a : b instanceof Variable ? b : new Variable(c.cast('float32'));
  const av = lift(a, like);
  const bv = lift(b, like);
  return record('where', [av, bv], whereTensor(c, av.data, bv.data), c);
}

/** y = x·wᵀ + b (PyTorch's `F.linear`), one node whose backward gives ∂w directly as [out, in]. */
export function linear(x: Operand, w: Variable, b?: Variable): Variable {
  const xv = lift(x, w);
  return record('linear', b ? [xv, w, b] : [xv, w], linearTensor(xv.data, w.data, b?.data));
}

/** −log softmax(logits)[i, labels[i]] per row (logits [N, C], int32 labels [N]): one node, fused
 * where the backend has the kernel, with gradient (softmax − onehot)·g. */
export function softmaxCrossEntropy(logits: Variable, labels: Tensor | Variable): Variable {
  const l = labels instanceof Variable ? labels.data : labels;
  return record('softmaxCrossEntropy', [logits], softmaxCrossEntropyTensor(logits.data, l), l);
}

/** Joins variables along an existing axis. */
export function concat(xs: readonly Variable[], axis = 0): Variable {
  if (xs.length === 0) throw new ShapeError('concat', 'needs at least one variable');
  const ax = normAxis('concat', axis, xs[0]!.rank);
  return record(
    'concat',
    xs,
    concatTensors(
      xs.map((x) => x.data),
      ax,
    ),
    ax,
  );
}

/** Joins variables along a new axis. */
export function stack(xs: readonly Variable[], axis = 0): Variable {
  if (xs.length === 0) throw new ShapeError('stack', 'needs at least one variable');
  const ax = normAxis('stack', axis, xs[0]!.rank + 1);
  return concat(
    xs.map((x) => x.unsqueeze(ax)),
    ax,
  );
}

/** Zeros of `shape`, then out[i][index[i][j]] += src[i][j] (axis 1); differentiable in src. */
export function scatterAdd(
  shape: readonly number[],
  axis: number,
  index: Tensor,
  src: Variable,
): Variable {
  const ax = normAxis('scatterAdd', axis, shape.length);
  return record('scatterAdd', [src], scatterAddTensor(shape, ax, index, src.data), {
    axis: ax,
    index,
  });
}

/** Reverse of `slice`: zeros of `shape` with `x` written where `slice(specs)` would read. */
export function unslice(
  x: Variable,
  shape: readonly number[],
  specs: readonly SliceSpec[],
): Variable {
  const base = zerosTensor(shape, { dtype: x.dtype, backend: x.data.backend });
  const view = base.slice(specs);
  if (view.shape.length !== x.rank || view.shape.some((d, i) => d !== x.shape[i]))
    throw new ShapeError(
      'unslice',
      `${fmtShape(x.shape)} does not fit slice ${fmtShape(view.shape)} of ${fmtShape(shape)}`,
    );
  view.assign(x.data);
  view.dispose();
  return record('unslice', [x], base, specs);
}

/** Clears `.grad` of every variable (PyTorch's `zero_grad(set_to_none=True)`). */
export function zeroGrad(vars: Iterable<Variable>): void {
  for (const v of vars) v.grad = null;
}
