// One training run of the web page: the network, its optimizer and where it is in the data. It runs
// in the page's worker, and in Node in the tests. Only asynchronous reads (one per chunk of steps),
// so it works on WebGPU, where a read waits for the GPU.
import { noGrad } from '@nablajs/autograd';
import { permutation } from '@nablajs/data';
import { crossEntropy, type Module } from '@nablajs/nn';
import type { Optimizer } from '@nablajs/optim';
import { manualSeed, type Tensor, tensor, zeros } from '@nablajs/tensor';
import { batchTensors, type MnistBytes, PIXELS, range } from 'app-kit/web';
import { asInput, buildNet } from '../model.js';
import { makeOptimizer } from '../optimizer.js';
import type { PageConfig } from './config.js';

export { DEFAULT_CONFIG, type PageConfig } from './config.js';

/** What a chunk of training steps did. */
export interface ChunkResult {
  /** Steps in this chunk, and in the run so far. */
  steps: number;
  step: number;
  /** Epochs so far (fractional). */
  epoch: number;
  /** Whether an epoch ended during the chunk. */
  epochEnded: boolean;
  /** Mean cross-entropy and accuracy over the chunk's batches (as trained: dropout on). */
  loss: number;
  accuracy: number;
}

/** A test digit the network got wrong. */
export interface Mistake {
  index: number;
  label: number;
  predicted: number;
}

export interface Evaluation {
  step: number;
  epoch: number;
  /** Test images evaluated: the first `count`. */
  count: number;
  accuracy: number;
  /** The first mistakes, at most the number asked for. */
  mistakes: Mistake[];
}

export class Session {
  readonly model: Module;
  readonly optimizer: Optimizer;
  step = 0;
  private epochs = 0;
  private cursor = 0;
  private order: Int32Array;

  constructor(
    readonly config: PageConfig,
    readonly data: MnistBytes,
  ) {
    const { model, depth, width, activation, dropout, seed } = config;
    manualSeed(seed);
    this.model = buildNet({
      model,
      hidden: Array<number>(depth).fill(width),
      activation,
      dropout,
    });
    this.optimizer = makeOptimizer(
      this.model,
      { ...config, momentum: 0, weightDecay: 0 },
      data.train.count,
    );
    this.order = permutation(data.train.count, seed, 0);
  }

  /** Batches per epoch (the last, partial batch is dropped). */
  get batchesPerEpoch(): number {
    return Math.max(1, Math.floor(this.data.train.count / this.config.batchSize));
  }

  get epoch(): number {
    return this.step / this.batchesPerEpoch;
  }

  /** `steps` steps of mini-batch training; one read at the end. */
  async train(steps: number): Promise<ChunkResult> {
    const { batchSize } = this.config;
    const n = this.data.train.count;
    let lossSum: Tensor = zeros([]);
    let hits: Tensor = zeros([], { dtype: 'int32' });
    let epochEnded = false;
    for (let s = 0; s < steps; s++) {
      if (this.cursor + batchSize > n) {
        this.epochs++;
        this.order = permutation(n, this.config.seed, this.epochs);
        this.cursor = 0;
      }
      const { x, y } = batchTensors(this.data.train, this.order, this.cursor, batchSize);
      this.cursor += batchSize;
      const logits = this.model.forward(asInput(x, this.config.model));
      const loss = crossEntropy(logits, y);
      this.optimizer.zeroGrad();
      loss.backward();
      this.optimizer.step();
      lossSum = lossSum.add(loss.data);
      hits = hits.add(logits.data.argmax(1).eq(y).sum());
      this.step++;
      if (this.step % this.batchesPerEpoch === 0) epochEnded = true;
    }
    const [loss, correct] = await Promise.all([lossSum.item(), hits.item()]);
    return {
      steps,
      step: this.step,
      epoch: this.epoch,
      epochEnded,
      loss: loss / steps,
      accuracy: correct / (steps * batchSize),
    };
  }

  /** Accuracy on the first `count` test images, in batches of 1,000, and the first mistakes. */
  async evaluate(count: number, maxMistakes = 24): Promise<Evaluation> {
    const test = this.data.test;
    count = Math.min(count, test.count);
    const mistakes: Mistake[] = [];
    let correct = 0;
    for (let start = 0; start < count; start += 1000) {
      const size = Math.min(1000, count - start);
      const predicted = await this.infer(
        () => batchTensors(test, range(size, start)).x,
        (logits) => logits.argmax(1),
      );
      for (let i = 0; i < size; i++) {
        const label = test.labels[start + i]!;
        if (predicted[i] === label) correct++;
        else if (mistakes.length < maxMistakes)
          mistakes.push({ index: start + i, label, predicted: predicted[i]! });
      }
    }
    return { step: this.step, epoch: this.epoch, count, accuracy: correct / count, mistakes };
  }

  /** The network's ten probabilities for one 28 × 28 image (floats in [0, 1], ink = 1). */
  async predict(pixels: Float32Array): Promise<number[]> {
    if (pixels.length !== PIXELS)
      throw new RangeError(`predict: expected 784 pixels, got ${pixels.length}`);
    const probs = await this.infer(
      () => tensor(pixels, { shape: [1, PIXELS] }),
      (logits) => logits.softmax(-1),
    );
    return Array.from(probs);
  }

  /**
   * A forward pass in evaluation mode (no dropout, no graph), read. The mode is switched back before
   * the read is awaited: a prediction asked for between two chunks of training must not leave the
   * training loop in evaluation mode, nor be left in training mode by it.
   */
  private infer(input: () => Tensor, output: (logits: Tensor) => Tensor) {
    this.model.eval();
    let result: Tensor;
    try {
      const x = asInput(input(), this.config.model);
      result = noGrad(() => output(this.model.forward(x).data));
    } finally {
      this.model.train();
    }
    return result.data();
  }
}
