// One training run of the web page: the app's Run (model, AdamW, schedule, batches) on the corpus the
// form picked. It runs in the page's worker, and in Node in the tests. Only asynchronous reads.
import { noGrad } from '@nablajs/autograd';
import { tensor } from '@nablajs/tensor';
import type { DataSource } from 'app-kit/web';
import { type Corpus, Vocab } from '../corpus.js';
import { GPT } from '../model.js';
import { Run, type RunConfig } from '../run.js';
import { generate } from '../sample.js';
import { type PageConfig, SIZES } from './config.js';
import type { SampleRequest } from './protocol.js';

export { DEFAULT_CONFIG, type PageConfig } from './config.js';

/** The corpora the page can train on, by name. */
export type Corpora = Map<PageConfig['data'], Corpus>;

/** The corpora served by the page's Vite plugin (src/vite-corpus.ts), fetched once. */
export const CORPUS_SOURCE: DataSource<Corpora> = {
  loading: 'Loading the corpora (1.3 MB)…',
  async load(base) {
    const names = ['names', 'moby-dick'] as const;
    const texts = await Promise.all(
      names.map(async (name) => {
        const url = new URL(`${name}.json`, base);
        const res = await fetch(url);
        if (!res.ok) throw new Error(`GET ${url} answered ${res.status} ${res.statusText}`);
        const { train, validation } = (await res.json()) as { train: string; validation: string };
        return { name, train, validation, vocab: new Vocab(train + validation) };
      }),
    );
    return new Map(texts.map((c) => [c.name, c]));
  },
  counts: (corpora) => ({
    train: [...corpora.values()].reduce((n, c) => n + c.train.length, 0),
    test: [...corpora.values()].reduce((n, c) => n + c.validation.length, 0),
  }),
};

/** The run's configuration for the page's settings. */
export function runConfig(c: PageConfig): RunConfig {
  return {
    model: c.model,
    ...SIZES[c.size],
    dropout: 0,
    tieWeights: false,
    batchSize: c.batchSize,
    lr: c.lr,
    warmup: Math.min(100, Math.floor(c.steps / 10)),
    steps: c.steps,
    weightDecay: 0.1,
    clip: 1,
    seed: c.seed,
  };
}

/** What a chunk of training steps did. */
export interface ChunkResult {
  steps: number;
  step: number;
  /** Mean training loss of the chunk's steps. */
  loss: number;
  /** Characters predicted per step. */
  tokensPerStep: number;
  epochEnded: boolean;
}

/** Validation windows per measurement while training (a few, so it stays quick on any backend). */
const LIVE_WINDOWS = 16;

export class Session {
  readonly run: Run;

  constructor(
    readonly config: PageConfig,
    readonly corpus: Corpus,
  ) {
    this.run = new Run(runConfig(config), corpus);
  }

  get step(): number {
    return this.run.step;
  }

  async train(steps: number): Promise<ChunkResult> {
    const loss = await this.run.train(steps);
    return {
      steps,
      step: this.step,
      loss,
      tokensPerStep: this.run.tokensPerStep,
      epochEnded: false,
    };
  }

  /** Validation loss on the first windows of the validation text. */
  validationLoss(windows = LIVE_WINDOWS): Promise<number> {
    return this.run.validationLoss(windows);
  }

  /** The characters of `text` the vocabulary knows, and those it does not (dropped). */
  private known(text: string): { kept: string; dropped: string } {
    const chars = Array.from(text);
    const has = new Set(this.corpus.vocab.chars);
    return {
      kept: chars.filter((c) => has.has(c)).join(''),
      dropped: [...new Set(chars.filter((c) => !has.has(c)))].join(''),
    };
  }

  /** A sample after `r.prompt` (a line break when the prompt has no known character). */
  async sample(r: SampleRequest): Promise<string> {
    const prompt = this.known(r.prompt).kept || '\n';
    const ids = await generate(this.run.model, this.corpus.vocab.encode(prompt), r);
    return this.corpus.vocab.decode(ids);
  }

  /** The weights of head `head` of block `layer` over the last `context` known characters of `prompt`. */
  async attention(
    prompt: string,
    layer: number,
    head: number,
  ): Promise<{ tokens: string[]; weights: Float32Array; dropped: string }> {
    const model = this.run.model;
    if (!(model instanceof GPT)) throw new Error('attention weights are for the GPT');
    const { kept, dropped } = this.known(prompt);
    const tokens = Array.from(kept).slice(-model.spec.context);
    if (tokens.length === 0) throw new Error('the prompt has no character of the vocabulary');
    const ids = this.corpus.vocab.encode(tokens.join(''));
    model.eval();
    try {
      const w = noGrad(() =>
        model.attention(tensor(ids, { shape: [1, ids.length], dtype: 'int32' }), layer, head),
      );
      return { tokens, weights: (await w.data.data()) as Float32Array, dropped };
    } finally {
      model.train();
    }
  }
}
