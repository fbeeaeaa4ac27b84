import { softmaxCrossEntropy, type Variable } from '@nablajs/autograd';
import {
  DTypeError,
  IndexError,
  NablaError,
  ShapeError,
  type Tensor,
  fmtShape,
  sameShape,
} from '@nablajs/tensor';
import {
  FunctionLoss,
  type Reduction,
  type ReductionOptions,
  peek,
  reduce,
  tensorOf,
} from './losses.js';
import { type Input, asVariable } from './module.js';

// Classification losses on class indices or probabilities: nllLoss and crossEntropy (with class
// weights, ignoreIndex and label smoothing, PyTorch's semantics), and their modules.

/** Options of `nllLoss` and `NLLLoss` (and, extended, of cross-entropy). */
export interface ClassificationOptions extends ReductionOptions {
  /** A rescaling weight per class, [C]: each sample's loss is multiplied by its class's weight, and
   * `mean` divides by the sum of those weights (as in PyTorch). */
  weight?: Tensor;
  /** A label that contributes nothing (loss 0, left out of the mean): PyTorch's `ignore_index`,
   * −100 by default. Applies to class-index targets. */
  ignoreIndex?: number;
}

/** Options of `crossEntropy` and `CrossEntropyLoss`. */
export interface CrossEntropyOptions extends ClassificationOptions {
  /** Mixes the target with the uniform distribution: (1 − ε)·target + ε/C (default 0). */
  labelSmoothing?: number;
}

/** The class axis: 1 for [N, C, …], 0 for a single sample [C]. */
const classAxis = (x: Variable) => (x.rank === 1 ? 0 : 1);

/** Checks the labels' shape and, where they can be read at once (see `peek`), their range; returns
 * whether one of them is `ignore` (undefined where they cannot be read), for `ignored`, so that a
 * batch's labels are read and scanned once. */
function checkLabels(
  op: string,
  input: Variable,
  target: Tensor,
  ignore = IGNORE,
): boolean | undefined {
  if (input.rank === 0)
    throw new ShapeError(
      op,
      'input must have a class axis, got a scalar',
      'pass scores of shape [N, C] or [C]',
    );
  const ax = classAxis(input);
  const expected = input.shape.filter((_, i) => i !== ax);
  if (!sameShape(target.shape, expected))
    throw new ShapeError(
      op,
      `target ${fmtShape(target.shape)} does not fit input ${fmtShape(input.shape)}`,
      `class indices need shape ${fmtShape(expected)} (input without its class axis ${ax}), probabilities ${fmtShape(input.shape)}`,
    );
  const C = input.shape[ax]!;
  const labels = peek(target);
  if (!labels) return undefined;
  let some = false;
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (label === ignore) some = true;
    else if (label < 0 || label >= C)
      throw new IndexError(
        op,
        `target label ${label} (at index ${i}) is out of range for ${C} classes`,
        `labels must be integers in 0..${C - 1}`,
      );
  }
  return some;
}

/** PyTorch's default `ignore_index`. */
const IGNORE = -100;

/** The bool mask of the labels kept, and the labels with the ignored ones replaced by 0. */
interface Skip {
  keep: Tensor;
  safe: Tensor;
}

/**
 * Where labels equal `ignore`: undefined when none does (`some`, known on a synchronous backend),
 * else the bool mask of the labels kept and the labels with the ignored ones replaced by 0 (any
 * class).
 */
function ignored(target: Tensor, ignore: number, some: boolean | undefined): Skip | undefined {
  if (some === false) return undefined;
  const keep = target.ne(ignore);
  return { keep, safe: target.where(keep, 0) };
}

/** `weight` [C] shaped to broadcast along the class axis of `input`. */
function classWeight(op: string, input: Variable, weight: Tensor): Tensor {
  const ax = classAxis(input);
  const C = input.shape[ax]!;
  if (weight.rank !== 1 || weight.shape[0] !== C)
    throw new ShapeError(
      op,
      `weight ${fmtShape(weight.shape)} must have one entry per class, [${C}]`,
    );
  return weight.reshape(input.shape.map((d, i) => (i === ax ? C : 1)));
}

/** Σ_c w_c·x_c over the class axis, keeping the others. */
function classSum(x: Variable, input: Variable): Variable {
  return x.sum(classAxis(input));
}

/** The per-sample −w_y·input_y, the per-sample weights w_y (ones when unweighted), and the
 * ignored labels (`ignored`). */
function pickTarget(
  op: string,
  input: Variable,
  target: Tensor,
  weight: Tensor | undefined,
  ignore = IGNORE,
): [Variable, Tensor | undefined, Skip | undefined] {
  const ax = classAxis(input);
  const skip = ignored(target, ignore, checkLabels(op, input, target, ignore));
  const labels = skip?.safe ?? target;
  let picked = input.gather(ax, labels.unsqueeze(ax)).squeeze(ax).neg();
  if (skip) picked = picked.where(skip.keep, 0);
  if (weight && (weight.rank !== 1 || weight.shape[0] !== input.shape[ax]))
    throw new ShapeError(
      op,
      `weight ${fmtShape(weight.shape)} must have one entry per class, [${input.shape[ax]}]`,
    );
  const w = weight?.gather(0, labels.reshape([-1])).reshape(target.shape);
  // an ignored label weighs 0: left out of the mean's denominator
  const kept = skip ? (w ?? skip.keep.cast(input.dtype)).where(skip.keep, 0) : w;
  return [w ? picked.mul(kept!) : picked, kept, skip];
}

