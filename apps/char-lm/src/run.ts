// One training run: a model, its optimizer and schedule, and where it is in the data. The command
// line, the web page's worker and the tests all train through it. Browser-safe, and only
// asynchronous reads (one per chunk of steps), so it runs on WebGPU as on the CPU.
import { noGrad } from '@nablajs/autograd';
import { crossEntropy } from '@nablajs/nn';
import { type AdamW, clipGradNorm, type LambdaLR } from '@nablajs/optim';
import { manualSeed, type Tensor, zeros } from '@nablajs/tensor';
import type { Corpus } from './corpus.js';
import { Mulberry32, randomBatch, validationStarts, windows } from './data.js';
import { buildModel, type CharLSTM, type GPT, type ModelSpec } from './model.js';
import { makeOptimizer, type OptimConfig } from './schedule.js';

/** Everything a run is made of, but the data. */
export interface RunConfig extends Omit<ModelSpec, 'vocabSize'>, OptimConfig {
  /** Windows of `context` characters per step. */
  batchSize: number;
  /** Gradients are scaled down to this total 2-norm when above it (0: no clipping). */
  clip: number;
  /** Seed of the weights (Nabla's generator) and of the batches' positions (Mulberry32). */
  seed: number;
}

/** Windows of the validation text read at a time. */
const EVAL_BATCH = 32;

export class Run {
  readonly model: GPT | CharLSTM;
  readonly optimizer: AdamW;
  readonly scheduler: LambdaLR;
  /** Draws the training windows' positions. */
  readonly batches: Mulberry32;
  /** Steps trained so far. */
  step = 0;
  readonly trainIds: Int32Array;
  readonly validationIds: Int32Array;

  constructor(
    readonly config: RunConfig,
    readonly corpus: Corpus,
  ) {
    manualSeed(config.seed);
    this.model = buildModel({ ...config, vocabSize: corpus.vocab.size });
    ({ optimizer: this.optimizer, scheduler: this.scheduler } = makeOptimizer(this.model, config));
    this.batches = new Mulberry32(config.seed);
    this.trainIds = corpus.vocab.encode(corpus.train);
    this.validationIds = corpus.vocab.encode(corpus.validation);
    for (const [what, ids] of [
      ['training', this.trainIds],
      ['validation', this.validationIds],
    ] as const)
      if (ids.length < config.context + 1)
        throw new RangeError(
          `the ${what} text has ${ids.length} characters, fewer than a window of context ${config.context} + 1`,
        );
  }

  /** Characters predicted per step. */
  get tokensPerStep(): number {
    return this.config.batchSize * this.config.context;
  }

  /**
   * One step: a batch of random windows, the mean cross-entropy of each next character, backward,
   * clipping, AdamW, the schedule. Returns the loss, unread.
   */
  trainStep(): Tensor {
    const { batchSize, context, clip } = this.config;
    const { x, y } = randomBatch(this.trainIds, batchSize, context, this.batches);
    const logits = this.model.forward(x);
    const loss = crossEntropy(
      logits.reshape([batchSize * context, this.corpus.vocab.size]),
      y.reshape([batchSize * context]),
    );
    this.optimizer.zeroGrad();
    loss.backward();
    if (clip > 0) clipGradNorm(this.model.parameters(), clip);
    this.optimizer.step();
    this.scheduler.step();
    this.step++;
    return loss.data;
  }

  /** `steps` steps; the mean of their losses, read once at the end. */
  async train(steps: number, onStep?: () => void): Promise<number> {
    let sum: Tensor = zeros([]);
    for (let s = 0; s < steps; s++) {
      sum = sum.add(this.trainStep());
      onStep?.();
    }
    return (await sum.item()) / steps;
  }

  /**
   * Mean cross-entropy (nats per character) over the first `maxWindows` consecutive windows of the
   * validation text, in evaluation mode (no dropout) and without a graph.
   */
  async validationLoss(maxWindows = Infinity): Promise<number> {
    const { context } = this.config;
    const starts = validationStarts(this.validationIds.length, context, maxWindows);
    const v = this.corpus.vocab.size;
    this.model.eval();
    let sum: Tensor = zeros([]);
    try {
      noGrad(() => {
        for (let i = 0; i < starts.length; i += EVAL_BATCH) {
          const { x, y } = windows(this.validationIds, starts.slice(i, i + EVAL_BATCH), context);
          const logits = this.model.forward(x);
          const loss = crossEntropy(logits.reshape([-1, v]), y.reshape([-1]), { reduction: 'sum' });
          sum = sum.add(loss.data);
        }
      });
    } finally {
      this.model.train();
    }
    return (await sum.item()) / (starts.length * context);
  }
}
