import { cpu } from '@nablajs/backend-cpu';
import { variable } from '@nablajs/autograd';
import {
  type Tensor,
  manualSeed,
  randn,
  tensor,
  useBackend,
} from '@nablajs/tensor';

useBackend(cpu());
manualSeed(0);

// #region setup
// A network of L = 3 layers, sizes 4 → 5 → 3 → 2, sigmoid everywhere, loss
// ½‖y⁽ᴸ⁾ − c‖²
const sizes = [4, 5, 3, 2];
const W: Tensor[] = sizes
  .slice(1)
  .map((n, l) => randn([n, sizes[l]!]).mul(0.5)); // W⁽ˡ⁾: [out, in]
const x1 = randn([4, 1]); // one training example x⁽¹⁾, a column
const c = tensor([[1], [0]]); // its target
const f = (a: Tensor) => a.sigmoid();
// σ′(a) = σ(a)(1 − σ(a))
const fPrime = (a: Tensor) => a.sigmoid().mul(a.sigmoid().neg().add(1));
// #endregion setup

// #region by-hand
// Forward pass: keep each layer's input x⁽ˡ⁾ and pre-activation a⁽ˡ⁾
const xs: Tensor[] = [x1];
const as: Tensor[] = [];
for (const Wl of W) {
  const a = Wl.matmul(xs.at(-1)!); // a⁽ˡ⁾ = W⁽ˡ⁾x⁽ˡ⁾
  as.push(a);
  xs.push(f(a)); // x⁽ˡ⁺¹⁾ = y⁽ˡ⁾ = f(a⁽ˡ⁾)
}
const yL = xs.at(-1)!;

// Backward pass: δ⁽ᴸ⁾ = ∇ at the output's pre-activation, then δ⁽ˡ⁻¹⁾ =
// f′(a⁽ˡ⁻¹⁾) ∘ (W⁽ˡ⁾ᵗ δ⁽ˡ⁾)
const L = W.length;
const deltas: Tensor[] = new Array(L);
deltas[L - 1] = yL.sub(c).mul(fPrime(as[L - 1]!)); // ∂(½‖y − c‖²)/∂a⁽ᴸ⁾
for (let l = L - 1; l > 0; l--)
  deltas[l - 1] = fPrime(as[l - 1]!).mul(W[l]!.transpose().matmul(deltas[l]!));

// The gradient of each W⁽ˡ⁾ is δ⁽ˡ⁾ x⁽ˡ⁾ᵗ, and the update W⁽ˡ⁾ ← W⁽ˡ⁾ − η δ⁽ˡ⁾
// x⁽ˡ⁾ᵗ
const byHand = deltas.map((d, l) => d.matmul(xs[l]!.transpose()));
// #endregion by-hand

// #region autograd
// The same gradients from autograd: write the forward pass, call backward()
const params = W.map((Wl) => variable(Wl, { requiresGrad: true }));
let y = variable(x1);
for (const Wl of params) y = Wl.matmul(y).sigmoid();
const loss = y.sub(c).square().sum().mul(0.5);
loss.backward();

for (let l = 0; l < L; l++) {
  const diff = await params[l]!.grad!.sub(byHand[l]!).abs().max().item();
  console.log(`layer ${l + 1}: max |autograd − by hand| = ${diff}`);
  // 0, or a few 1e-9 at most
}
// #endregion autograd

// #region step
const eta = 0.5;
// one SGD step on this example
const updated = W.map((Wl, l) => Wl.sub(byHand[l]!.mul(eta)));
// #endregion step

export const differences = await Promise.all(
  params.map((p, l) => p.grad!.sub(byHand[l]!).abs().max().item()),
);
export const lossBefore = await loss.item();
export const lossAfter = await (async () => {
  let out = x1;
  for (const Wl of updated) out = f(Wl.matmul(out));
  return out.sub(c).square().sum().mul(0.5).item();
})();
