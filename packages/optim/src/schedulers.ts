import { OptimizerError, checkFinite, checkKeys, checkNonNegative } from './errors.js';
import { type LROptimizer, LRScheduler, type LRSchedulerOptions } from './lr-scheduler.js';

/** A learning-rate factor as a function of the epoch (`LambdaLR`). */
export type LrLambda = (epoch: number) => number;

/** One value for every group, or the same for all. */
function perGroup<T>(op: string, name: string, opt: LROptimizer, v: T | readonly T[]): T[] {
  const n = opt.paramGroups?.length ?? 0;
  if (!Array.isArray(v)) return Array.from({ length: n }, () => v as T);
  if (v.length !== n)
    throw new OptimizerError(
      op,
      `expected ${n} values for ${name}, one per parameter group, got ${v.length}`,
    );
  return [...(v as readonly T[])];
}

/**
 * Sets each group's rate to its initial rate times `lrLambda(epoch)` (PyTorch's `LambdaLR`); one
 * function for all groups or one per group. The functions are not part of the state dict.
 *
 * ```ts
 * new LambdaLR(opt, { lrLambda: (e) => Math.min(1, (e + 1) / warmup) })
 * ```
 */
export class LambdaLR extends LRScheduler {
  /** One factor function per group. */
  readonly lrLambdas: LrLambda[];
  protected readonly optionKeys = [] as const;

  constructor(
    optimizer: LROptimizer,
    options: { lrLambda: LrLambda | readonly LrLambda[] } & LRSchedulerOptions,
  ) {
    checkKeys('LambdaLR', options, ['lrLambda', 'lastEpoch']);
    const fns = perGroup('LambdaLR', 'lrLambda', optimizer, options.lrLambda);
    if (fns.length === 0 || fns.some((f) => typeof f !== 'function'))
      throw new OptimizerError(
        'LambdaLR',
        'lrLambda must be a function of the epoch, or one per group',
      );
    super('LambdaLR', optimizer, options);
    this.lrLambdas = fns;
    this.initialStep();
  }

  protected getLr(): number[] {
    return this.baseLrs.map((b, i) => b * this.lrLambdas[i]!(this.lastEpoch));
  }
}

/** Multiplies the rate by `gamma` at each milestone epoch (PyTorch's `MultiStepLR`; a milestone
 * given twice multiplies by gamma²). */
export class MultiStepLR extends LRScheduler {
  /** The epochs at which the rate decays, sorted. */
  milestones: number[];
  /** The factor of each decay (default 0.1). */
  gamma: number;
  protected readonly optionKeys = ['milestones', 'gamma'] as const;

  constructor(
    optimizer: LROptimizer,
    options: { milestones: readonly number[]; gamma?: number } & LRSchedulerOptions,
  ) {
    checkKeys('MultiStepLR', options, ['milestones', 'gamma', 'lastEpoch']);
    const ms = options.milestones;
    if (!Array.isArray(ms) || ms.some((m) => !Number.isInteger(m)))
      throw new OptimizerError(
        'MultiStepLR',
        `invalid milestones: ${String(ms)}`,
        'pass integer epochs, e.g. [30, 80]',
      );
    const gamma = checkNonNegative('MultiStepLR', 'gamma', options.gamma ?? 0.1);
    super('MultiStepLR', optimizer, options);
    this.milestones = [...ms].sort((a, b) => a - b);
    this.gamma = gamma;
    this.initialStep();
  }

  protected getLr(): number[] {
    const hits = this.milestones.filter((m) => m === this.lastEpoch).length;
    const lrs = this.optimizer.paramGroups.map((g) => g.lr);
    return hits === 0 ? lrs : lrs.map((lr) => lr * this.gamma ** hits);
  }

  protected override closedFormLr(): number[] {
    const passed = this.milestones.filter((m) => m <= this.lastEpoch).length;
    return this.baseLrs.map((b) => b * this.gamma ** passed);
  }
}

/**
 * Scales the rate by a factor going linearly from `startFactor` to `endFactor` over `totalIters`
 * epochs, then keeps it (PyTorch's `LinearLR`): the usual warmup.
 */
export class LinearLR extends LRScheduler {
  /** The factor at epoch 0 (default 1/3). */
  startFactor: number;
  /** The factor from epoch `totalIters` on (default 1). */
  endFactor: number;
  /** Epochs from the start factor to the end factor (default 5). */
  totalIters: number;
  protected readonly optionKeys = ['startFactor', 'endFactor', 'totalIters'] as const;

