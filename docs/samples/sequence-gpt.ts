// #region model
import { noGrad, type Variable } from '@nablajs/autograd';
import { cpu } from '@nablajs/backend-cpu';
import {
  crossEntropy,
  Embedding,
  generateSquareSubsequentMask,
  LayerNorm,
  Linear,
  Module,
  ModuleList,
  TransformerEncoderLayer,
} from '@nablajs/nn';
import { AdamW, clipGradNorm, LambdaLR } from '@nablajs/optim';
import {
  arange,
  manualSeed,
  rand,
  type Tensor,
  tensor,
  useBackend,
} from '@nablajs/tensor';

useBackend(cpu());
manualSeed(1);

/** A decoder-only Transformer: embeddings, pre-norm blocks with a causal mask, logits. */
class GPT extends Module {
  readonly wte: Embedding;
  readonly wpe: Embedding;
  readonly h: ModuleList;
  readonly ln_f: LayerNorm;
  readonly lm_head: Linear;

  constructor(
    vocab: number,
    readonly context: number,
    dim: number,
    heads: number,
    layers: number,
  ) {
    super();
    this.wte = new Embedding(vocab, dim);
    this.wpe = new Embedding(context, dim);
    const block = () =>
      new TransformerEncoderLayer(dim, heads, {
        dimFeedforward: 4 * dim,
        dropout: 0,
        activation: 'gelu',
        batchFirst: true,
        normFirst: true, // pre-norm, as GPT-2
      });
    this.h = new ModuleList(Array.from({ length: layers }, block));
    this.ln_f = new LayerNorm(dim);
    this.lm_head = new Linear(dim, vocab, { bias: false });
  }

  /** ids [batch, T] (int32) → logits [batch, T, vocab] for the character after each position. */
  forward(ids: Tensor): Variable {
    const t = ids.shape[1]!;
    let x = this.wte.forward(ids).add(this.wpe.forward(arange(t)));
    const mask = generateSquareSubsequentMask(t);
    for (const block of this.h.children() as TransformerEncoderLayer[])
      x = block.forward(x, mask);
    return this.lm_head.forward(this.ln_f.forward(x));
  }
}
// #endregion model

// #region train
const text = 'the cat sat on the mat. '.repeat(40);
const chars = [...new Set(text)].sort();
const data = Int32Array.from(text, (c) => chars.indexOf(c));
const T = 16;
const model = new GPT(chars.length, T, 32, 4, 2);

// AdamW, 10 steps of warm-up then constant, gradients clipped to norm 1
const optimizer = new AdamW(model.parameters(), { lr: 3e-3, weightDecay: 0.1 });
const schedule = new LambdaLR(optimizer, {
  lrLambda: (s) => Math.min(1, (s + 1) / 10),
});

/** 16 windows of T + 1 characters at random places: inputs, and the same shifted by one. */
function batch() {
  const x = new Int32Array(16 * T);
  const y = new Int32Array(16 * T);
  const u = rand([16]).dataSync(); // seeded by manualSeed
  for (let b = 0; b < 16; b++) {
    const s = Math.floor(u[b]! * (data.length - T - 1));
    x.set(data.subarray(s, s + T), b * T);
    y.set(data.subarray(s + 1, s + T + 1), b * T);
  }
  const shape = [16, T];
  return {
    x: tensor(x, { shape, dtype: 'int32' }),
    y: tensor(y, { shape, dtype: 'int32' }),
  };
}

const losses: number[] = [];
for (let step = 0; step < 60; step++) {
  const { x, y } = batch();
  const logits = model.forward(x); // [16, T, vocab]
  const loss = crossEntropy(
    logits.reshape([-1, chars.length]),
    y.reshape([-1]),
  );
  optimizer.zeroGrad();
  loss.backward();
  clipGradNorm(model.parameters(), 1);
  optimizer.step();
  schedule.step();
  losses.push(await loss.item());
}
console.log(losses[0], losses.at(-1)); // ≈ 2.9 (ln 10 = 2.3 is a uniform guess), then ≈ 0.3
// #endregion train

// #region sample
/** Greedy decoding: append the likeliest next character, `n` times. */
async function complete(prompt: string, n: number): Promise<string> {
  const ids = Array.from(prompt, (c) => chars.indexOf(c));
  for (let i = 0; i < n; i++) {
    const window = ids.slice(-T);
    const logits = noGrad(() =>
      model.forward(
        tensor(window, { shape: [1, window.length], dtype: 'int32' }),
      ),
    );
    const last = logits.data.slice([0, window.length - 1]); // [vocab]
    ids.push(await last.argmax().item());
  }
  return ids.map((i) => chars[i]).join('');
}
console.log(await complete('the c', 20)); // the cat sat on the ma… after 60 steps
// #endregion sample

export { losses };
export const completion = await complete('the c', 20);
