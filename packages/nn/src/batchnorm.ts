import type { Variable } from '@nablajs/autograd';
import {
  type Backend,
  type DType,
  NablaError,
  ShapeError,
  type Tensor,
  fmtShape,
  getBackend,
  ones,
  zeros,
} from '@nablajs/tensor';
import { type Input, Module, Parameter, asVariable } from './module.js';

/** Options of `BatchNorm1d` and `BatchNorm2d`; the defaults are PyTorch's. */
export interface BatchNormOptions {
  /** Added to the variance before its square root (default 1e-5). */
  eps?: number;
  /**
   * The weight of each new batch in the running statistics (default 0.1):
   * `running = (1 − momentum)·running + momentum·batch`. `null` keeps a cumulative average instead
   * (the factor is 1/`num_batches_tracked`).
   */
  momentum?: number | null;
  /** Learn a per-channel scale `weight` (init 1) and shift `bias` (init 0) (default true). */
  affine?: boolean;
  /**
   * Keep running estimates of mean and variance during training and normalize with them in
   * evaluation (default true). Without, batch statistics are used in both modes.
   */
  trackRunningStats?: boolean;
  /** float32 (default) or float64 (CPU backend), for the parameters and the running statistics. */
  dtype?: DType;
  /** The backend of the parameters and buffers (default: the one chosen with `useBackend`). */
  backend?: Backend;
}

/** Options of the functional `batchNorm`; the defaults are PyTorch's `F.batch_norm`'s. */
export interface BatchNormFunctionalOptions {
  /** Per-channel scale γ, [C] (default none: 1). */
  weight?: Variable | null;
  /** Per-channel shift β, [C] (default none: 0). */
  bias?: Variable | null;
  /** Normalize with the batch's statistics and update the running ones (default false). */
  training?: boolean;
  /**
   * The weight of the batch in the running statistics (default 0.1); a scalar tensor is accepted
   * too (a cumulative average's 1/count, which need not be read back from a GPU).
   */
  momentum?: number | Tensor;
  /** Added to the variance before its square root (default 1e-5). */
  eps?: number;
  /** The layer to name in errors (default `batchNorm`). */
  name?: string;
}

/**
 * Batch normalization of `input` [N, C, …] over every axis but 1 (PyTorch's `F.batch_norm`). With
 * `training`, the batch's mean and biased variance normalize, and `runningMean`/`runningVar` ([C],
 * when given) are updated in place: `running = (1 − momentum)·running + momentum·batch`, with the
 * unbiased variance (×n/(n − 1), n values per channel). Otherwise the running statistics normalize.
 * Differentiable in `input`, `weight` and `bias`, to any order.
 */
export function batchNorm(
  input: Input,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  opts: BatchNormFunctionalOptions = {},
): Variable {
  const { weight, bias, training = false, momentum = 0.1, eps = 1e-5, name = 'batchNorm' } = opts;
  const v = asVariable(input);
  if (v.rank < 2) throw new ShapeError(name, `expected input [N, C, …], got ${fmtShape(v.shape)}`);
  const C = v.shape[1]!;
  for (const [what, t] of [
    ['runningMean', runningMean],
    ['runningVar', runningVar],
    ['weight', weight],
    ['bias', bias],
  ] as const)
    if (t && (t.shape.length !== 1 || t.shape[0] !== C))
      throw new ShapeError(
        name,
        `${what} ${fmtShape(t.shape)} does not match the ${C} channels of input ${fmtShape(v.shape)}`,
      );
  const axes = [0, ...Array.from({ length: v.rank - 2 }, (_, i) => i + 2)];
  const bshape = v.shape.map((s, i) => (i === 1 ? s : 1));
  let centred: Variable;
  let invStd: Variable | Tensor;
  if (training || !runningMean || !runningVar) {
    const n = v.size / C;
    if (training && n <= 1)
      throw new ShapeError(
        name,
        `expected more than 1 value per channel when training, got input ${fmtShape(v.shape)}`,
        'use a batch of at least 2, or eval()',
      );
    const mean = v.mean(axes, true);
    centred = v.sub(mean);
    const variance = centred.square().mean(axes, true);
    invStd = variance.add(eps).sqrt().reciprocal();
    if (training && runningMean && runningVar) {
      const f = typeof momentum === 'number' ? momentum : momentum.cast(runningMean.dtype);
      const keep = typeof f === 'number' ? 1 - f : f.neg().add(1);
      const update = (running: Tensor, batch: Tensor) =>
        running.assign(running.mul(keep).add(batch.reshape([C]).mul(f)));
      update(runningMean, mean.data);
      update(runningVar, variance.data.mul(n / (n - 1)));
    }
  } else {
    centred = v.sub(runningMean.reshape(bshape));
    invStd = runningVar.add(eps).sqrt().reciprocal().reshape(bshape);
  }
  const scaled = weight ? centred.mul(weight.reshape(bshape).mul(invStd)) : centred.mul(invStd);
  return bias ? scaled.add(bias.reshape(bshape)) : scaled;
}

/**
 * Batch normalization (Ioffe and Szegedy 2015) over axis 1 (the channels): in training,
 * `y = (x − mean) / √(var + eps) · weight + bias` with the mean and the biased variance of the batch
 * over every other axis, and the running statistics updated with the unbiased variance; in
 * evaluation, the running statistics replace the batch's. Composed of differentiable ops.
 */
