import { OptimizerError, checkFinite, checkKeys, checkNonNegative } from './errors.js';

/** What a scheduler needs of an optimizer: its groups' learning rates (any `Optimizer` has them). */
export interface LROptimizer {
  /** The parameter groups, whose `lr` the scheduler writes. */
  readonly paramGroups: {
    /** The group's learning rate. */
    lr: number;
    /** The rate the schedule starts from; set by the scheduler's constructor. */
    initialLr?: number;
  }[];
}

/** Options every scheduler takes. */
export interface LRSchedulerOptions {
  /** The index of the last epoch, to resume a schedule (default -1: start afresh). Resuming needs
   * `initialLr` in every group, as restored by `optimizer.loadStateDict`. */
  lastEpoch?: number;
}

/** A scheduler's state: the counters and learning rates every scheduler keeps, plus its own options. */
export interface LRSchedulerStateDict {
  /** Epochs stepped so far. */
  lastEpoch: number;
  /** Calls of `step()`, the one in the constructor included. */
  stepCount: number;
  /** Each group's initial learning rate. */
  baseLrs: number[];
  /** The learning rates the last `step()` set. */
  lastLr: number[];
  [option: string]: number | number[] | string | boolean;
}

/**
 * Base class of the learning-rate schedulers (PyTorch's `_LRScheduler`): call `step()` once per
 * epoch, after `optimizer.step()`; it writes each group's `lr`. A subclass computes the next rates
 * in `getLr()` and calls `initialStep()` at the end of its constructor.
 */
export abstract class LRScheduler {
  /** Each group's `initialLr`. */
  baseLrs: number[];
  /** Epochs stepped so far; 0 after construction. */
  lastEpoch: number;
  /** Calls of `step()`, the one in the constructor included. */
  protected stepCount = 0;
  private lastLr: number[] = [];

