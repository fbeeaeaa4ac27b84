// The MNIST training workloads of /work/shared/BENCHMARKING.md (W1–W3) and the protocol's constants,
// shared by every peer (the Python script gets them as JSON on its command line).

/** W1–W3: the MLPs below; C1: LeNet-5 (src/lenet/). */
export type WorkloadId = 'W1' | 'W2' | 'W3' | 'C1';

export interface Workload {
  id: WorkloadId;
  /** Layer widths, input first: 784-30-10. */
  sizes: number[];
  /** The hidden layers' activation (the output layer has none: logits). */
  activation: 'sigmoid' | 'relu';
  /** Weights ~ N(0, sd²): 'fanIn' sd = 1/√fan_in (Nielsen), 'he' sd = √(2/fan_in). Biases 0. */
  init: 'fanIn' | 'he';
  optimizer: 'sgd' | 'adam';
  lr: number;
  batchSize: number;
  /** The test accuracy one epoch should reach, [low, high]: a check that the maths is the same. */
  expectedAccuracy: [number, number];
}

export const workloads: Workload[] = [
  {
    id: 'W1',
    sizes: [784, 30, 10],
    activation: 'sigmoid',
    init: 'fanIn',
    optimizer: 'sgd',
    lr: 0.5,
    batchSize: 10,
    expectedAccuracy: [0.92, 0.96],
  },
  {
    id: 'W2',
    sizes: [784, 30, 10],
    activation: 'sigmoid',
    init: 'fanIn',
    optimizer: 'sgd',
    lr: 0.5,
    batchSize: 128,
    expectedAccuracy: [0.89, 0.93],
  },
  {
    id: 'W3',
    sizes: [784, 100, 100, 100, 100, 10],
    activation: 'relu',
    init: 'he',
    optimizer: 'adam',
    lr: 1e-3,
    batchSize: 64,
    expectedAccuracy: [0.93, 0.97],
  },
];

export function workload(id: string): Workload {
  const w = workloads.find((x) => x.id === id);
  if (!w)
    throw new Error(`unknown workload '${id}' (expected ${workloads.map((x) => x.id).join(', ')})`);
  return w;
}

/** The standard deviation of a weight matrix's initial values. */
export function initStd(w: Workload, fanIn: number): number {
  return w.init === 'he' ? Math.sqrt(2 / fanIn) : 1 / Math.sqrt(fanIn);
}

/** A one-line description: "784-30-10 sigmoid, SGD lr 0.5, batch 10". */
export function describeWorkload(w: Workload): string {
  const opt = w.optimizer === 'sgd' ? 'SGD' : 'Adam';
  return `${w.sizes.join('-')} ${w.activation === 'relu' ? 'ReLU' : 'sigmoid'}, ${opt} lr ${w.lr}, batch ${w.batchSize}`;
}

/** Mini-batches of the throw-away warm-up model, before the timed epochs. */
export const WARMUP_BATCHES = 50;
/** Timed epochs (a fresh model each); the median is reported. */
export const EPOCHS = 3;
/** Training examples per epoch (all of MNIST's training file). */
export const TRAIN_COUNT = 60_000;

/** Mini-batches in one epoch, the last partial one included: ceil(n / batch). */
export function batchesPerEpoch(n: number, batchSize: number): number {
  return Math.ceil(n / batchSize);
}

/** What one peer measured on one workload (also what the child processes print as JSON). */
export interface Measurement {
  peer: string;
  workload: WorkloadId;
  /** Seconds of each timed epoch, in the order run. */
  epochSeconds: number[];
  /** Test accuracy (0–1) after each timed epoch. */
  accuracies: number[];
  /** Seconds the warm-up took (50 mini-batches, untimed in the results). */
  warmupSeconds: number;
  /** Peer-specific facts: versions, threads, BLAS core. */
  info?: Record<string, string | number | boolean>;
}