  constructor(
    optimizer: LROptimizer,
    options: {
      startFactor?: number;
      endFactor?: number;
      totalIters?: number;
    } & LRSchedulerOptions = {},
  ) {
    checkKeys('LinearLR', options, ['startFactor', 'endFactor', 'totalIters', 'lastEpoch']);
    const { startFactor = 1 / 3, endFactor = 1, totalIters = 5 } = options;
    for (const [name, f] of [
      ['startFactor', startFactor],
      ['endFactor', endFactor],
    ] as const)
      if (typeof f !== 'number' || !(f >= 0 && f <= 1))
        throw new OptimizerError(
          'LinearLR',
          `invalid ${name}: ${String(f)}`,
          `${name} must be in [0, 1]`,
        );
    if (!Number.isInteger(totalIters) || totalIters < 1)
      throw new OptimizerError(
        'LinearLR',
        `invalid totalIters: ${totalIters}`,
        'a positive number of epochs',
      );
    super('LinearLR', optimizer, options);
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = totalIters;
    this.initialStep();
  }

  protected getLr(): number[] {
    const { lastEpoch: e, startFactor: s, endFactor: f, totalIters: n } = this;
    const lrs = this.optimizer.paramGroups.map((g) => g.lr);
    if (e === 0) return lrs.map((lr) => lr * s);
    if (e > n) return lrs;
    return lrs.map((lr) => lr * (1 + (f - s) / (n * s + (e - 1) * (f - s))));
  }

  protected override closedFormLr(): number[] {
    const { lastEpoch: e, startFactor: s, endFactor: f, totalIters: n } = this;
    return this.baseLrs.map((b) => b * (s + ((f - s) * Math.min(n, e)) / n));
  }
}

/** Options of `OneCycleLR` (PyTorch's, in camelCase). */
export interface OneCycleLROptions extends LRSchedulerOptions {
  /** The peak rate, or one per group. */
  maxLr: number | readonly number[];
  /** Steps in the cycle; or give `epochs` and `stepsPerEpoch`. */
  totalSteps?: number;
  /** Epochs, with `stepsPerEpoch`, instead of `totalSteps`. */
  epochs?: number;
  /** Steps per epoch, with `epochs`. */
  stepsPerEpoch?: number;
  /** The fraction of the cycle spent increasing the rate (default 0.3). */
  pctStart?: number;
  /** `'cos'` (default) or `'linear'` annealing. */
  annealStrategy?: 'cos' | 'linear';
  /** Cycle momentum (SGD's `momentum`, Adam's β₁) inversely to the rate (default true). */
  cycleMomentum?: boolean;
  /** The lowest momentum, at the peak rate (default 0.85), or one per group. */
  baseMomentum?: number | readonly number[];
  /** The highest momentum, at the ends (default 0.95), or one per group. */
  maxMomentum?: number | readonly number[];
  /** The initial rate is maxLr/divFactor (default 25). */
  divFactor?: number;
  /** The final rate is the initial rate/finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  /** A third phase: back down to the initial rate, then annihilate (default false). */
  threePhase?: boolean;
}

type Phase = { end: number; lr: [string, string]; mom: [string, string] };

/**
 * The 1cycle policy (Smith & Topin 2018; PyTorch's `OneCycleLR`): the rate rises from maxLr/divFactor
 * to maxLr over `pctStart` of the steps, then anneals to maxLr/(divFactor·finalDivFactor), with
 * momentum cycling the other way. Step it after every batch; stepping past `totalSteps` raises.
 * Each group's `initialLr` is set to maxLr/divFactor.
 */
export class OneCycleLR extends LRScheduler {
  /** The number of steps in the cycle. */
  totalSteps: number;
  /** The fraction of the cycle spent increasing the rate. */
  pctStart: number;
  /** `'cos'` or `'linear'`. */
  annealStrategy: 'cos' | 'linear';
  /** Whether momentum cycles. */
  cycleMomentum: boolean;
  /** Whether there are three phases. */
  threePhase: boolean;
  /** Per group: the peak rate. */
  maxLrs: number[];
  /** Per group: the final rate. */
  minLrs: number[];
  /** Per group: the highest momentum. */
  maxMomentums: number[];
  /** Per group: the lowest momentum. */
  baseMomentums: number[];
  protected readonly optionKeys = [
    'totalSteps', 'pctStart', 'annealStrategy', 'cycleMomentum', 'threePhase', 'maxLrs', 'minLrs',
    'maxMomentums', 'baseMomentums',
  ] as const; // prettier-ignore

