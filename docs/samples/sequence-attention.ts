// #region sample
import { cpu } from '@nablajs/backend-cpu';
import { toDot, toMermaid, variable } from '@nablajs/autograd';
import {
  generateSquareSubsequentMask,
  Linear,
  scaledDotProductAttention,
} from '@nablajs/nn';
import { manualSeed, randn, useBackend } from '@nablajs/tensor';

useBackend(cpu());
manualSeed(0);

const T = 4; // positions
const d = 8; // features
const x = variable(randn([1, T, d]), { name: 'x' });

// 1. queries, keys and values: three linear maps of the same input
const [Wq, Wk, Wv] = [0, 1, 2].map(() => new Linear(d, d, { bias: false }));
const q = Wq!.forward(x);
const k = Wk!.forward(x);
const v = Wv!.forward(x);
q.name = 'q';
k.name = 'k';
v.name = 'v';

// 2. scores: how well each query matches each key, scaled by 1/√d
const scores = q.matmul(k.transpose(-2, -1)).mul(1 / Math.sqrt(d)); // [1, T, T]
scores.name = 'scores';

// 3. the causal mask: −∞ above the diagonal, so position i sees positions ≤ i only
const mask = generateSquareSubsequentMask(T);
const masked = scores.add(mask);

// 4. softmax over the keys: each row of weights sums to 1
const weights = masked.softmax(-1);
weights.name = 'weights';

// 5. each position's output: its weighted mean of the values
const out = weights.matmul(v); // [1, T, d]
out.name = 'out';

// the same in one call, and the graph of the steps above
const fused = scaledDotProductAttention(q, k, v, { isCausal: true });
console.log(toMermaid(out)); // flowchart LR …
// #endregion sample

out.sum().backward();
const w = (await weights.data.data()) as Float32Array;
export const results = {
  weights: Array.from({ length: T }, (_, i) =>
    Array.from(w.subarray(i * T, (i + 1) * T)),
  ),
  out: Array.from(await out.data.data()),
  fused: Array.from(await fused.data.data()),
  hasWqGrad: Wq!.weight.grad !== null,
};
export const mermaid = toMermaid(out);
export const dot = toDot(out);
