import { Variable, customFunction } from '@nablajs/autograd';
import {
  IndexError,
  NablaError,
  ShapeError,
  Tensor,
  fmtShape,
  full as fullTensor,
  sameShape,
} from '@nablajs/tensor';
import { type Input, Module, asVariable } from './module.js';

/** How a loss reduces its per-element values: their mean (default), their sum, or not at all. */
export type Reduction = 'mean' | 'sum' | 'none';

/** The option every loss has: how to reduce the per-element losses. */
export interface ReductionOptions {
  /** `'mean'` (default), `'sum'` or `'none'`. */
  reduction?: Reduction;
}

/** A class label outside 0..C−1 (PyTorch's "Target 10 is out of bounds"); the class lives in
 * `@nablajs/tensor`, which raises it for out-of-range indices too. */
export { IndexError };

/** Reduces per-element losses as `reduction` says (shared by the loss files). */
export function reduce(op: string, loss: Variable, reduction: Reduction = 'mean'): Variable {
  switch (reduction) {
    case 'mean':
      return loss.mean();
    case 'sum':
      return loss.sum();
    case 'none':
      return loss;
    default:
      throw new NablaError(
        op,
        `unknown reduction '${String(reduction)}'`,
        "use 'mean', 'sum' or 'none'",
      );
  }
}

/** The tensor of an input (shared by the loss files). */
export function tensorOf(x: Input): Tensor {
  return x instanceof Variable ? x.data : x;
}

/** Input and target must have one shape (shared by the loss files). */
export function checkSameShape(op: string, input: Variable, target: Variable): void {
  if (!sameShape(input.shape, target.shape))
    throw new ShapeError(
      op,
      `input ${fmtShape(input.shape)} and target ${fmtShape(target.shape)} differ`,
      'they must have one shape (broadcasting them, e.g. [N,1] against [N], is almost always a bug; reshape one)',
    );
}

/** Values of a tensor on a synchronous backend (the CPU); undefined elsewhere, where checks are
 * skipped (shared by the loss files). */
export function peek(t: Tensor): ArrayLike<number> | undefined {
  return t.backend.sync && t.backend.readSync ? t.dataSync() : undefined;
}

// ---- regression ------------------------------------------------------------------------------

/** Mean squared error: (input − target)², reduced. `reduction: 'sum'` is the lecture's Σ (PyTorch's old `size_average=False`). */
export function mseLoss(input: Input, target: Input, opts: ReductionOptions = {}): Variable {
  const x = asVariable(input);
  const t = asVariable(target);
  checkSameShape('mseLoss', x, t);
  return reduce('mseLoss', x.sub(t).square(), opts.reduction);
}

/** Options of `gaussianNllLoss` and `GaussianNLLLoss`. */
export interface GaussianNllOptions extends ReductionOptions {
  /** Add the constant ½·log 2π, giving the exact negative log-likelihood (default false, like PyTorch). */
  full?: boolean;
  /** Variances are clamped to at least `eps` (the gradient passes as if unclamped, like PyTorch). */
  eps?: number;
}

/**
 * The negative log-likelihood of `target` under N(input, var): ½·(log var + (input − target)² / var),
 * PyTorch's `gaussian_nll_loss`. This is the lecture's regression exercise: a network that predicts
 * the mean `input` (and, optionally, the variance β⁻¹ = `var`). `var` has input's shape, or input's
 * shape without or with 1 as its last axis (one variance per sample), or is a number.
 */
export function gaussianNllLoss(
  input: Input,
  target: Input,
  variance: Input | number,
  opts: GaussianNllOptions = {},
): Variable {
  const op = 'gaussianNllLoss';
  const { full = false, eps = 1e-6, reduction = 'mean' } = opts;
  const x = asVariable(input);
  const t = asVariable(target);
  checkSameShape(op, x, t);
  let v =
    typeof variance === 'number'
      ? new Variable(fullTensor(x.shape, variance, { dtype: x.dtype, backend: x.data.backend }))
      : asVariable(variance);
  if (!sameShape(v.shape, x.shape)) {
    const lead = x.shape.slice(0, -1);
    if (sameShape(v.shape, lead)) v = v.unsqueeze(-1);
    else if (!(x.rank > 0 && sameShape(v.shape.slice(0, -1), lead) && v.shape[v.rank - 1] === 1))
      throw new ShapeError(
        op,
        `var ${fmtShape(v.shape)} does not fit input ${fmtShape(x.shape)}`,
        `give var the input's shape, or ${fmtShape(lead)} / ${fmtShape([...lead, 1])} for one variance per sample`,
      );
  }
  const values = peek(v.data);
  if (values && Array.from(values).some((a) => a < 0))
    throw new NablaError(op, 'var has negative entries', 'variances must be ≥ 0');
  // clamp the value but not the gradient (PyTorch clamps in place under no_grad)
  const clamped = v.data.maximum(eps);
  const vc = v.add(clamped.sub(v.data));
  const loss = vc.log().add(x.sub(t).square().div(vc)).mul(0.5);
  return reduce(op, full ? loss.add(0.5 * Math.log(2 * Math.PI)) : loss, reduction);
}

// ---- binary classification -------------------------------------------------------------------

/** Options of `binaryCrossEntropy` and `BCELoss`. */
export interface BinaryOptions extends ReductionOptions {
  /** A rescaling weight broadcast against the per-element loss. */
  weight?: Tensor;
}

/** Elementwise BCE on probabilities, one node: the logs are clamped at −100, and the gradient
 * (p − t) / max(p(1 − p), ε) stays finite at p ∈ {0, 1}, as in PyTorch. */