  constructor(optimizer: LROptimizer, options: OneCycleLROptions) {
    const op = 'OneCycleLR';
    checkKeys(op, options, [
      'maxLr', 'totalSteps', 'epochs', 'stepsPerEpoch', 'pctStart', 'annealStrategy', 'cycleMomentum',
      'baseMomentum', 'maxMomentum', 'divFactor', 'finalDivFactor', 'threePhase', 'lastEpoch',
    ]); // prettier-ignore
    const posInt = (name: string, v: unknown) => {
      if (!Number.isInteger(v) || (v as number) <= 0)
        throw new OptimizerError(op, `expected a positive integer ${name}, got ${String(v)}`);
      return v as number;
    };
    let total: number;
    if (options.totalSteps !== undefined) total = posInt('totalSteps', options.totalSteps);
    else if (options.epochs !== undefined || options.stepsPerEpoch !== undefined)
      total = posInt('epochs', options.epochs) * posInt('stepsPerEpoch', options.stepsPerEpoch);
    else
      throw new OptimizerError(
        op,
        'you must define either totalSteps or (epochs and stepsPerEpoch)',
      );
    const pct = options.pctStart ?? 0.3;
    if (typeof pct !== 'number' || !(pct >= 0 && pct <= 1))
      throw new OptimizerError(op, `expected pctStart between 0 and 1, got ${String(pct)}`);
    const anneal = options.annealStrategy ?? 'cos';
    if (anneal !== 'cos' && anneal !== 'linear')
      throw new OptimizerError(
        op,
        `annealStrategy must be 'cos' or 'linear', got ${String(anneal)}`,
      );
    const div = checkFinite(op, 'divFactor', options.divFactor ?? 25);
    const finalDiv = checkFinite(op, 'finalDivFactor', options.finalDivFactor ?? 1e4);
    const maxLrs = perGroup(op, 'maxLr', optimizer, options.maxLr).map((v) =>
      checkNonNegative(op, 'maxLr', v),
    );
    const cycle = options.cycleMomentum ?? true;
    const groups = (optimizer?.paramGroups ?? []) as unknown as Record<string, unknown>[];
    if (cycle && groups.some((g) => !('betas' in g) && !('momentum' in g)))
      throw new OptimizerError(
        op,
        'the optimizer must have momentum (or betas) with cycleMomentum',
        'pass cycleMomentum: false',
      );
    const fresh = (options.lastEpoch ?? -1) === -1;
    if (fresh) optimizer.paramGroups.forEach((g, i) => (g.initialLr = maxLrs[i]! / div));
    super(op, optimizer, options);
    this.totalSteps = total;
    this.pctStart = pct;
    this.annealStrategy = anneal;
    this.cycleMomentum = cycle;
    this.threePhase = options.threePhase ?? false;
    this.maxLrs = maxLrs;
    this.minLrs = this.baseLrs.map((b) => b / finalDiv);
    this.maxMomentums = perGroup(op, 'maxMomentum', optimizer, options.maxMomentum ?? 0.95);
    this.baseMomentums = perGroup(op, 'baseMomentum', optimizer, options.baseMomentum ?? 0.85);
    if (cycle && fresh) groups.forEach((g, i) => this.setMomentum(g, this.maxMomentums[i]!));
    this.initialStep();
  }

  private phases(): Phase[] {
    const n = this.totalSteps;
    const up = this.pctStart * n - 1;
    if (!this.threePhase)
      return [
        { end: up, lr: ['initial', 'max'], mom: ['max', 'base'] },
        { end: n - 1, lr: ['max', 'min'], mom: ['base', 'max'] },
      ];
    return [
      { end: up, lr: ['initial', 'max'], mom: ['max', 'base'] },
      { end: 2 * this.pctStart * n - 2, lr: ['max', 'initial'], mom: ['base', 'max'] },
      { end: n - 1, lr: ['initial', 'min'], mom: ['max', 'max'] },
    ];
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === 'linear') return (end - start) * pct + start;
    return end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
  }

  private setMomentum(g: Record<string, unknown>, m: number): void {
    if ('betas' in g) g.betas = [m, (g.betas as [number, number])[1]];
    else g.momentum = m;
  }

  protected getLr(): number[] {
    const step = this.lastEpoch;
    if (step > this.totalSteps)
      throw new OptimizerError(
        'OneCycleLR',
        `tried to step ${step + 1} times; the specified number of total steps is ${this.totalSteps}`,
        'make totalSteps (or epochs·stepsPerEpoch) cover every step() call',
      );
    const phases = this.phases();
    const groups = this.optimizer.paramGroups as unknown as Record<string, unknown>[];
    return groups.map((g, i) => {
      const value = {
        initial: this.baseLrs[i]!,
        max: this.maxLrs[i]!,
        min: this.minLrs[i]!,
      } as Record<string, number>;
      const mom = { max: this.maxMomentums[i]!, base: this.baseMomentums[i]! } as Record<
        string,
        number
      >;
      let start = 0;
      for (let k = 0; k < phases.length; k++) {
        const p = phases[k]!;
        if (step <= p.end || k === phases.length - 1) {
          const pct = (step - start) / (p.end - start);
          if (this.cycleMomentum)
            this.setMomentum(g, this.anneal(mom[p.mom[0]]!, mom[p.mom[1]]!, pct));
          return this.anneal(value[p.lr[0]]!, value[p.lr[1]]!, pct);
        }
        start = p.end;
      }
      return NaN; // unreachable: the last phase always matches
    });
  }
}
