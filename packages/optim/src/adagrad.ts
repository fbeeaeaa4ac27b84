import type { Variable } from '@nablajs/autograd';
import { type Tensor, full } from '@nablajs/tensor';
import { type OptionChecks, boolean, nonNegative } from './errors.js';
import {
  Optimizer,
  type ParamGroup,
  type ParamGroupInput,
  Scratch,
  effectiveGrad,
} from './optimizer.js';
import { merge, resolveGroupOptions } from './options.js';

/** Options of `Adagrad`, PyTorch's names in camelCase. */
export interface AdagradOptions {
  /** Learning rate (default 1e-2). */
  lr: number;
  /** Learning-rate decay: step t uses lr / (1 + (t−1)·lrDecay) (default 0). */
  lrDecay: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Starting value of the sum of squared gradients (default 0). */
  initialAccumulatorValue: number;
  /** Added to the denominator for numerical stability (default 1e-10). */
  eps: number;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize: boolean;
}

const CHECKS: OptionChecks<AdagradOptions> = {
  lr: nonNegative('learning rate'),
  lrDecay: nonNegative('lrDecay value'),
  weightDecay: nonNegative('weightDecay value'),
  initialAccumulatorValue: nonNegative('initialAccumulatorValue value'),
  eps: nonNegative('epsilon value'),
  maximize: boolean('maximize'),
};
const DEFAULTS: AdagradOptions = {
  lr: 1e-2,
  lrDecay: 0,
  weightDecay: 0,
  initialAccumulatorValue: 0,
  eps: 1e-10,
  maximize: false,
};

/**
 * Adagrad (Duchi et al.), PyTorch 1.13's `torch.optim.Adagrad`:
 * s ← s + g², θ ← θ − η/(1 + (t−1)·δ) · g / (√s + ε). Its state exists from construction, as in PyTorch.
 */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(
    params: Iterable<Variable> | Iterable<ParamGroupInput<AdagradOptions>>,
    options: Partial<AdagradOptions> = {},
  ) {
    super('Adagrad', params, merge(DEFAULTS, options), ['step', 'sum']);
  }

  override addParamGroup(group: ParamGroupInput<AdagradOptions>): void {
    super.addParamGroup(group);
    const added = this.paramGroups[this.paramGroups.length - 1]!;
    for (const p of added.params) this.initState(p, added.initialAccumulatorValue);
  }

  private initState(p: Variable, initial: number): { step: number; sum: Tensor } {
    const state = this.stateOf(p);
    state.step ??= 0;
    state.sum ??= full(p.shape, initial, { dtype: p.dtype, backend: p.data.backend });
    return state as { step: number; sum: Tensor };
  }

  protected resolveOptions(o: Partial<AdagradOptions>): AdagradOptions {
    return resolveGroupOptions(this.name, this.defaults, o, CHECKS);
  }

  protected updateGroup(group: ParamGroup<AdagradOptions>): void {
    const { lr, lrDecay, weightDecay, eps, maximize } = group;
    for (const p of group.params) {
      const grad = this.ownGradOf(p);
      if (!grad) continue;
      const state = this.initState(p, group.initialAccumulatorValue);
      const step = ++state.step;
      const s = new Scratch();
      const g = effectiveGrad(s, grad, p.data, weightDecay, maximize);
      const clr = lr / (1 + (step - 1) * lrDecay);
      state.sum.assign(s.t(state.sum.add(s.t(g.square()))));
      const std = s.t(s.t(state.sum.sqrt()).add(eps));
      p.data.assign(s.t(p.data.sub(s.t(s.t(g.div(std)).mul(clr)))));
      s.dispose();
    }
  }
}
