// #region sample
import { cpu } from '@nablajs/backend-cpu';
import { variable } from '@nablajs/autograd';
import { useBackend } from '@nablajs/tensor';

useBackend(cpu());

// The lecture's simplest deep network: four sigmoid neurons in a chain, a cost
// C = ½(y₄ − target)²
const w = [0.38, -0.3, -0.25, -1.0].map((v) =>
  variable([v], { requiresGrad: true, dtype: 'float64' }),
);
const b = [0.63, -0.63, -0.68, -1.01].map((v) =>
  variable([v], { requiresGrad: true, dtype: 'float64' }),
);
const input = variable([1], { dtype: 'float64' });

const a: number[] = []; // the pre-activations aᵢ, for the chain below
let y = input;
for (let i = 0; i < 4; i++) {
  const ai = w[i]!.mul(y).add(b[i]!);
  a.push(ai.data.dataSync()[0]!);
  y = ai.sigmoid();
}
const target = 0;
const C = y.sub(target).square().mul(0.5);
C.backward();

// ∂C/∂b₁ = ∂C/∂y₄ · σ′(a₄) · w₄ · σ′(a₃) · w₃ · σ′(a₂) · w₂ · σ′(a₁)
const sigma = (v: number) => 1 / (1 + Math.exp(-v));
const dsigma = (v: number) => sigma(v) * (1 - sigma(v)); // at most 1/4
const wv = w.map((wi) => wi.data.dataSync()[0]!);
const dCdy4 = y.data.dataSync()[0]! - target;
const chain =
  dCdy4 *
  dsigma(a[3]!) *
  wv[3]! *
  dsigma(a[2]!) *
  wv[2]! *
  dsigma(a[1]!) *
  wv[1]! *
  dsigma(a[0]!);

const grads = b.map((bi) => bi.grad!.dataSync()[0]!);
console.log(chain, grads[0]);
// the same number, from the product and from autograd
// |∂C/∂bᵢ| grows from b₁ to b₄: ['2.3e-5', '3.9e-4', '7.5e-3', '3.5e-2']
console.log(grads.map((g) => Math.abs(g).toExponential(1)));
// #endregion sample

export const results = { chain, grads };
