import { OptimizerError, checkFinite, checkKeys, checkNonNegative } from './errors.js';
import type { LROptimizer } from './lr-scheduler.js';

/** Options of `ReduceLROnPlateau` (PyTorch's, in camelCase). */
export interface ReduceLROnPlateauOptions {
  /** `'min'` (default): a lower metric is better; `'max'`: higher is better. */
  mode?: 'min' | 'max';
  /** The factor of each reduction, < 1 (default 0.1). */
  factor?: number;
  /** Epochs without improvement tolerated before reducing (default 10). */
  patience?: number;
  /** How much better counts as better (default 1e-4). */
  threshold?: number;
  /** `'rel'` (default): better than best·(1 ∓ threshold); `'abs'`: than best ∓ threshold. */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting again (default 0). */
  cooldown?: number;
  /** The lowest rate, or one per group (default 0). */
  minLr?: number | readonly number[];
  /** A reduction smaller than this is skipped (default 1e-8). */
  eps?: number;
}

/** `ReduceLROnPlateau`'s state. */
export interface ReduceLROnPlateauStateDict {
  /** The best metric so far (±Infinity before the first). */
  best: number;
  /** Epochs since the last improvement. */
  numBadEpochs: number;
  /** Epochs of cooldown left. */
  cooldownCounter: number;
  /** Epochs stepped so far. */
  lastEpoch: number;
  /** The learning rates after the last `step()`. */
  lastLr: number[];
}

/**
 * Divides the rate when a metric stops improving (PyTorch's `ReduceLROnPlateau`): call
 * `step(metric)` after each validation; after more than `patience` epochs without an improvement
 * (by `threshold`), each group's rate becomes max(lr·factor, minLr).
 */
export class ReduceLROnPlateau {
  /** `'min'` or `'max'`. */
  readonly mode: 'min' | 'max';
  /** The factor of each reduction. */
  readonly factor: number;
  /** Epochs without improvement tolerated. */
  readonly patience: number;
  /** How much better counts as better. */
  readonly threshold: number;
  /** `'rel'` or `'abs'`. */
  readonly thresholdMode: 'rel' | 'abs';
  /** Epochs to wait after a reduction. */
  readonly cooldown: number;
  /** The lowest rate of each group. */
  readonly minLrs: number[];
  /** Reductions smaller than this are skipped. */
  readonly eps: number;
  /** The best metric so far. */
  best: number;
  /** Epochs since the last improvement. */
  numBadEpochs = 0;
  /** Epochs of cooldown left. */
  cooldownCounter = 0;
  /** Epochs stepped so far. */
  lastEpoch = 0;
  private lastLr: number[];

  constructor(
    /** The optimizer whose rates this scheduler reduces. */
    readonly optimizer: LROptimizer,
    options: ReduceLROnPlateauOptions = {},
  ) {
    const op = 'ReduceLROnPlateau';
    checkKeys(op, options, [
      'mode',
      'factor',
      'patience',
      'threshold',
      'thresholdMode',
      'cooldown',
      'minLr',
      'eps',
    ]);
    if (!optimizer || !Array.isArray(optimizer.paramGroups))
      throw new OptimizerError(op, `expected an optimizer, got ${String(optimizer)}`);
    this.mode = options.mode ?? 'min';
    this.thresholdMode = options.thresholdMode ?? 'rel';
    if (this.mode !== 'min' && this.mode !== 'max')
      throw new OptimizerError(op, `mode ${String(this.mode)} is unknown`, "use 'min' or 'max'");
    if (this.thresholdMode !== 'rel' && this.thresholdMode !== 'abs')
      throw new OptimizerError(
        op,
        `thresholdMode ${String(this.thresholdMode)} is unknown`,
        "use 'rel' or 'abs'",
      );
    this.factor = checkNonNegative(op, 'factor', options.factor ?? 0.1);
    if (this.factor >= 1)
      throw new OptimizerError(op, `factor should be < 1.0, got ${this.factor}`);
    this.patience = checkNonNegative(op, 'patience', options.patience ?? 10);
    this.threshold = checkNonNegative(op, 'threshold', options.threshold ?? 1e-4);
    this.cooldown = checkNonNegative(op, 'cooldown', options.cooldown ?? 0);
    this.eps = checkNonNegative(op, 'eps', options.eps ?? 1e-8);
    const n = optimizer.paramGroups.length;
    const minLr = options.minLr ?? 0;
    if (Array.isArray(minLr) && minLr.length !== n)
      throw new OptimizerError(op, `expected ${n} minLrs, got ${minLr.length}`);
    this.minLrs = (Array.isArray(minLr) ? [...minLr] : Array<number>(n).fill(minLr as number)).map(
      (v) => checkNonNegative(op, 'minLr', v),
    );
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  private isBetter(a: number, best: number): boolean {
    const t = this.threshold;
    if (this.mode === 'min')
      return this.thresholdMode === 'rel' ? a < best * (1 - t) : a < best - t;
    return this.thresholdMode === 'rel' ? a > best * (t + 1) : a > best + t;
  }

  /** Records this epoch's metric (a number: read a loss tensor first, `await loss.item()`) and
   * reduces the rates after too long a plateau. */
  step(metric: number): void {
    const current = Number(metric);
    this.lastEpoch++;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else this.numBadEpochs++;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0; // bad epochs in cooldown do not count
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const next = Math.max(g.lr * this.factor, this.minLrs[i]!);
        if (g.lr - next > this.eps) g.lr = next;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The groups' learning rates after the last `step()`. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Its counters and best metric, to save with a checkpoint. */
  stateDict(): ReduceLROnPlateauStateDict {
    const { best, numBadEpochs, cooldownCounter, lastEpoch } = this;
    return { best, numBadEpochs, cooldownCounter, lastEpoch, lastLr: [...this.lastLr] };
  }

  /** Restores a `stateDict()`. */
  loadStateDict(sd: ReduceLROnPlateauStateDict): void {
    const op = 'ReduceLROnPlateau';
    if (sd === null || typeof sd !== 'object')
      throw new OptimizerError(op, 'loadStateDict: expected an object');
    checkKeys(
      op,
      sd,
      ['best', 'numBadEpochs', 'cooldownCounter', 'lastEpoch', 'lastLr'],
      'state key',
    );
    if (typeof sd.best !== 'number' || Number.isNaN(sd.best))
      throw new OptimizerError(op, `loadStateDict: invalid best: ${String(sd.best)}`);
    const n = this.optimizer.paramGroups.length;
    if (!Array.isArray(sd.lastLr) || sd.lastLr.length !== n)
      throw new OptimizerError(op, `loadStateDict: lastLr must hold ${n} numbers`);
    this.best = sd.best;
    this.numBadEpochs = checkFinite(op, 'numBadEpochs', sd.numBadEpochs);
    this.cooldownCounter = checkFinite(op, 'cooldownCounter', sd.cooldownCounter);
    this.lastEpoch = checkFinite(op, 'lastEpoch', sd.lastEpoch);
    this.lastLr = sd.lastLr.map((v) => checkFinite(op, 'lastLr', v));
  }
}
