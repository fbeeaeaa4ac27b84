import type { Variable } from '@nablajs/autograd';
import { NablaError, ShapeError, fmtShape } from '@nablajs/tensor';
import {
  FunctionLoss,
  Loss,
  type Reduction,
  type ReductionOptions,
  checkSameShape,
  reduce,
} from './losses.js';
import { type Input, asVariable } from './module.js';

// Regression, divergence and ranking losses, each PyTorch's formula written with differentiable
// ops (where for the branches, so that a branch not taken passes no gradient, NaN included).

/** Mean absolute error: |input − target|, reduced (PyTorch's `l1_loss`). */
export function l1Loss(input: Input, target: Input, opts: ReductionOptions = {}): Variable {
  const x = asVariable(input);
  const t = asVariable(target);
  checkSameShape('l1Loss', x, t);
  return reduce('l1Loss', x.sub(t).abs(), opts.reduction);
}

/** Options of `smoothL1Loss` and `SmoothL1Loss`. */
export interface SmoothL1Options extends ReductionOptions {
  /** Where the loss turns from quadratic to linear (default 1; 0 gives the L1 loss). */
  beta?: number;
}

/** ½d²/β where |d| < β, else |d| − ½β, with d = input − target (PyTorch's `smooth_l1_loss`). */
export function smoothL1Loss(input: Input, target: Input, opts: SmoothL1Options = {}): Variable {
  const op = 'smoothL1Loss';
  const { beta = 1 } = opts;
  if (!(beta >= 0)) throw new NablaError(op, `beta must be ≥ 0, got ${beta}`);
  const x = asVariable(input);
  const t = asVariable(target);
  checkSameShape(op, x, t);
  const a = x.sub(t).abs();
  if (beta === 0) return reduce(op, a, opts.reduction);
  return reduce(
    op,
    a
      .square()
      .mul(0.5 / beta)
      .where(a.lt(beta), a.sub(0.5 * beta)),
    opts.reduction,
  );
}

/** Options of `huberLoss` and `HuberLoss`. */
export interface HuberOptions extends ReductionOptions {
  /** Where the loss turns from quadratic to linear (default 1). */
  delta?: number;
}

/** ½d² where |d| < δ, else δ(|d| − ½δ), with d = input − target (PyTorch's `huber_loss`). */
export function huberLoss(input: Input, target: Input, opts: HuberOptions = {}): Variable {
  const op = 'huberLoss';
  const { delta = 1 } = opts;
  if (!(delta > 0)) throw new NablaError(op, `delta must be > 0, got ${delta}`);
  const x = asVariable(input);
  const t = asVariable(target);
  checkSameShape(op, x, t);
  const a = x.sub(t).abs();
  return reduce(
    op,
    a
      .square()
      .mul(0.5)
      .where(a.lt(delta), a.sub(0.5 * delta).mul(delta)),
    opts.reduction,
  );
}

/** Options of `klDivLoss` and `KLDivLoss`. */
export interface KLDivOptions {
  /** 'mean' (over every element, PyTorch's default), 'batchmean' (the sum over the batch size:
   * the true KL divergence per sample), 'sum' or 'none'. */
  reduction?: Reduction | 'batchmean';
  /** The target is given as log-probabilities too (default false: probabilities). */
  logTarget?: boolean;
}

/**
 * The Kullback–Leibler divergence of the target from the model, PyTorch's `kl_div`: `input` holds
 * log-probabilities, `target` probabilities (or, with `logTarget`, log-probabilities); the
 * pointwise loss is t·(log t − input), 0 where t = 0.
 */
export function klDivLoss(input: Input, target: Input, opts: KLDivOptions = {}): Variable {
  const op = 'klDivLoss';
  const x = asVariable(input);
  const t = asVariable(target);
  checkSameShape(op, x, t);
  const loss = opts.logTarget
    ? t.exp().mul(t.sub(x))
    : t.mul(t.where(t.gt(0), 1).log()).sub(t.mul(x)); // xlogy(t, t) − t·x
  if (opts.reduction === 'batchmean') return loss.sum().div(x.rank ? x.shape[0]! : 1);
  return reduce(op, loss, opts.reduction);
}

/** Options of `marginRankingLoss` and `cosineEmbeddingLoss`. */
export interface MarginOptions extends ReductionOptions {
  /** The margin (default 0). */
  margin?: number;
}

