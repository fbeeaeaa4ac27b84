import { type Variable, variable } from '@nablajs/autograd';
import { crossEntropy } from '@nablajs/nn';
import type { Tensor } from '@nablajs/tensor';
import type { Activation, Net } from './model.js';

/** What the probe reads on the fixed batch: the speed of learning of each hidden layer, and more. */
export interface LayerProbe {
  /** ‖∂C/∂b^l‖ of each hidden layer l = 1…L−1, C the mean cross-entropy over the batch. */
  gradNorms: number[];
  /** ‖∂C/∂b‖ of the output layer. */
  outputGradNorm: number;
  /** Hidden units whose activation is 0 for every image of the batch (dead ReLUs), per layer. */
  deadUnits: number[];
  /**
   * The largest difference, relative to ‖∂C/∂b^l‖, between the bias gradient and Σ_batch δ^l with
   * δ^l = ∂C/∂a^l read from the pre-activations by retainGrad() and by a registered hook.
   */
  deltaMismatch: number;
  /** C on the batch. */
  loss: number;
}

export function activate(a: Variable, f: Activation): Variable {
  return f === 'sigmoid' ? a.sigmoid() : f === 'tanh' ? a.tanh() : a.relu();
}

const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));

/** Units (columns of `activations`, [batch, units]) that are exactly 0 for every row. */
export async function countDeadUnits(activations: Tensor): Promise<number> {
  return activations.abs().max(0).eq(0).sum().item();
}

/**
 * One forward and backward pass of the batch (x, y) through `net`. After `loss.backward()` each
 * Linear's `bias.grad` is ∂C/∂b^l: the gradient is read from autograd, not re-derived. The
 * pre-activations a^l keep their gradient δ^l (retainGrad) and a hook records it too; their sums over
 * the batch must equal the bias gradients, which `deltaMismatch` measures. Gradients are cleared after.
 */
export async function probeLayers(net: Net, x: Tensor, y: Tensor): Promise<LayerProbe> {
  const params = net.module.parameters();
  for (const p of params) p.grad = null;
  const hidden = net.linears.length - 1;
  const pre: Variable[] = [];
  const hooked: Tensor[] = [];
  const acts: Tensor[] = [];
  let h: Variable = variable(x);
  for (let l = 0; l < hidden; l++) {
    const a = net.linears[l]!.forward(h).retainGrad();
    a.registerHook((g) => {
      hooked[l] = g.data.sum(0);
    });
    pre.push(a);
    h = activate(a, net.spec.activation);
    acts.push(h.data);
  }
  const out = net.linears[hidden]!.forward(h);
  const loss = crossEntropy(out, y);
  loss.backward();

  const gradNorms: number[] = [];
  const deadUnits: number[] = [];
  let deltaMismatch = 0;
  for (let l = 0; l < hidden; l++) {
    const bias = await net.linears[l]!.bias!.grad!.data();
    const n = norm(bias);
    gradNorms.push(n);
    for (const other of [pre[l]!.grad!.sum(0), hooked[l]!]) {
      const d = await other.data();
      let worst = 0;
      for (let i = 0; i < bias.length; i++) worst = Math.max(worst, Math.abs(bias[i]! - d[i]!));
      deltaMismatch = Math.max(deltaMismatch, n > 0 ? worst / n : worst);
    }
    deadUnits.push(await countDeadUnits(acts[l]!));
  }
  const outputGradNorm = norm(await net.linears[hidden]!.bias!.grad!.data());
  const value = await loss.item();
  for (const p of params) p.grad = null;
  return { gradNorms, outputGradNorm, deadUnits, deltaMismatch, loss: value };
}
