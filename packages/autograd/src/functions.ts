import {
  NablaError,
  ShapeError,
  type SliceSpec,
  Tensor,
  concat as concatTensors,
  fmtShape,
  fusedLayerNorm as fusedLayerNormTensor,
  fusedSoftmax as fusedSoftmaxTensor,
  linear as linearTensor,
  normAxis,
  scatterAdd as scatterAddTensor,
  softmaxCrossEntropy as softmaxCrossEntropyTensor,
  where as whereTensor,
  zeros as zerosTensor,
} from '@nablajs/tensor';
import type { CrossEntropyReduction } from './params.js';
import { type Operand, Variable, lift, record } from './variable.js';

// The free functions of autograd. Each takes Tensors and Variables alike, as one name should: with
// a Variable among its arguments it records the graph and returns a Variable (Tensors are
// constants); with Tensors only it is the Tensor function and returns a Tensor. The umbrella
// package exports these under the same names as @nablajs/tensor's, so `where` is right for both.

const isVar = (x: unknown): x is Variable => x instanceof Variable;
const valueOf = (x: Tensor | Variable): Tensor => (x instanceof Variable ? x.data : x);

/** Elementwise `cond ? a : b` (cond bool), broadcasting; differentiable in a and b. */
export function where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor;
export function where(cond: Variable, a: Operand, b: Operand): Variable;
export function where(cond: Tensor | Variable, a: Variable, b: Operand): Variable;
export function where(cond: Tensor | Variable, a: Operand, b: Variable): Variable;
export function where(cond: Tensor | Variable, a: Operand, b: Operand): Tensor | Variable;
export function where(cond: Tensor | Variable, a: Operand, b: Operand): Tensor | Variable {
  const c = valueOf(cond);
  if (!isVar(cond) && !isVar(a) && !isVar(b)) return whereTensor(c, a, b);
  const like = isVar(a) ? a : isVar(b) ? b : new Variable(c.cast('float32'));
  const av = lift(a, like);
  const bv = lift(b, like);
  return record('where', [av, bv], whereTensor(c, av.data, bv.data), c);
}

/** y = x·wᵀ + b (PyTorch's `F.linear`); with a Variable, one node whose backward gives ∂w as [out, in]. */
export function linear(x: Tensor, w: Tensor, b?: Tensor): Tensor;
export function linear(x: Operand, w: Variable, b?: Variable | Tensor): Variable;
export function linear(x: Variable, w: Variable | Tensor, b?: Variable | Tensor): Variable;
export function linear(x: Operand, w: Variable | Tensor, b?: Variable | Tensor): Tensor | Variable;
export function linear(x: Operand, w: Variable | Tensor, b?: Variable | Tensor): Tensor | Variable {
  if (!isVar(x) && !isVar(w) && !isVar(b) && typeof x !== 'number')
    return linearTensor(x, w as Tensor, b as Tensor | undefined);
  const wv = isVar(w) ? w : new Variable(w);
  const xv = lift(x, wv);
  const bv = b === undefined ? undefined : isVar(b) ? b : new Variable(b);
  return record('linear', bv ? [xv, wv, bv] : [xv, wv], linearTensor(xv.data, wv.data, bv?.data));
}

/** −log softmax(logits)[i, labels[i]] per row (logits [N, C], int32 labels [N]): one node, fused
 * where the backend has the kernel, with gradient (softmax − onehot)·g. `reduction` 'mean' or 'sum'
 * reduces the rows' losses inside the node (a scalar), as a loss usually is: the same values as
 * `.mean()` or `.sum()` after it, without their two nodes. */
export function softmaxCrossEntropy(
  logits: Tensor,
  labels: Tensor | Variable,
  reduction?: CrossEntropyReduction,
): Tensor;
export function softmaxCrossEntropy(
  logits: Variable,
  labels: Tensor | Variable,
  reduction?: CrossEntropyReduction,
): Variable;
export function softmaxCrossEntropy(
  logits: Tensor | Variable,
  labels: Tensor | Variable,
  reduction?: CrossEntropyReduction,
): Tensor | Variable;
export function softmaxCrossEntropy(
  logits: Tensor | Variable,
  labels: Tensor | Variable,
  reduction: CrossEntropyReduction = 'none',
): Tensor | Variable {
  if (reduction !== 'none' && reduction !== 'mean' && reduction !== 'sum')
    throw new NablaError(
      'softmaxCrossEntropy',
      `unknown reduction '${String(reduction)}'`,
      "use 'mean', 'sum' or 'none'",
    );
  const l = valueOf(labels);
  const loss = reduced(softmaxCrossEntropyTensor(valueOf(logits), l), reduction);
  if (!isVar(logits)) return loss;
  return record('softmaxCrossEntropy', [logits], loss, { labels: l, reduction });
}

