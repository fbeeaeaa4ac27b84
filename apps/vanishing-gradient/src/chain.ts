import { type Variable, variable } from '@nablajs/autograd';
import { randn } from '@nablajs/tensor';

/** One factor of the lecture's product (2), with its value. */
export interface ChainTerm {
  /** e.g. `∂C/∂y4`, `σ'(a4)`, `w4`. */
  name: string;
  value: number;
}

export interface ChainResult {
  x: number;
  target: number;
  w: number[];
  b: number[];
  /** Pre-activations a1…a4. */
  a: number[];
  terms: ChainTerm[];
  /** The product of the terms, computed here. */
  product: number;
  /** ∂C/∂b1 from autograd (`b1.grad` after `C.backward()`). */
  autograd: number;
  /** ∂C/∂a_i = δ_i from autograd (retainGrad on a_i), i = 1…4, beside the partial products. */
  deltas: { layer: number; autograd: number; product: number }[];
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const sigmoidPrime = (z: number) => sigmoid(z) * (1 - sigmoid(z));

/** The weights and biases the lecture's example draws: N(0, 1) from `seed`, in float64. */
export function seededWeights(seed = 1): { w: number[]; b: number[] } {
  const drawn = Array.from(randn([8], { dtype: 'float64', seed }).dataSync());
  return { w: drawn.slice(0, 4), b: drawn.slice(4) };
}

/**
 * The lecture's chain of four single-neuron sigmoid layers, a_i = w_i·y_{i−1} + b_i, y_i = σ(a_i)
 * (y_0 = x), with the quadratic cost C = ½(y4 − target)². Weights and biases are N(0, 1) from `seed`,
 * in float64. Returns the factors ∂C/∂y4 · σ'(a4)·w4 · σ'(a3)·w3 · σ'(a2)·w2 · σ'(a1) computed one by
 * one from the forward values, and ∂C/∂b1 as autograd computes it.
 */
export async function singleNeuronChain(
  opts: { seed?: number; x?: number; target?: number } = {},
): Promise<ChainResult> {
  const { w, b } = seededWeights(opts.seed);
  return chainAt({ w, b, x: opts.x, target: opts.target });
}

/**
 * {@link singleNeuronChain} for given weights `w` and biases `b` (four each): what the web page's
 * sliders set. Autograd runs in float64 on the current backend (the CPU's).
 */
export async function chainAt(opts: {
  w: readonly number[];
  b: readonly number[];
  x?: number;
  target?: number;
}): Promise<ChainResult> {
  const { x = 1, target = 0 } = opts;
  const [w, b] = [[...opts.w], [...opts.b]];
  const wv = w.map((v, i) =>
    variable(v, { requiresGrad: true, dtype: 'float64', name: `w${i + 1}` }),
  );
  const bv = b.map((v, i) =>
    variable(v, { requiresGrad: true, dtype: 'float64', name: `b${i + 1}` }),
  );
  const av: Variable[] = [];
  let y: Variable = variable(x, { dtype: 'float64' });
  for (let i = 0; i < 4; i++) {
    const a = wv[i]!.mul(y).add(bv[i]!).retainGrad();
    av.push(a);
    y = a.sigmoid();
  }
  const cost = y.sub(target).square().mul(0.5);
  cost.backward();

  const a = await Promise.all(av.map((v) => v.item()));
  const y4 = sigmoid(a[3]!);
  const terms: ChainTerm[] = [{ name: '∂C/∂y4', value: y4 - target }];
  for (let i = 3; i >= 0; i--) {
    terms.push({ name: `σ'(a${i + 1})`, value: sigmoidPrime(a[i]!) });
    if (i > 0) terms.push({ name: `w${i + 1}`, value: w[i]! });
  }
  // δ_i = ∂C/∂a_i is the product of the terms up to σ'(a_i): terms 0..(2·(4−i)+1)
  const deltas = await Promise.all(
    av.map(async (v, i) => ({
      layer: i + 1,
      autograd: await v.grad!.item(),
      product: terms.slice(0, 2 * (4 - (i + 1)) + 2).reduce((p, t) => p * t.value, 1),
    })),
  );
  return {
    x,
    target,
    w,
    b,
    a,
    terms,
    product: terms.reduce((p, t) => p * t.value, 1),
    autograd: await bv[0]!.grad!.item(),
    deltas,
  };
}