export abstract class BatchNorm extends Module {
  /** The per-channel scale γ, [numFeatures] (init 1); null without `affine`. */
  readonly weight: Parameter | null = null;
  /** The per-channel shift β, [numFeatures] (init 0); null without `affine`. */
  readonly bias: Parameter | null = null;
  /** Added to the variance before its square root. */
  readonly eps: number;
  /** The weight of each new batch in the running statistics; null for a cumulative average. */
  readonly momentum: number | null;
  /** Whether `weight` and `bias` are learned. */
  readonly affine: boolean;
  /** Whether running statistics are kept and used in evaluation. */
  readonly trackRunningStats: boolean;

  constructor(
    /** The number of channels C (axis 1 of the input). */
    readonly numFeatures: number,
    opts: BatchNormOptions = {},
  ) {
    super();
    const name = this.constructor.name;
    if (!Number.isInteger(numFeatures) || numFeatures < 1)
      throw new ShapeError(name, `numFeatures must be a positive integer, got ${numFeatures}`);
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    if (!(this.eps >= 0)) throw new NablaError(name, `eps must be ≥ 0, got ${this.eps}`);
    if (this.momentum !== null && !(this.momentum >= 0 && this.momentum <= 1))
      throw new NablaError(name, `momentum must be in [0, 1] or null, got ${this.momentum}`);
    this.affine = opts.affine ?? true;
    this.trackRunningStats = opts.trackRunningStats ?? true;
    const dtype = opts.dtype ?? 'float32';
    const backend = opts.backend ?? getBackend(name);
    const c = { dtype, backend };
    if (this.affine) {
      this.weight = new Parameter(ones([numFeatures], c), true, 'weight');
      this.bias = new Parameter(zeros([numFeatures], c), true, 'bias');
    }
    const track = this.trackRunningStats;
    this.registerBuffer('running_mean', track ? zeros([numFeatures], c) : null);
    this.registerBuffer('running_var', track ? ones([numFeatures], c) : null);
    this.registerBuffer(
      'num_batches_tracked',
      track ? zeros([], { dtype: 'int32', backend }) : null,
    );
  }

  /** The running mean, [numFeatures] (buffer `running_mean`); null without `trackRunningStats`. */
  get runningMean(): Tensor | null {
    return this.getBuffer('running_mean') ?? null;
  }
  /** The running unbiased variance, [numFeatures] (buffer `running_var`); null when not tracked. */
  get runningVar(): Tensor | null {
    return this.getBuffer('running_var') ?? null;
  }
  /** The number of training batches seen, an int32 scalar (buffer `num_batches_tracked`). */
  get numBatchesTracked(): Tensor | null {
    return this.getBuffer('num_batches_tracked') ?? null;
  }

  /** The layer in errors, e.g. `BatchNorm2d(16)`. */
  private get label(): string {
    return `${this.constructor.name}(${this.numFeatures})`;
  }

  /** Sets the running statistics back to mean 0, variance 1, no batches. */
  resetRunningStats(): void {
    this.runningMean?.assign(0);
    this.runningVar?.assign(1);
    this.numBatchesTracked?.assign(0);
  }

  /** The input ranks the layer accepts. */
  protected abstract readonly ranks: readonly number[];
  /** How the accepted inputs read, e.g. `[N, C] or [N, C, L]`, for errors. */
  protected abstract readonly layout: string;

  /** Normalizes `x` ([N, C, …]) per channel; see the class description. */
  forward(x: Input): Variable {
    const v = asVariable(x);
    const C = this.numFeatures;
    if (!this.ranks.includes(v.rank) || v.shape[1] !== C)
      throw new ShapeError(
        this.label,
        `expected input ${this.layout.replaceAll('C', String(C))}, got ${fmtShape(v.shape)}`,
        v.rank >= 2 && this.ranks.includes(v.rank)
          ? `axis 1 holds the channels: ${v.shape[1]} here, ${C} expected`
          : undefined,
      );
    const count = this.numBatchesTracked;
    let momentum: number | Tensor = this.momentum ?? 0;
    if (this.training && count) {
      count.assign(count.add(1));
      // the cumulative factor 1/count stays a tensor, so no read of the GPU is needed
      if (this.momentum === null) momentum = count.cast(v.dtype).reciprocal();
    }
    return batchNorm(v, this.runningMean, this.runningVar, {
      weight: this.weight,
      bias: this.bias,
      training: this.training || !this.runningMean,
      momentum,
      eps: this.eps,
      name: this.label,
    });
  }

  protected override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.affine}, trackRunningStats=${this.trackRunningStats}`;
  }
}

/**
 * Batch normalization of [N, C] or [N, C, L] inputs over the batch (and length), per feature C
 * (PyTorch's `nn.BatchNorm1d`). State-dict keys: `weight`, `bias`, `running_mean`, `running_var`,
 * `num_batches_tracked`.
 */
export class BatchNorm1d extends BatchNorm {
  protected readonly ranks = [2, 3];
  protected readonly layout = '[N, C] or [N, C, L]';
}

/**
 * Batch normalization of [N, C, H, W] inputs over batch, height and width, per channel C
 * (PyTorch's `nn.BatchNorm2d`). State-dict keys: `weight`, `bias`, `running_mean`, `running_var`,
 * `num_batches_tracked`.
 */
export class BatchNorm2d extends BatchNorm {
  protected readonly ranks = [4];
  protected readonly layout = '[N, C, H, W]';
}
