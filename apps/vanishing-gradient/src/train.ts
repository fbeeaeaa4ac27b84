import { noGrad } from '@nablajs/autograd';
import { type ArrayDataset, DataLoader } from '@nablajs/data';
import { crossEntropy } from '@nablajs/nn';
import { SGD } from '@nablajs/optim';
import { type Tensor, manualSeed, zeros } from '@nablajs/tensor';
import { type Activation, buildNet, hiddenSizes, type InitName, type Net } from './model.js';
import { pretrainLayers } from './pretrain.js';
import { type LayerProbe, probeLayers } from './probe.js';

/** Nielsen's chapter-5 training setup, shared by every run. */
export interface Setup {
  epochs: number;
  batchSize: number;
  /** η. */
  lr: number;
  /** L2 λ on the weights in Nielsen's scaling (λ/n per example, n the training-set size). */
  l2: number;
  seed: number;
  width: number;
  /** Epochs of each layer's autoencoder in greedy pre-training. */
  pretrainEpochs: number;
}

/** One network to train: what varies between the runs of the studies. */
export interface RunSpec {
  key: string;
  label: string;
  depth: number;
  activation: Activation;
  init: InitName;
  pretrain: boolean;
}

/** A labelled split: `count` images (784 floats each) and their digits. */
export interface Split extends ArrayDataset {
  images: Float32Array;
  labels: Int32Array;
  count: number;
}

export interface Data {
  train: Split;
  test: Split;
  /** The fixed batch on which the learning speed is measured (the first training images). */
  probe: { x: Tensor; y: Tensor; count: number };
}

/** The probe's readings and the test accuracy, at initialisation (epoch 0) and after each epoch. */
export interface EpochRecord extends LayerProbe {
  epoch: number;
  testAccuracy: number;
  /** Mean training cost over the epoch (NaN at epoch 0). */
  trainLoss: number;
  seconds: number;
}

export interface RunResult extends RunSpec {
  sizes: number[];
  /** Final reconstruction MSE of each layer's autoencoder, when pre-trained. */
  pretrainLoss?: number[];
  pretrainSeconds?: number;
  history: EpochRecord[];
}

export interface TrainHooks {
  /** Called with the number of images just processed (training or pre-training). */
  onImages?: (n: number) => void;
}

/** Accuracy on a split, in batches of 1000, without recording the graph. */
export async function evaluate(net: Net, split: Split): Promise<number> {
  if (split.count === 0) return NaN;
  let correct: Tensor = zeros([], { dtype: 'int32' });
  noGrad(() => {
    for (const { x, y } of new DataLoader(split, { batchSize: 1000 })) {
      correct = correct.add(net.module.forward(x).data.argmax(1).eq(y).sum());
    }
  });
  return (await correct.item()) / split.count;
}

/**
 * Trains one network with SGD on the mean cross-entropy (Nielsen's setup), probing the fixed batch
 * at initialisation and after every epoch. The seed fixes initialisation and shuffling, so runs that
 * differ in one respect start from the same random draws where they can.
 */
export async function trainRun(
  spec: RunSpec,
  setup: Setup,
  data: Data,
  hooks: TrainHooks = {},
): Promise<RunResult> {
  manualSeed(setup.seed);
  const sizes = hiddenSizes(spec.depth, setup.width);
  const net = buildNet({ sizes, activation: spec.activation, init: spec.init });
  const result: RunResult = { ...spec, sizes, history: [] };
  if (spec.pretrain) {
    const start = performance.now();
    result.pretrainLoss = await pretrainLayers(net, data.train, {
      epochs: setup.pretrainEpochs,
      batchSize: setup.batchSize,
      seed: setup.seed,
      onImages: hooks.onImages,
    });
    result.pretrainSeconds = (performance.now() - start) / 1000;
  }
  const n = data.train.count;
  const params = net.module.parameters();
  const optimizer = new SGD(
    [
      { params: params.filter((p) => p.rank > 1), weightDecay: setup.l2 / n },
      { params: params.filter((p) => p.rank <= 1), weightDecay: 0 },
    ],
    { lr: setup.lr },
  );
  const record = async (epoch: number, trainLoss: number, seconds: number) =>
    result.history.push({
      epoch,
      ...(await probeLayers(net, data.probe.x, data.probe.y)),
      testAccuracy: await evaluate(net, data.test),
      trainLoss,
      seconds,
    });
  await record(0, NaN, 0);
  const loader = new DataLoader(data.train, {
    batchSize: setup.batchSize,
    shuffle: true,
    seed: setup.seed,
  });
  for (let epoch = 1; epoch <= setup.epochs; epoch++) {
    const start = performance.now();
    let lossSum: Tensor = zeros([]);
    for (const { x, y } of loader) {
      const loss = crossEntropy(net.module.forward(x), y);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      lossSum = lossSum.add(loss.data.mul(y.shape[0]!));
      hooks.onImages?.(y.shape[0]!);
    }
    await record(epoch, (await lossSum.item()) / n, (performance.now() - start) / 1000);
  }
  return result;
}