  constructor(
    /** The class name used in error messages. */
    readonly name: string,
    /** The optimizer whose learning rates this scheduler sets. */
    readonly optimizer: LROptimizer,
    options: LRSchedulerOptions,
  ) {
    if (!optimizer || !Array.isArray(optimizer.paramGroups))
      throw new OptimizerError(
        name,
        `expected an optimizer, got ${String(optimizer)}`,
        `pass one, e.g. new ${name}(new SGD(params, { lr: 0.1 }), …)`,
      );
    const lastEpoch = options.lastEpoch ?? -1;
    if (!Number.isInteger(lastEpoch) || lastEpoch < -1)
      throw new OptimizerError(
        name,
        `invalid lastEpoch: ${lastEpoch}`,
        'lastEpoch is -1 (start) or the index of the last epoch run',
      );
    if (lastEpoch === -1) for (const g of optimizer.paramGroups) g.initialLr ??= g.lr;
    else
      optimizer.paramGroups.forEach((g, i) => {
        if (g.initialLr === undefined)
          throw new OptimizerError(
            name,
            `parameter group ${i} has no initialLr to resume from (lastEpoch ${lastEpoch})`,
            "restore the optimizer's stateDict first, or start with lastEpoch -1",
          );
      });
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr!);
    this.lastEpoch = lastEpoch;
  }

  /** The learning rates for epoch `lastEpoch` (already advanced), from the groups' current rates
   * where the schedule is chainable (PyTorch 1.13's `get_lr`). */
  protected abstract getLr(): number[];

  /** The learning rates at epoch `lastEpoch` from `baseLrs` alone (PyTorch's `_get_closed_form_lr`),
   * for the schedulers that have one; `step(epoch)` uses it. */
  protected closedFormLr?(): number[];

  /** The step every scheduler takes when it is built (epoch 0), counts reset (PyTorch's
   * `_initial_step`; `SequentialLR` takes it again for its first scheduler). */
  initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /**
   * Advances one epoch and writes the new learning rates into the optimizer's groups. With `epoch`,
   * PyTorch's deprecated form: jumps to that epoch, computing the rates in closed form where the
   * scheduler has one (`SequentialLR` restarts a scheduler so, at 0).
   */
  step(epoch?: number): void {
    const n = this.optimizer.paramGroups.length;
    if (n !== this.baseLrs.length)
      throw new OptimizerError(
        this.name,
        `the optimizer has ${n} parameter groups, the scheduler was built for ${this.baseLrs.length}`,
        'build the scheduler after adding parameter groups',
      );
    this.stepCount++;
    if (epoch === undefined) this.lastEpoch++;
    else this.lastEpoch = checkFinite(this.name, 'epoch', epoch);
    const lrs = epoch !== undefined && this.closedFormLr ? this.closedFormLr() : this.getLr();
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = lrs[i]!));
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The learning rates the last `step()` set, one per group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Option names a subclass saves in its state dict. */
  protected abstract readonly optionKeys: readonly string[];

  /** The scheduler's counters, rates and options, to save with a checkpoint. */
  stateDict(): LRSchedulerStateDict {
    const sd: LRSchedulerStateDict = {
      lastEpoch: this.lastEpoch,
      stepCount: this.stepCount,
      baseLrs: [...this.baseLrs],
      lastLr: [...this.lastLr],
    };
    for (const k of this.optionKeys) {
      const v = (this as unknown as Record<string, LRSchedulerStateDict[string]>)[k]!;
      sd[k] = Array.isArray(v) ? [...v] : v;
    }
    return sd;
  }

  /** Restores a `stateDict()` of a scheduler of the same kind (the optimizer's rates come from the
   * optimizer's own state dict). */
  loadStateDict(sd: LRSchedulerStateDict): void {
    const keys = ['lastEpoch', 'stepCount', 'baseLrs', 'lastLr', ...this.optionKeys];
    if (sd === null || typeof sd !== 'object')
      throw new OptimizerError(
        this.name,
        'loadStateDict: expected an object',
        'pass what stateDict() returned',
      );
    checkKeys(this.name, sd, keys, 'state key');
    for (const k of keys)
      if (!(k in sd))
        throw new OptimizerError(
          this.name,
          `loadStateDict: '${k}' is missing`,
          'pass what stateDict() returned',
        );
    const n = this.optimizer.paramGroups.length;
    for (const k of ['baseLrs', 'lastLr'] as const) {
      const v = sd[k];
      if (!Array.isArray(v) || v.length !== n || !v.every((x) => typeof x === 'number'))
        throw new OptimizerError(
          this.name,
          `loadStateDict: ${k} must hold ${n} numbers, one per parameter group`,
          'load it for an optimizer with the same groups',
        );
    }
    this.lastEpoch = checkFinite(this.name, 'lastEpoch', sd.lastEpoch);
    this.stepCount = checkFinite(this.name, 'stepCount', sd.stepCount);
    this.baseLrs = [...sd.baseLrs];
    this.lastLr = [...sd.lastLr];
    const self = this as unknown as Record<string, LRSchedulerStateDict[string]>;
    for (const k of this.optionKeys) self[k] = sameKind(this.name, k, self[k]!, sd[k]);
  }
}

/** `value` checked to be of the kind of `current`: a finite number, an array of them, a string or
 * a boolean (a state dict is untrusted input). */
function sameKind<T extends LRSchedulerStateDict[string]>(
  op: string,
  key: string,
  current: T,
  value: unknown,
): T {
  if (typeof current === 'number') return checkFinite(op, key, value) as T;
  const ok = Array.isArray(current)
    ? Array.isArray(value) && value.every((x) => typeof x === 'number' && Number.isFinite(x))
    : typeof value === typeof current;
  if (!ok)
    throw new OptimizerError(
      op,
      `loadStateDict: invalid ${key}: ${String(value)}`,
      'pass what stateDict() returned',
    );
  return (Array.isArray(value) ? [...value] : value) as T;
}

/** Multiplies the learning rate by `gamma` every `stepSize` epochs. */
export class StepLR extends LRScheduler {
  /** Epochs between two decays. */
  stepSize: number;
  /** The factor of each decay (default 0.1). */
  gamma: number;
  protected readonly optionKeys = ['stepSize', 'gamma'] as const;

