// The protocol every TypeScript peer follows (torch_mnist.py does the same in Python): warm up with
// WARMUP_BATCHES mini-batches on a throw-away model, then time `epochs` epochs, a fresh model each,
// timing only the training loop; evaluate test accuracy after each epoch, untimed.
import { WARMUP_BATCHES, type Measurement, type Workload } from './workloads.js';

/** What a peer provides: a model, one epoch of training, and test accuracy. */
export interface Trainer<M> {
  /** A fresh model and optimizer (untimed). `seed` makes the initial weights reproducible. */
  create(seed: number): M;
  /** Trains on the first `maxBatches` mini-batches in file order (all of them by default); a GPU
   * peer resolves once the device has finished. */
  train(model: M, maxBatches?: number): void | Promise<void>;
  /** Test accuracy, 0–1 (untimed). */
  accuracy(model: M): Promise<number>;
  /** Frees the model (untimed). */
  dispose?(model: M): void;
  info?: Record<string, string | number | boolean>;
}

export async function measure<M>(
  peer: string,
  w: Workload,
  trainer: Trainer<M>,
  epochs: number,
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<Measurement> {
  const warm = trainer.create(1000);
  let start = performance.now();
  await trainer.train(warm, WARMUP_BATCHES);
  const warmupSeconds = (performance.now() - start) / 1000;
  trainer.dispose?.(warm);
  const epochSeconds: number[] = [];
  const accuracies: number[] = [];
  for (let e = 0; e < epochs; e++) {
    const model = trainer.create(e + 1);
    start = performance.now();
    await trainer.train(model);
    const seconds = (performance.now() - start) / 1000;
    const acc = await trainer.accuracy(model);
    trainer.dispose?.(model);
    epochSeconds.push(seconds);
    accuracies.push(acc);
    log(
      `  ${peer} ${w.id} epoch ${e + 1}/${epochs}: ${seconds.toFixed(2)} s, test accuracy ${(acc * 100).toFixed(2)} %`,
    );
  }
  return {
    peer,
    workload: w.id,
    epochSeconds,
    accuracies,
    warmupSeconds,
    ...(trainer.info ? { info: trainer.info } : {}),
  };
}

/** Child processes print their measurement on a line of its own, after this marker. */
export const RESULT_MARKER = '@@mnist-result ';

export function printResult(m: Measurement): void {
  process.stdout.write(`${RESULT_MARKER}${JSON.stringify(m)}\n`);
}

/** The measurement in a child's stdout (the last marked line), or an error naming what came out. */
export function parseResult(stdout: string): Measurement {
  const line = stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith(RESULT_MARKER));
  if (!line) throw new Error(`no result in the output:\n${stdout.slice(-2000)}`);
  return JSON.parse(line.slice(RESULT_MARKER.length)) as Measurement;
}
