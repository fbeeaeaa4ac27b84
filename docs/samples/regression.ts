import { cpu } from '@nablajs/backend-cpu';
import { noGrad } from '@nablajs/autograd';
import { Linear, type Module, Sequential, Tanh, mseLoss } from '@nablajs/nn';
import { Adam } from '@nablajs/optim';
import { l2Penalty } from '@nablajs/regularizers';
import {
  type Tensor,
  manualSeed,
  rand,
  randn,
  useBackend,
} from '@nablajs/tensor';

useBackend(cpu());
manualSeed(1);

// #region data
// N noisy samples of g(x) = sin(2x) on [−2, 2]: t = g(x) + ε, ε ~ N(0, β⁻¹)
const N = 1000;
const beta = 100; // the noise precision the fit must recover (σ = 0.1)
const x = rand([N, 1]).mul(4).sub(2);
const t = x
  .mul(2)
  .sin()
  .add(randn([N, 1]).mul(1 / Math.sqrt(beta)));
// #endregion data

// #region fit
// θ_ML minimizes the sum of squares E(θ) = ½ Σᵢ (y(xᵢ, θ) − tᵢ)²; the mean has
// the same minimizer
async function fit(model: Module, penalty = 0, steps = 600): Promise<Tensor> {
  const optimizer = new Adam(model.parameters(), { lr: 0.05 });
  const weights = model.parameters().filter((p) => p.rank > 1);
  for (let step = 0; step < steps; step++) {
    // E(θ)
    let loss = mseLoss(model.forward(x), t, { reduction: 'sum' }).mul(0.5);
    if (penalty > 0) loss = loss.add(l2Penalty(weights, penalty)); // + λ/2 ‖w‖²
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
  }
  return noGrad(() => model.forward(x).data);
}

const network = () =>
  new Sequential(new Linear(1, 16), new Tanh(), new Linear(16, 1));
manualSeed(2); // the initial weights
const net = network();
const y = await fit(net);
// #endregion fit

// #region beta
// Knowing θ_ML, the maximum-likelihood precision: 1/β_ML = (1/N) Σᵢ (y(xᵢ,
// θ_ML) − tᵢ)²
const meanSquare = await y.sub(t).square().mean().item();
const betaHat = 1 / meanSquare;
console.log(`β_ML = ${betaHat.toFixed(1)} (true β = ${beta})`);
// β_ML = 100.3 (true β = 100)
// #endregion beta

// #region linear
// A single layer (no hidden units) can only fit a line: its residual holds the
// misfit too, so
// 1/β_ML measures noise plus model error and β_ML comes out far below the true β
const line = new Linear(1, 1);
const yLine = await fit(line);
const betaLine = 1 / (await yLine.sub(t).square().mean().item());
console.log(`single layer: β_ML = ${betaLine.toFixed(1)}`);
// single layer: β_ML = 2.5
// #endregion linear

// #region map
// MAP with a Gaussian prior N(0, α⁻¹I): minimize E(θ) + (α/β)/2 ‖θ‖², an L2
// penalty with λ = α/β
const alpha = 50;
const lambda = alpha / betaHat;
manualSeed(2); // the same initial weights as the ML fit
const regularized = network();
await fit(regularized, lambda);
const norm = async (m: Module) =>
  m
    .parameters()
    .filter((p) => p.rank > 1)
    .reduce((s, p) => s + p.data.square().sum().dataSync()[0]!, 0);
console.log(
  `‖w‖²: ML ${(await norm(net)).toFixed(1)}, MAP ${(await norm(regularized)).toFixed(1)}`,
); // 22.5, 15.2
// #endregion map

export const results = {
  beta,
  betaHat,
  betaLine,
  lambda,
  normML: await norm(net),
  normMAP: await norm(regularized),
};
