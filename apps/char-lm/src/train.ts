// The command line's training loop: a Run stepped to `steps`, a progress bar in tokens (characters) per
// second, the validation loss every `evalEvery` steps, and a checkpoint at each of those when asked.
import { Progress, type ProgressSink } from 'app-kit';
import { type EvalPoint, loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import type { Corpus } from './corpus.js';
import { Run, type RunConfig } from './run.js';

export type { EvalPoint };

export interface TrainConfig extends RunConfig {
  evalEvery: number;
  /** Validation windows per evaluation. */
  evalWindows: number;
  save?: string | undefined;
  resume?: boolean | undefined;
}

export interface TrainHooks {
  /** Where the progress bar goes (stderr by default); null for none. */
  progress?: ProgressSink | null;
  /** Called once the run is built (and resumed), before the first step. */
  onStart?: (run: Run) => void;
  onEval?: (p: EvalPoint) => void;
}

/** Trains `c` on `corpus`, printing nothing itself. Resumes from `c.save` with `c.resume`. */
export async function train(
  c: TrainConfig,
  corpus: Corpus,
  hooks: TrainHooks = {},
): Promise<{ run: Run; history: EvalPoint[] }> {
  const run = new Run(c, corpus);
  let history: EvalPoint[] = [];
  if (c.resume && c.save) history = (await loadCheckpoint(c.save, run)) ?? [];
  let seconds = history.at(-1)?.seconds ?? 0;
  hooks.onStart?.(run);
  while (run.step < c.steps) {
    const n = Math.min(c.evalEvery - (run.step % c.evalEvery), c.steps - run.step);
    const bar =
      hooks.progress === null
        ? undefined
        : new Progress(
            `steps ${run.step + 1}-${run.step + n}`,
            n * run.tokensPerStep,
            hooks.progress,
            'tokens',
          );
    const start = performance.now();
    const trainLoss = await run.train(n, () => bar?.tick(run.tokensPerStep));
    seconds += (performance.now() - start) / 1000;
    bar?.finish();
    const point: EvalPoint = {
      step: run.step,
      trainLoss,
      validationLoss: await run.validationLoss(c.evalWindows),
      seconds,
    };
    history.push(point);
    if (c.save) await saveCheckpoint(c.save, run, history);
    hooks.onEval?.(point);
  }
  return { run, history };
}