/** The rows' losses [N] reduced; the rows go back at once. */
function reduced(rows: Tensor, reduction: CrossEntropyReduction): Tensor {
  if (reduction === 'none') return rows;
  const loss = reduction === 'mean' ? rows.mean() : rows.sum();
  rows.dispose();
  return loss;
}

/** Joins tensors or variables along an existing axis (Tensors among Variables are constants). */
export function concat(xs: readonly Tensor[], axis?: number): Tensor;
export function concat(xs: readonly Variable[], axis?: number): Variable;
export function concat(xs: readonly (Tensor | Variable)[], axis?: number): Tensor | Variable;
export function concat(xs: readonly (Tensor | Variable)[], axis = 0): Tensor | Variable {
  if (xs.length === 0) throw new ShapeError('concat', 'needs at least one tensor or variable');
  if (!xs.some(isVar)) return concatTensors(xs as readonly Tensor[], axis);
  const vs = xs.map((x) => (isVar(x) ? x : new Variable(x)));
  const ax = normAxis('concat', axis, vs[0]!.rank);
  return record(
    'concat',
    vs,
    concatTensors(
      vs.map((x) => x.data),
      ax,
    ),
    ax,
  );
}

/** Joins tensors or variables along a new axis. */
export function stack(xs: readonly Tensor[], axis?: number): Tensor;
export function stack(xs: readonly Variable[], axis?: number): Variable;
export function stack(xs: readonly (Tensor | Variable)[], axis?: number): Tensor | Variable;
export function stack(xs: readonly (Tensor | Variable)[], axis = 0): Tensor | Variable {
  if (xs.length === 0) throw new ShapeError('stack', 'needs at least one tensor or variable');
  const ax = normAxis('stack', axis, xs[0]!.rank + 1);
  if (!xs.some(isVar)) {
    const views = (xs as readonly Tensor[]).map((t) => t.unsqueeze(ax));
    try {
      return concatTensors(views, ax);
    } finally {
      for (const v of views) v.dispose();
    }
  }
  return concat(
    xs.map((x) => (isVar(x) ? x : new Variable(x)).unsqueeze(ax)),
    ax,
  );
}

/** Zeros of `shape`, then out[i][index[i][j]] += src[i][j] (axis 1); differentiable in a Variable src. */
export function scatterAdd(
  shape: readonly number[],
  axis: number,
  index: Tensor | Variable,
  src: Tensor,
): Tensor;
export function scatterAdd(
  shape: readonly number[],
  axis: number,
  index: Tensor | Variable,
  src: Variable,
): Variable;
export function scatterAdd(
  shape: readonly number[],
  axis: number,
  index: Tensor | Variable,
  src: Tensor | Variable,
): Tensor | Variable;
export function scatterAdd(
  shape: readonly number[],
  axis: number,
  index: Tensor | Variable,
  src: Tensor | Variable,
): Tensor | Variable {
  const idx = valueOf(index);
  if (!isVar(src)) return scatterAddTensor(shape, axis, idx, src);
  const ax = normAxis('scatterAdd', axis, shape.length);
  return record('scatterAdd', [src], scatterAddTensor(shape, ax, idx, src.data), {
    axis: ax,
    index: idx,
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

/**
 * softmax over the last axis as one node (one kernel each way where the backend has them): a row of
 * −∞ gives zeros, not NaN, as attention with every key masked needs; gradient y·(g − Σ g·y).
 */
export function fusedSoftmax(x: Variable): Variable {
  return record('fusedSoftmax', [x], fusedSoftmaxTensor(x.data));
}

/** (x − mean)/√(var + eps) over the last axis (biased variance) as one node, one kernel each way
 * where the backend has them: layer normalization without its scale and shift. */
export function fusedLayerNorm(x: Variable, eps: number): Variable {
  return record('fusedLayerNorm', [x], fusedLayerNormTensor(x.data, eps), eps);
}
