import type { Variable } from '@nablajs/autograd';
import { type Tensor, fusedAdam, stateZerosLike, zerosLike } from '@nablajs/tensor';
import { type OptionChecks, boolean, checkBetas, nonNegative } from './errors.js';
import {
  Optimizer,
  type ParamGroup,
  type ParamGroupInput,
  Scratch,
  blendInto,
  effectiveGrad,
} from './optimizer.js';
import { merge, resolveGroupOptions } from './options.js';

/** Options of `Adam` and `AdamW`, PyTorch's names in camelCase. */
export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr: number;
  /** Decay rates of the first and second moment averages, each in [0, 1) (default [0.9, 0.999]). */
  betas: [number, number];
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps: number;
  /** Adam: L2 penalty added to the gradient (default 0). AdamW: decoupled decay rate (default 0.01). */
  weightDecay: number;
  /** The AMSGrad variant: normalize by the running maximum of the second moment (default false). */
  amsgrad: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize: boolean;
}

const CHECKS: OptionChecks<AdamOptions> = {
  lr: nonNegative('learning rate'),
  betas: checkBetas,
  eps: nonNegative('epsilon value'),
  weightDecay: nonNegative('weightDecay value'),
  amsgrad: boolean('amsgrad'),
  maximize: boolean('maximize'),
};
const ADAM: AdamOptions = {
  lr: 1e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  amsgrad: false,
  maximize: false,
};
const STATE = ['step', 'expAvg', 'expAvgSq', 'maxExpAvgSq'] as const;

type Params = Iterable<Variable> | Iterable<ParamGroupInput<AdamOptions>>;

/** What Adam and AdamW share: the moment estimates and the bias-corrected step. */
abstract class AdamBase extends Optimizer<AdamOptions> {
  /** Whether weight decay is decoupled from the gradient (AdamW) or added to it (Adam). */
  protected abstract readonly decoupled: boolean;

  protected resolveOptions(o: Partial<AdamOptions>): AdamOptions {
    return resolveGroupOptions(this.name, this.defaults, o, CHECKS);
  }

  protected updateGroup(group: ParamGroup<AdamOptions>): void {
    const { lr, betas, eps, weightDecay, amsgrad, maximize } = group;
    const [beta1, beta2] = betas;
    for (const p of group.params) {
      const grad = this.ownGradOf(p);
      if (!grad) continue;
      const state = this.stateOf(p);
      const step = ((state.step as number | undefined) ?? 0) + 1;
      state.step = step;
      if (!state.expAvg && !state.expAvgSq) {
        // where the backend's Adam kernel updates them in place
        const [m, v] = stateZerosLike(p.data, 2) as [Tensor, Tensor];
        [state.expAvg, state.expAvgSq] = [m, v];
      }
      const expAvg = (state.expAvg ??= zerosLike(p.data)) as Tensor;
      const expAvgSq = (state.expAvgSq ??= zerosLike(p.data)) as Tensor;
      const vmax = amsgrad ? ((state.maxExpAvgSq ??= zerosLike(p.data)) as Tensor) : null;
      const fused = {
        lr,
        beta1,
        beta2,
        eps,
        weightDecay,
        decoupled: this.decoupled,
        maximize,
        step,
      };
      if (fusedAdam(p.data, grad, expAvg, expAvgSq, vmax, fused)) continue;
      const s = new Scratch();
      const g = effectiveGrad(s, grad, p.data, this.decoupled ? 0 : weightDecay, maximize);
      blendInto(s, expAvg, beta1, g, 1 - beta1);
      blendInto(s, expAvgSq, beta2, s.t(g.square()), 1 - beta2);
      let second = expAvgSq;
      if (amsgrad) {
        second = vmax!;
        second.assign(s.t(second.maximum(expAvgSq)));
      }
      const stepSize = lr / (1 - beta1 ** step);
      const bias2Sqrt = Math.sqrt(1 - beta2 ** step);
      const denom = s.t(s.t(s.t(second.sqrt()).div(bias2Sqrt)).add(eps));
      const theta =
        this.decoupled && weightDecay !== 0 ? s.t(p.data.mul(1 - lr * weightDecay)) : p.data;
      p.data.assign(s.t(theta.sub(s.t(s.t(expAvg.div(denom)).mul(stepSize)))));
      s.dispose();
    }
  }
}

/**
 * Adam (Kingma & Ba), PyTorch 1.13's `torch.optim.Adam`: weight decay is an L2 term added to the
 * gradient. m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², θ ← θ − η/(1−β₁ᵗ) · m / (√v / √(1−β₂ᵗ) + ε).
 */
export class Adam extends AdamBase {
  protected readonly decoupled = false;
  constructor(params: Params, options: Partial<AdamOptions> = {}) {
    super('Adam', params, merge(ADAM, options), STATE);
  }
}

/**
 * AdamW (Loshchilov & Hutter), PyTorch 1.13's `torch.optim.AdamW`: decoupled weight decay,
 * θ ← θ(1 − ηλ) before the Adam step (default λ = 0.01).
 */
export class AdamW extends AdamBase {
  protected readonly decoupled = true;
  constructor(params: Params, options: Partial<AdamOptions> = {}) {
    super('AdamW', params, merge({ ...ADAM, weightDecay: 1e-2 }, options), STATE);
  }
}
