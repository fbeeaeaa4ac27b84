import { OptimizerError, checkFinite, checkKeys } from './errors.js';
import type { LROptimizer, LRScheduler, LRSchedulerStateDict } from './lr-scheduler.js';

/** `SequentialLR`'s state: its epoch and rates, and each scheduler's own state. */
export interface SequentialLRStateDict {
  /** Epochs stepped so far. */
  lastEpoch: number;
  /** The epochs at which the next scheduler takes over. */
  milestones: number[];
  /** The learning rates the last `step()` set. */
  lastLr: number[];
  /** Each scheduler's `stateDict()`. */
  schedulers: LRSchedulerStateDict[];
}

/**
 * Runs schedulers one after the other (PyTorch 1.13's `SequentialLR`): `schedulers[i]` from epoch
 * `milestones[i − 1]` on, restarted there at its epoch 0 in closed form. Warmup then cosine decay:
 *
 * ```ts
 * const warmup = new LinearLR(opt, { startFactor: 0.01, totalIters: 100 });
 * const decay = new CosineAnnealingLR(opt, { tMax: 900 });
 * const sched = new SequentialLR(opt, { schedulers: [warmup, decay], milestones: [100] });
 * ```
 *
 * Build the schedulers first (each takes its first step on construction, as in PyTorch); this
 * resets the rates to the groups' initial ones and restarts the first scheduler.
 */
export class SequentialLR {
  /** Epochs stepped so far; 0 after construction. */
  lastEpoch: number;
  /** The epochs at which the next scheduler takes over. */
  readonly milestones: number[];
  private readonly schedulers: LRScheduler[];
  private lastLr: number[];

  constructor(
    /** The optimizer every scheduler drives. */
    readonly optimizer: LROptimizer,
    options: {
      schedulers: readonly LRScheduler[];
      milestones: readonly number[];
      lastEpoch?: number;
    },
  ) {
    const op = 'SequentialLR';
    checkKeys(op, options, ['schedulers', 'milestones', 'lastEpoch']);
    const { schedulers, milestones } = options;
    if (!Array.isArray(schedulers) || schedulers.length === 0)
      throw new OptimizerError(op, 'expected a non-empty list of schedulers');
    schedulers.forEach((s, i) => {
      if (s?.optimizer !== optimizer)
        throw new OptimizerError(
          op,
          `scheduler ${i} belongs to another optimizer`,
          'build every scheduler on the optimizer passed here',
        );
    });
    if (!Array.isArray(milestones) || milestones.length !== schedulers.length - 1)
      throw new OptimizerError(
        op,
        `expected ${schedulers.length - 1} milestones for ${schedulers.length} schedulers, got ${String(milestones?.length)}`,
      );
    if (milestones.some((m, i) => !Number.isInteger(m) || (i > 0 && m < milestones[i - 1]!)))
      throw new OptimizerError(
        op,
        `milestones must be increasing integers, got [${milestones.join(', ')}]`,
      );
    this.schedulers = [...schedulers];
    this.milestones = [...milestones];
    this.lastEpoch = (options.lastEpoch ?? -1) + 1;
    optimizer.paramGroups.forEach((g, i) => {
      if (g.initialLr === undefined)
        throw new OptimizerError(op, `parameter group ${i} has no initialLr`);
      g.lr = g.initialLr;
    });
    // undo the step each scheduler took when built, then take the first one's again
    for (const s of this.schedulers) s.lastEpoch -= 1;
    this.schedulers[0]!.initialStep();
    this.lastLr = this.schedulers[0]!.getLastLr();
  }

  /** Advances one epoch: steps the scheduler whose turn it is (restarting it at its milestone). */
  step(): void {
    this.lastEpoch++;
    const idx = this.milestones.filter((m) => m <= this.lastEpoch).length;
    const s = this.schedulers[idx]!;
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) s.step(0);
    else s.step();
    this.lastLr = s.getLastLr();
  }

  /** The learning rates the last `step()` set, one per group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Its epoch and rates, and each scheduler's state. */
  stateDict(): SequentialLRStateDict {
    return {
      lastEpoch: this.lastEpoch,
      milestones: [...this.milestones],
      lastLr: [...this.lastLr],
      schedulers: this.schedulers.map((s) => s.stateDict()),
    };
  }

  /** Restores a `stateDict()` of a SequentialLR over schedulers of the same kinds. */
  loadStateDict(sd: SequentialLRStateDict): void {
    const op = 'SequentialLR';
    if (
      sd === null ||
      typeof sd !== 'object' ||
      !Array.isArray(sd.schedulers) ||
      sd.schedulers.length !== this.schedulers.length
    )
      throw new OptimizerError(
        op,
        `loadStateDict: expected the state of ${this.schedulers.length} schedulers`,
        'pass what stateDict() returned',
      );
    checkKeys(op, sd, ['lastEpoch', 'milestones', 'lastLr', 'schedulers'], 'state key');
    const n = this.optimizer.paramGroups.length;
    if (
      !Array.isArray(sd.lastLr) ||
      sd.lastLr.length !== n ||
      !sd.lastLr.every((v) => typeof v === 'number')
    )
      throw new OptimizerError(op, `loadStateDict: lastLr must hold ${n} numbers`);
    if (!Array.isArray(sd.milestones) || sd.milestones.join() !== this.milestones.join())
      throw new OptimizerError(
        op,
        'loadStateDict: the milestones differ',
        'load it into a SequentialLR built the same way',
      );
    this.schedulers.forEach((s, i) => s.loadStateDict(sd.schedulers[i]!));
    this.lastEpoch = checkFinite(op, 'lastEpoch', sd.lastEpoch);
    this.lastLr = [...sd.lastLr];
  }
}
