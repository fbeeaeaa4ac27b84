import { cpu } from '@nablajs/backend-cpu';
import { customFunction, grad, noGrad, variable } from '@nablajs/autograd';
import { useBackend } from '@nablajs/tensor';

useBackend(cpu());

// #region backward
// f(x, w) = Σ σ(w·x): a leaf that requires grad gets a .grad after backward
const x = variable([1, 2, 3], { name: 'x' }); // a constant input
const w = variable([0.5], { requiresGrad: true, name: 'w' }); // a parameter
const f = w.mul(x).sigmoid().sum();
f.backward();
console.log(w.grad!.toString()); // array([1.0757]) = Σ σ′(w·xᵢ)·xᵢ
console.log(x.grad); // null: x does not require grad
// #endregion backward

// #region grad
// grad() returns the gradients instead of accumulating them (Theano's T.grad)
const z = variable([0.5, -1, 2], { requiresGrad: true });
// 3z², itself differentiable
const [dz] = grad(z.pow(3).sum(), [z], { createGraph: true });
const [dzz] = grad(dz!.sum(), [z]); // 6z
console.log(await dz!.values(), await dzz!.values());
// [0.75, 3, 12] [3, -6, 12]
// #endregion grad

// #region nograd
// No graph is recorded inside noGrad (evaluation, parameter updates); detach()
// cuts a value loose
const evaluated = noGrad(() => w.mul(x).sigmoid());
console.log(evaluated.requiresGrad, w.mul(x).detach().requiresGrad);
// false false
// #endregion nograd

// #region hooks
// retainGrad keeps .grad on an intermediate; a hook sees (and may replace) a
// gradient
const a = w.mul(x);
a.retainGrad();
const seen: number[] = [];
a.registerHook((g) => {
  seen.push(...g.data.dataSync());
});
w.zeroGrad();
a.square().sum().backward();
console.log(await a.grad!.data(), seen);
// [1, 2, 3] both times: ∂(Σ a²)/∂a = 2a
// #endregion hooks

// #region custom
// A function node of your own: a forward, and a backward given ∂l/∂out
const cube = customFunction({
  name: 'cube',
  forward(ctx, t) {
    ctx.saveForBackward(t);
    return t.mul(t).mul(t);
  },
  backward(ctx, g) {
    const [t] = ctx.saved;
    return g.mul(t!.square().mul(3)); // ∂l/∂t = ∂l/∂out · 3t²
  },
});
const u = variable([1, 2], { requiresGrad: true });
cube(u).sum().backward();
console.log(await u.grad!.data()); // [3, 12]
// #endregion custom

export const results = {
  // after the hooks example: ∂(Σ (w·x)²)/∂w = 2w·Σx² = 14
  wGrad: Array.from(w.grad!.dataSync()),
  xGrad: x.grad,
  dz: Array.from(await dz!.values()),
  dzz: Array.from(await dzz!.values()),
  noGradRequires: evaluated.requiresGrad,
  retained: Array.from(await a.grad!.data()),
  seen,
  cubeGrad: Array.from(await u.grad!.data()),
};