  constructor(
    optimizer: LROptimizer,
    options: { stepSize: number; gamma?: number } & LRSchedulerOptions,
  ) {
    checkKeys('StepLR', options, ['stepSize', 'gamma', 'lastEpoch']);
    if (!Number.isInteger(options.stepSize) || options.stepSize < 1)
      throw new OptimizerError(
        'StepLR',
        `invalid stepSize: ${options.stepSize}`,
        'stepSize must be a positive integer (epochs between decays)',
      );
    const gamma = checkNonNegative('StepLR', 'gamma', options.gamma ?? 0.1);
    super('StepLR', optimizer, options);
    this.stepSize = options.stepSize;
    this.gamma = gamma;
    this.initialStep();
  }

  protected getLr(): number[] {
    const lrs = this.optimizer.paramGroups.map((g) => g.lr);
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return lrs;
    return lrs.map((lr) => lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

/** Multiplies the learning rate by `gamma` every epoch. */
export class ExponentialLR extends LRScheduler {
  /** The factor applied every epoch. */
  gamma: number;
  protected readonly optionKeys = ['gamma'] as const;

  constructor(optimizer: LROptimizer, options: { gamma: number } & LRSchedulerOptions) {
    checkKeys('ExponentialLR', options, ['gamma', 'lastEpoch']);
    const gamma = checkNonNegative('ExponentialLR', 'gamma', options.gamma);
    super('ExponentialLR', optimizer, options);
    this.gamma = gamma;
    this.initialStep();
  }

  protected getLr(): number[] {
    const lrs = this.optimizer.paramGroups.map((g) => g.lr);
    return this.lastEpoch === 0 ? lrs : lrs.map((lr) => lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch);
  }
}

/**
 * Cosine annealing from the initial rate down to `etaMin` over `tMax` epochs (and back up over the
 * next `tMax`, as PyTorch's does without restarts). Uses PyTorch 1.13's recursive form, so the
 * sequence matches its to rounding and follows changes made to `lr` in between.
 */
export class CosineAnnealingLR extends LRScheduler {
  /** Epochs from the initial rate down to `etaMin` (half a period). */
  tMax: number;
  /** The lowest rate (default 0). */
  etaMin: number;
  protected readonly optionKeys = ['tMax', 'etaMin'] as const;

  constructor(
    optimizer: LROptimizer,
    options: { tMax: number; etaMin?: number } & LRSchedulerOptions,
  ) {
    checkKeys('CosineAnnealingLR', options, ['tMax', 'etaMin', 'lastEpoch']);
    if (typeof options.tMax !== 'number' || !(options.tMax > 0) || !Number.isFinite(options.tMax))
      throw new OptimizerError(
        'CosineAnnealingLR',
        `invalid tMax: ${options.tMax}`,
        'tMax must be a positive number of epochs',
      );
    const etaMin = checkFinite('CosineAnnealingLR', 'etaMin', options.etaMin ?? 0);
    super('CosineAnnealingLR', optimizer, options);
    this.tMax = options.tMax;
    this.etaMin = etaMin;
    this.initialStep();
  }

  protected getLr(): number[] {
    const { lastEpoch: e, tMax: T, etaMin } = this;
    const groups = this.optimizer.paramGroups;
    if (e === 0) return groups.map((g) => g.lr);
    if (this.stepCount === 1 && e > 0)
      return this.baseLrs.map(
        (base) => etaMin + ((base - etaMin) * (1 + Math.cos((e * Math.PI) / T))) / 2,
      );
    // Python's % is never negative; JS's may be -0, which still equals 0.
    if ((e - 1 - T) % (2 * T) === 0)
      return groups.map(
        (g, i) => g.lr + ((this.baseLrs[i]! - etaMin) * (1 - Math.cos(Math.PI / T))) / 2,
      );
    return groups.map(
      (g) =>
        ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) *
          (g.lr - etaMin) +
        etaMin,
    );
  }

  protected override closedFormLr(): number[] {
    const { lastEpoch: e, tMax: T, etaMin } = this;
    return this.baseLrs.map((b) => etaMin + ((b - etaMin) * (1 + Math.cos((Math.PI * e) / T))) / 2);
  }
}