/** Reduction for class-index targets: `mean` divides by the summed weights of the targets. */
function reduceWeighted(
  op: string,
  loss: Variable,
  w: Tensor | undefined,
  reduction: Reduction = 'mean',
): Variable {
  if (reduction === 'mean' && w) return loss.sum().div(w.sum());
  return reduce(op, loss, reduction);
}

function targetKind(op: string, input: Variable, target: Input): 'index' | 'probability' {
  const t = tensorOf(target);
  if (t.dtype === 'int32') return 'index';
  if (sameShape(t.shape, input.shape)) return 'probability';
  throw new DTypeError(
    op,
    `target ${fmtShape(t.shape)} ${t.dtype} is neither int32 class indices nor probabilities of input's shape ${fmtShape(input.shape)}`,
    "make class labels int32, e.g. labels.cast('int32')",
  );
}

/**
 * The negative log-likelihood of class labels, given log-probabilities `input` [N, C] (or [C], or
 * [N, C, d1, …]) and int32 labels `target` [N] (or [], or [N, d1, …]): −input[i, target[i]], reduced.
 */
export function nllLoss(input: Input, target: Input, opts: ClassificationOptions = {}): Variable {
  const op = 'nllLoss';
  const x = asVariable(input);
  const t = tensorOf(target);
  if (t.dtype !== 'int32')
    throw new DTypeError(
      op,
      `target must be int32 class indices, got ${t.dtype}`,
      "use labels.cast('int32')",
    );
  const [loss, w] = pickTarget(op, x, t, opts.weight, opts.ignoreIndex);
  return reduceWeighted(op, loss, w, opts.reduction);
}

/**
 * Cross-entropy from logits (unnormalised scores) `input`, shape [N, C]: the loss of each row is
 * −log softmax(input)[target], computed with a max-shifted log-softmax, so logits of ±1000 stay
 * finite. `target` is int32 class indices [N], or class probabilities [N, C] (PyTorch 1.10+).
 * Labels outside 0..C−1 raise an IndexError: at once on synchronous backends (the CPU), on WebGPU
 * when the loss or a tensor computed from it is read.
 */
export function crossEntropy(
  input: Input,
  target: Input,
  opts: CrossEntropyOptions = {},
): Variable {
  const op = 'crossEntropy';
  const x = asVariable(input);
  if (x.rank === 0)
    throw new ShapeError(
      op,
      'input must have a class axis, got a scalar',
      'pass logits of shape [N, C] or [C]',
    );
  const { labelSmoothing: eps = 0, weight, reduction = 'mean' } = opts;
  if (!(eps >= 0 && eps <= 1))
    throw new NablaError(op, `labelSmoothing must be in [0, 1], got ${eps}`);
  const ignore = opts.ignoreIndex ?? IGNORE;
  if (x.rank === 2 && eps === 0 && !weight && targetKind(op, x, target) === 'index') {
    // the common case, one fused node: logits [N, C], class indices [N]
    const t = tensorOf(target);
    const skip = ignored(t, ignore, checkLabels(op, x, t, ignore));
    if (!skip)
      return reduction === 'mean' || reduction === 'sum'
        ? softmaxCrossEntropy(x, t, reduction) // reduced inside the one node
        : reduce(op, softmaxCrossEntropy(x, t), reduction);
    const loss = softmaxCrossEntropy(x, skip.safe).where(skip.keep, 0);
    return reduceWeighted(op, loss, skip.keep.cast(x.dtype), reduction);
  }
  const ax = classAxis(x);
  const C = x.shape[ax]!;
  const logp = x.logSoftmax(ax);
  const cw = weight ? classWeight(op, x, weight) : undefined;
  if (targetKind(op, x, target) === 'probability') {
    let p = asVariable(target);
    if (eps > 0) p = p.mul(1 - eps).add(eps / C);
    const terms = logp.mul(p);
    const loss = classSum(cw ? terms.mul(cw) : terms, x).neg();
    // mean over samples (not over the weights), as in PyTorch
    return reduce(op, loss, reduction);
  }
  const t = tensorOf(target);
  const [nll, w, skip] = pickTarget(op, logp, t, weight, ignore);
  const nllReduced = reduceWeighted(op, nll, w, reduction);
  if (eps === 0) return nllReduced;
  // PyTorch: (1 − ε)·nll + ε/C·Σ_c −w_c·log p_c, the second term reduced like the first
  let smooth = classSum(cw ? logp.mul(cw) : logp, x).neg();
  if (skip) smooth = smooth.where(skip.keep, 0);
  return nllReduced.mul(1 - eps).add(reduceWeighted(op, smooth, w, reduction).mul(eps / C));
}

/** Cross-entropy from logits as a module; see `crossEntropy`. */
export class CrossEntropyLoss extends FunctionLoss<CrossEntropyOptions> {
  protected readonly fn = crossEntropy;
}

/** Negative log-likelihood of log-probabilities as a module; see `nllLoss`. */
export class NLLLoss extends FunctionLoss<ClassificationOptions> {
  protected readonly fn = nllLoss;
}