/** max(0, −y·(x1 − x2) + margin): y = 1 asks x1 to rank above x2, y = −1 below (PyTorch's). */
export function marginRankingLoss(
  input1: Input,
  input2: Input,
  target: Input,
  opts: MarginOptions = {},
): Variable {
  const op = 'marginRankingLoss';
  const [a, b, y] = [asVariable(input1), asVariable(input2), asVariable(target)];
  checkSameShape(op, a, b);
  checkSameShape(op, a, y);
  return reduce(
    op,
    y
      .neg()
      .mul(a.sub(b))
      .add(opts.margin ?? 0)
      .clamp(0),
    opts.reduction,
  );
}

/**
 * 1 − cos(x1, x2) where y = 1, max(0, cos(x1, x2) − margin) where y = −1, the cosine taken along
 * the last axis of [N, D] (or [D]) inputs, as PyTorch's `cosine_embedding_loss` (its ε = 1e−12
 * added to each squared norm).
 */
export function cosineEmbeddingLoss(
  input1: Input,
  input2: Input,
  target: Input,
  opts: MarginOptions = {},
): Variable {
  const op = 'cosineEmbeddingLoss';
  const [a, b, y] = [asVariable(input1), asVariable(input2), asVariable(target)];
  checkSameShape(op, a, b);
  const rows = a.shape.slice(0, -1);
  if (
    a.rank < 1 ||
    a.rank > 2 ||
    y.shape.length !== rows.length ||
    y.shape.some((d, i) => d !== rows[i])
  )
    throw new ShapeError(
      op,
      `inputs ${fmtShape(a.shape)} and target ${fmtShape(y.shape)} do not fit`,
      'inputs are [N, D] (or [D]) and the target [N] (or []) of 1 and −1',
    );
  const EPS = 1e-12;
  const dot = a.mul(b).sum(-1);
  const cos = dot.div(a.square().sum(-1).add(EPS).mul(b.square().sum(-1).add(EPS)).sqrt());
  const pos = cos.neg().add(1).where(y.eq(1), 0);
  const neg = cos
    .sub(opts.margin ?? 0)
    .clamp(0)
    .where(y.eq(-1), 0);
  return reduce(op, pos.add(neg), opts.reduction);
}

/** Mean absolute error as a module; see `l1Loss`. */
export class L1Loss extends FunctionLoss<ReductionOptions> {
  protected readonly fn = l1Loss;
}

/** Smooth L1 as a module; see `smoothL1Loss`. */
export class SmoothL1Loss extends FunctionLoss<SmoothL1Options> {
  protected readonly fn = smoothL1Loss;
}

/** Huber loss as a module; see `huberLoss`. */
export class HuberLoss extends FunctionLoss<HuberOptions> {
  protected readonly fn = huberLoss;
}

/** KL divergence as a module; see `klDivLoss`. */
export class KLDivLoss extends FunctionLoss<KLDivOptions & ReductionOptions> {
  protected readonly fn = klDivLoss as (
    i: Input,
    t: Input,
    o: KLDivOptions & ReductionOptions,
  ) => Variable;
  constructor(opts: KLDivOptions = {}) {
    super(opts as KLDivOptions & ReductionOptions);
  }
}

/** A loss of two inputs and a ±1 target: `forward(input1, input2, target)`. */
export abstract class PairLoss extends Loss {
  /** The loss function the module calls. */
  protected abstract readonly fn: (a: Input, b: Input, y: Input, o: MarginOptions) => Variable;
  constructor(
    /** The options of every call. */
    readonly opts: MarginOptions = {},
  ) {
    super();
  }
  /** The loss of `input1` against `input2` for the ±1 `target`. */
  forward(input1: Input, input2: Input, target: Input): Variable {
    return this.fn(input1, input2, target, this.opts);
  }
}

/** Margin ranking loss as a module; see `marginRankingLoss`. */
export class MarginRankingLoss extends PairLoss {
  protected readonly fn = marginRankingLoss;
}

/** Cosine embedding loss as a module; see `cosineEmbeddingLoss`. */
export class CosineEmbeddingLoss extends PairLoss {
  protected readonly fn = cosineEmbeddingLoss;
}
