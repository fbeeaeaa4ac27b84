// The two language models: a decoder-only Transformer (GPT) and an LSTM, each from characters' ids
// [batch, T] to next-character logits [batch, T, vocab]. Browser-safe. Module names follow nanoGPT
// (wte, wpe, h.N, ln_f, lm_head) over PyTorch's own layers' names, so the state dict of
// bench/src/charlm/torch_gpt.py's model loads here and the other way round.
import { linear, type Variable } from '@nablajs/autograd';
import {
  Embedding,
  generateSquareSubsequentMask,
  init,
  LayerNorm,
  Linear,
  LSTM,
  Module,
  ModuleList,
  type Parameter,
  TransformerEncoderLayer,
} from '@nablajs/nn';
import { arange, type Tensor } from '@nablajs/tensor';

/** The shape of a model: which kind, and its sizes. */
export interface ModelSpec {
  model: 'gpt' | 'lstm';
  /** Characters in the vocabulary. */
  vocabSize: number;
  /** Characters a GPT sees at once (its position table's size); an LSTM trains on windows of it. */
  context: number;
  /** Transformer blocks, or LSTM layers. */
  layers: number;
  /** Attention heads (GPT only). */
  heads: number;
  /** Width: the embedding size (GPT), or the hidden size (LSTM, whose embedding has the same). */
  dim: number;
  /** Dropout on attention weights, after attention and in the feed-forward block (GPT), or between
   * LSTM layers. */
  dropout: number;
  /** Use the token embedding as the output layer too (GPT only). */
  tieWeights: boolean;
}

/** The models the app trains: `forward(ids)` gives logits [batch, T, vocab]. */
export interface LanguageModel extends Module {
  readonly spec: ModelSpec;
  forward(ids: Tensor): Variable;
}

/**
 * GPT-2's initialisation, as nanoGPT writes it: every weight matrix and embedding from N(0, 0.02²),
 * the projections back into the residual stream (attention's output and the feed-forward block's
 * second layer) from N(0, (0.02/√(2·layers))²) so the stream's variance does not grow with depth,
 * biases 0, LayerNorms 1 and 0 (as built).
 */
export function gptInit(m: GPT): void {
  const std = 0.02;
  const residual = std / Math.sqrt(2 * m.spec.layers);
  init.normal(m.wte.weight, { std });
  init.normal(m.wpe.weight, { std });
  for (const block of m.blocks()) {
    init.normal(block.self_attn.in_proj_weight, { std });
    init.normal(block.self_attn.out_proj.weight, { std: residual });
    init.normal(block.linear1.weight, { std });
    init.normal(block.linear2.weight, { std: residual });
    for (const b of [
      block.self_attn.in_proj_bias,
      block.self_attn.out_proj.bias,
      block.linear1.bias,
      block.linear2.bias,
    ])
      if (b) init.zeros(b);
  }
  if (m.lm_head) init.normal(m.lm_head.weight, { std });
}

/**
 * A decoder-only Transformer: token and position embeddings, `layers` pre-norm blocks (PyTorch's
 * `TransformerEncoderLayer` with `normFirst`, GELU, a 4× feed-forward block and a causal mask), a
 * final LayerNorm and a linear map to the vocabulary, or the token embedding itself when tied.
 */
export class GPT extends Module implements LanguageModel {
  readonly wte: Embedding;
  readonly wpe: Embedding;
  readonly h: ModuleList;
  readonly ln_f: LayerNorm;
  readonly lm_head: Linear | null;
  /** The causal mask of each length met so far (−∞ above the diagonal). */
  readonly #masks = new Map<number, Tensor>();

  constructor(readonly spec: ModelSpec) {
    super();
    const { vocabSize, context, layers, heads, dim, dropout } = spec;
    this.wte = new Embedding(vocabSize, dim);
    this.wpe = new Embedding(context, dim);
    this.h = new ModuleList(
      Array.from(
        { length: layers },
        () =>
          new TransformerEncoderLayer(dim, heads, {
            dimFeedforward: 4 * dim,
            dropout,
            activation: 'gelu',
            batchFirst: true,
            normFirst: true,
          }),
      ),
    );
    this.ln_f = new LayerNorm(dim);
    this.lm_head = spec.tieWeights ? null : new Linear(dim, vocabSize, { bias: false });
    gptInit(this);
  }

  /** The Transformer blocks, typed. */
  blocks(): TransformerEncoderLayer[] {
    return this.h.children() as TransformerEncoderLayer[];
  }

  /** The causal mask for `t` positions. */
  mask(t: number): Tensor {
    let m = this.#masks.get(t);
    if (!m) this.#masks.set(t, (m = generateSquareSubsequentMask(t)));
    return m;
  }

  /** The residual stream after the embeddings: token + position, [batch, T, dim]. */
  embed(ids: Tensor): Variable {
    const t = ids.shape[1]!;
    if (t > this.spec.context)
      throw new RangeError(`GPT: ${t} positions exceed the context of ${this.spec.context}`);
    return this.wte.forward(ids).add(this.wpe.forward(arange(t)));
  }

  /** The output layer's weight: lm_head's, or the token embedding's when tied. */
  get outputWeight(): Parameter {
    return this.lm_head?.weight ?? this.wte.weight;
  }

  forward(ids: Tensor): Variable {
    let x = this.embed(ids);
    const mask = this.mask(ids.shape[1]!);
    for (const block of this.blocks()) x = block.forward(x, mask);
    return linear(this.ln_f.forward(x), this.outputWeight);
  }

  /**
   * The attention weights of head `head` in block `layer` for one sequence `ids` [1, T]: [T, T],
   * row i the weights query i gives to keys 0…i.
   */
  attention(ids: Tensor, layer: number, head: number): Variable {
    let x = this.embed(ids);
    const mask = this.mask(ids.shape[1]!);
    const blocks = this.blocks();
    for (const block of blocks.slice(0, layer)) x = block.forward(x, mask);
    const block = blocks[layer]!;
    const y = block.norm1.forward(x);
    const [, weights] = block.self_attn.forwardWithWeights(y, y, y, {
      attnMask: mask,
      averageAttnWeights: false,
    });
    // [1, heads, T, T] → [T, T]
    return weights!.slice([0, head]);
  }
}

/** An embedding, a stack of LSTM layers and a linear map from the hidden state to the vocabulary. */
export class CharLSTM extends Module implements LanguageModel {
  readonly embedding: Embedding;
  readonly lstm: LSTM;
  readonly head: Linear;

  constructor(readonly spec: ModelSpec) {
    super();
    const { vocabSize, layers, dim, dropout } = spec;
    this.embedding = new Embedding(vocabSize, dim);
    this.lstm = new LSTM(dim, dim, { numLayers: layers, batchFirst: true, dropout });
    this.head = new Linear(dim, vocabSize);
  }

  forward(ids: Tensor): Variable {
    return this.forwardWithState(ids)[0];
  }

  /** The logits and the state after the last character, to carry on from (sampling). */
  forwardWithState(ids: Tensor, state?: [Variable, Variable]): [Variable, [Variable, Variable]] {
    const [out, next] = this.lstm.forwardWithState(this.embedding.forward(ids), state);
    return [this.head.forward(out), next];
  }
}

/** A new model of `spec`, its weights from the global generator (seed it first). */
export function buildModel(spec: ModelSpec): GPT | CharLSTM {
  return spec.model === 'gpt' ? new GPT(spec) : new CharLSTM(spec);
}

/** Parameters in the model (a tied matrix counted once). */
export function countParameters(m: Module): number {
  return m.parameters().reduce((n, p) => n + p.size, 0);
}