// PyTorch's ε is the float 1e-12, i.e. 9.99999996e-13 even in float64
const BCE_EPS = Math.fround(1e-12);

const bceElementwise = customFunction({
  name: 'binaryCrossEntropy',
  forward(ctx, p, t) {
    const logP = p.log().maximum(-100);
    const log1mP = p.neg().add(1).log().maximum(-100);
    ctx.saveForBackward(p, t, logP, log1mP);
    return t.mul(logP.sub(log1mP)).add(log1mP).neg();
  },
  backward(ctx, g) {
    const [p, t, logP, log1mP] = ctx.saved as Tensor[];
    const gp = ctx.needsInputGrad[0]
      ? g.mul(p!.sub(t!)).div(p!.mul(p!.neg().add(1)).maximum(BCE_EPS))
      : null;
    const gt = ctx.needsInputGrad[1] ? g.mul(log1mP!.sub(logP!)) : null;
    return [gp, gt];
  },
});

/**
 * Binary cross-entropy between probabilities `input` (in [0, 1], e.g. after a sigmoid) and targets
 * in [0, 1]: −(t·log p + (1 − t)·log(1 − p)), each log clamped at −100 like PyTorch. Prefer
 * `binaryCrossEntropyWithLogits` on logits: it is stable.
 */
export function binaryCrossEntropy(
  input: Input,
  target: Input,
  opts: BinaryOptions = {},
): Variable {
  const op = 'binaryCrossEntropy';
  const x = asVariable(input);
  const t = asVariable(target);
  checkSameShape(op, x, t);
  const values = peek(x.data);
  if (values)
    for (let i = 0; i < values.length; i++)
      if (!(values[i]! >= 0 && values[i]! <= 1))
        throw new NablaError(
          op,
          `input ${values[i]} (at index ${i}) is not a probability in [0, 1]`,
          'apply a sigmoid first, or use binaryCrossEntropyWithLogits on logits',
        );
  const loss = bceElementwise(x, t.cast(x.dtype));
  return reduce(op, opts.weight ? loss.mul(opts.weight) : loss, opts.reduction);
}

/** Options of `binaryCrossEntropyWithLogits` and `BCEWithLogitsLoss`. */
export interface BinaryLogitsOptions extends BinaryOptions {
  /** A weight on the positive term, broadcast along the last (class) axis: > 1 raises recall. */
  posWeight?: Tensor;
}

/**
 * Sigmoid then binary cross-entropy in one stable expression on logits `input`:
 * (1 − t)·x + (1 + (pw − 1)·t)·softplus(−x), with softplus(−x) = max(−x, 0) + log(1 + e^−|x|).
 */
export function binaryCrossEntropyWithLogits(
  input: Input,
  target: Input,
  opts: BinaryLogitsOptions = {},
): Variable {
  const op = 'binaryCrossEntropyWithLogits';
  const x = asVariable(input);
  const t = asVariable(target).cast(x.dtype);
  checkSameShape(op, x, t);
  // maximum (not relu) splits the gradient at 0, so d/dx at x = 0 is exactly σ(0) − t
  const softplusNeg = x.neg().maximum(0).add(x.abs().neg().exp().log1p());
  const logWeight = opts.posWeight ? t.mul(asVariable(opts.posWeight).sub(1)).add(1) : undefined;
  let loss = t
    .neg()
    .add(1)
    .mul(x)
    .add(logWeight ? softplusNeg.mul(logWeight) : softplusNeg);
  if (opts.weight) loss = loss.mul(opts.weight);
  return reduce(op, loss, opts.reduction);
}

// ---- loss modules ----------------------------------------------------------------------------

/** A loss as a module: `forward(input, target)`. */
export abstract class Loss extends Module {
  /** The loss of `input` against `target`, reduced as the options say. */
  abstract override forward(input: Input, target: Input, ...rest: Input[]): Variable;
}

/**
 * A loss module made from a loss function `fn(input, target, opts)`: each call passes the options
 * the module was made with. The loss classes below are one line each on top of it.
 */
export abstract class FunctionLoss<O extends ReductionOptions> extends Loss {
  /** The loss function the module calls. */
  protected abstract readonly fn: (input: Input, target: Input, opts: O) => Variable;

  constructor(
    /** The options of every call. */
    readonly opts: O = {} as O,
  ) {
    super();
  }

  forward(input: Input, target: Input): Variable {
    return this.fn(input, target, this.opts);
  }
}

/** Mean squared error as a module; see `mseLoss`. */
export class MSELoss extends FunctionLoss<ReductionOptions> {
  protected readonly fn = mseLoss;
}

/** Binary cross-entropy of probabilities as a module; see `binaryCrossEntropy`. */
export class BCELoss extends FunctionLoss<BinaryOptions> {
  protected readonly fn = binaryCrossEntropy;
}

/** Binary cross-entropy from logits as a module; see `binaryCrossEntropyWithLogits`. */
export class BCEWithLogitsLoss extends FunctionLoss<BinaryLogitsOptions> {
  protected readonly fn = binaryCrossEntropyWithLogits;
}

/** `forward(input, target, var)`: see `gaussianNllLoss`. */
export class GaussianNLLLoss extends Loss {
  constructor(
    /** The options of every call. */
    readonly opts: GaussianNllOptions = {},
  ) {
    super();
  }
  /** The Gaussian negative log-likelihood of `target` under N(input, variance). */
  forward(input: Input, target: Input, variance: Input | number): Variable {
    return gaussianNllLoss(input, target, variance, this.opts);
  }
}
