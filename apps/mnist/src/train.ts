import { noGrad } from '@nablajs/autograd';
import { DataLoader, type MnistData, type MnistSplit } from '@nablajs/data';
import { type Module, crossEntropy } from '@nablajs/nn';
import { decoupledWeightDecay } from '@nablajs/regularizers';
import { type Tensor, getBackend, manualSeed, zeros } from '@nablajs/tensor';
import { Progress, type ProgressSink } from 'app-kit';
import { type Checkpoint, loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { type ModelKind, asInput, buildNet, type NetSpec } from './model.js';
import { makeOptimizer, type OptimizerConfig, splitParams } from './optimizer.js';

export { makeOptimizer, splitParams };

export interface TrainConfig extends NetSpec, OptimizerConfig {
  epochs: number;
  batchSize: number;
  seed: number;
  save?: string;
  resume?: boolean;
}

export interface EpochResult {
  epoch: number;
  loss: number;
  trainAccuracy: number;
  validationAccuracy: number;
  testAccuracy: number;
  seconds: number;
}

export interface TrainHooks {
  /** Where the progress bar goes (stderr by default); null for none. */
  progress?: ProgressSink | null;
  /** Called after each epoch; a returned Promise is awaited before the next one starts (the soak
   * turns the event loop there, so that collected tensors' finalizers have run when it measures). */
  onEpoch?: (r: EpochResult) => void | Promise<void>;
  /** Label prefix for the bar, e.g. the sweep's depth. */
  label?: string;
}

/** Mini-batches between yields to the event loop on an asynchronous (GPU) backend. */
const YIELD_EVERY = 50;

/** Accuracy on a split, in batches of 1000, without recording the graph. */
export async function evaluate(
  model: Module,
  split: MnistSplit,
  kind: ModelKind = 'mlp',
): Promise<number> {
  if (split.count === 0) return NaN;
  model.eval();
  const backend = model.parameters()[0]!.data.backend;
  let correct: Tensor = zeros([], { dtype: 'int32', backend });
  noGrad(() => {
    for (const { x, y } of new DataLoader(split, { batchSize: 1000, backend })) {
      const hits = model.forward(asInput(x, kind)).data.argmax(1).eq(y).sum();
      correct = correct.add(hits);
    }
  });
  model.train();
  return (await correct.item()) / split.count;
}

/** Trains `c`'s network on `data`, printing nothing itself: results go to `hooks`. */
export async function train(
  c: TrainConfig,
  data: MnistData,
  hooks: TrainHooks = {},
): Promise<{ model: Module; history: EpochResult[] }> {
  manualSeed(c.seed);
  // the run keeps the backend it starts on: a useBackend() elsewhere while it awaits (another run,
  // a page's button) must not send its batches to another device
  const backend = getBackend('train');
  const model = buildNet(c, backend);
  const n = data.train.count;
  const optimizer = makeOptimizer(model, c, n);
  const loader = new DataLoader(data.train, {
    batchSize: c.batchSize,
    shuffle: true,
    seed: c.seed,
    backend,
  });
  let history: EpochResult[] = [];
  if (c.resume && c.save) {
    const ck: Checkpoint | undefined = await loadCheckpoint(c.save, model, optimizer, c, n);
    if (ck) history = ck.history;
  }
  const { weights } = splitParams(model);
  for (let epoch = history.length; epoch < c.epochs; epoch++) {
    loader.epoch = epoch;
    const bar =
      hooks.progress === null
        ? undefined
        : new Progress(`${hooks.label ?? ''}epoch ${epoch + 1}/${c.epochs}`, n, hooks.progress);
    const start = performance.now();
    let lossSum: Tensor = zeros([], { backend });
    let steps = 0;
    for (const { x, y } of loader) {
      const loss = crossEntropy(model.forward(asInput(x, c.model)), y);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      if (c.optimizer === 'sgd' && c.weightDecay > 0)
        decoupledWeightDecay(weights, c.lr, c.weightDecay);
      lossSum = lossSum.add(loss.data.mul(y.shape[0]!));
      bar?.tick(y.shape[0]!);
      // a GPU backend gets its buffers back in finalizers, which run only between tasks
      if (!backend.sync && ++steps % YIELD_EVERY === 0) await new Promise((r) => setTimeout(r, 0));
    }
    const seconds = (performance.now() - start) / 1000;
    bar?.finish();
    const result: EpochResult = {
      epoch: epoch + 1,
      loss: (await lossSum.item()) / n,
      trainAccuracy: await evaluate(model, data.train, c.model),
      validationAccuracy: await evaluate(model, data.validation, c.model),
      testAccuracy: await evaluate(model, data.test, c.model),
      seconds,
    };
    history.push(result);
    if (c.save) await saveCheckpoint(c.save, model, optimizer, c, history, n);
    await hooks.onEpoch?.(result);
  }
  return { model, history };
}
