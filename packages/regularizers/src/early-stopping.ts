import type { Module } from '@nablajs/nn';
import { NablaError, type Tensor } from '@nablajs/tensor';

/** Options of `EarlyStopping`. */
export interface EarlyStoppingOptions {
  /** How many checks without improvement to tolerate before stopping (default 10). */
  patience?: number;
  /** 'min' for a loss (default), 'max' for an accuracy. */
  mode?: 'min' | 'max';
  /** An improvement must beat the best by more than this (default 0). */
  minDelta?: number;
  /** When stopping, load the best state back into the module (default true). */
  restoreBest?: boolean;
}

/**
 * Stops training when a validation metric has not improved for `patience` checks, and (with
 * `restoreBest`) puts the best weights back. Call `step(metric, model)` after each evaluation:
 *
 * ```ts
 * const stopper = new EarlyStopping({ patience: 5 });
 * for (let epoch = 0; ; epoch++) {
 *   train(model);
 *   if (stopper.step(await validationLoss(model), model)) break;
 * }
 * ```
 */
export class EarlyStopping {
  /** Checks without improvement tolerated before `step` returns true. */
  readonly patience: number;
  /** 'min' when lower is better (a loss), 'max' when higher is (an accuracy). */
  readonly mode: 'min' | 'max';
  /** The margin by which a metric must beat the best to count as an improvement. */
  readonly minDelta: number;
  /** Whether `step` loads the best weights back into the module when it stops. */
  readonly restoreBest: boolean;
  /** The best metric so far (±Infinity before the first step). */
  best: number;
  /** The step (0-based) at which `best` was seen; -1 before any. */
  bestStep = -1;
  /** Checks since the last improvement. */
  wait = 0;
  /** Steps taken. */
  steps = 0;
  /** Whether `step` has returned true. */
  stopped = false;
  /** Copies of the module's tensors at the best step. */
  bestState: Record<string, Tensor> | null = null;

  constructor(opts: EarlyStoppingOptions = {}) {
    this.patience = opts.patience ?? 10;
    this.mode = opts.mode ?? 'min';
    this.minDelta = opts.minDelta ?? 0;
    this.restoreBest = opts.restoreBest ?? true;
    if (!Number.isInteger(this.patience) || this.patience < 0)
      throw new NablaError(
        'EarlyStopping',
        `patience must be a non-negative integer, got ${this.patience}`,
      );
    if (this.mode !== 'min' && this.mode !== 'max')
      throw new NablaError(
        'EarlyStopping',
        `mode must be 'min' or 'max', got '${String(this.mode)}'`,
      );
    if (!(this.minDelta >= 0))
      throw new NablaError('EarlyStopping', `minDelta must be ≥ 0, got ${this.minDelta}`);
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  /** Whether `metric` beats the best by more than `minDelta` (NaN never does). */
  isImprovement(metric: number): boolean {
    return this.mode === 'min'
      ? metric < this.best - this.minDelta
      : metric > this.best + this.minDelta;
  }

  /**
   * Records one check of the metric; snapshots `module` when it improved. Returns true when training
   * should stop (`patience` checks in a row without improvement), after restoring the best state
   * into `module` if `restoreBest`; from then on it keeps returning true until `reset()`.
   */
  step(metric: number, module?: Module): boolean {
    if (typeof metric !== 'number')
      throw new NablaError(
        'EarlyStopping.step',
        `metric must be a number, got ${typeof metric}`,
        'read it with `await loss.item()`',
      );
    if (this.stopped) return true; // until reset()
    const step = this.steps++;
    if (this.isImprovement(metric)) {
      this.best = metric;
      this.bestStep = step;
      this.wait = 0;
      if (module) this.snapshot(module);
      return false;
    }
    this.wait++;
    if (this.wait < this.patience) return false;
    this.stopped = true;
    if (this.restoreBest && module) this.restore(module);
    return true;
  }

  /** Loads the best state into `module` (no-op before any improvement was recorded with a module). */
  restore(module: Module): void {
    if (this.bestState) module.loadStateDict(this.bestState);
  }

  /** Forgets everything, as if new. */
  reset(): void {
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.bestStep = -1;
    this.wait = 0;
    this.steps = 0;
    this.stopped = false;
    this.dropState();
  }

  private snapshot(module: Module): void {
    this.dropState();
    this.bestState = Object.fromEntries(
      Object.entries(module.stateDict()).map(([k, t]) => [k, t.clone()]),
    );
  }

  private dropState(): void {
    for (const t of Object.values(this.bestState ?? {})) t.dispose();
    this.bestState = null;
  }
}
