import type { Variable } from '@nablajs/autograd';
import { type Tensor, zerosLike } from '@nablajs/tensor';
import { type OptionChecks, boolean, nonNegative } from './errors.js';
import {
  Optimizer,
  type ParamGroup,
  type ParamGroupInput,
  Scratch,
  blendInto,
  effectiveGrad,
} from './optimizer.js';
import { merge, resolveGroupOptions } from './options.js';

/** Options of `RMSprop`, PyTorch's names in camelCase. */
export interface RMSpropOptions {
  /** Learning rate (default 1e-2). */
  lr: number;
  /** Smoothing constant of the squared-gradient average (default 0.99). */
  alpha: number;
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Momentum factor (default 0). */
  momentum: number;
  /** Normalize by an estimate of the gradient's variance instead of its second moment (default false). */
  centered: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize: boolean;
}

const CHECKS: OptionChecks<RMSpropOptions> = {
  lr: nonNegative('learning rate'),
  alpha: nonNegative('alpha value'),
  eps: nonNegative('epsilon value'),
  weightDecay: nonNegative('weightDecay value'),
  momentum: nonNegative('momentum value'),
  centered: boolean('centered'),
  maximize: boolean('maximize'),
};
const DEFAULTS: RMSpropOptions = {
  lr: 1e-2,
  alpha: 0.99,
  eps: 1e-8,
  weightDecay: 0,
  momentum: 0,
  centered: false,
  maximize: false,
};

/**
 * RMSprop (Hinton), PyTorch 1.13's `torch.optim.RMSprop`:
 *
 *     v ← αv + (1−α)g²;   (centered) ḡ ← αḡ + (1−α)g, v̂ = v − ḡ²;   a = √v̂ + ε
 *     b ← μb + g/a, θ ← θ − ηb  (momentum)   or   θ ← θ − η g/a
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(
    params: Iterable<Variable> | Iterable<ParamGroupInput<RMSpropOptions>>,
    options: Partial<RMSpropOptions> = {},
  ) {
    super('RMSprop', params, merge(DEFAULTS, options), [
      'step',
      'squareAvg',
      'momentumBuffer',
      'gradAvg',
    ]);
  }

  protected resolveOptions(o: Partial<RMSpropOptions>): RMSpropOptions {
    return resolveGroupOptions(this.name, this.defaults, o, CHECKS);
  }

  protected updateGroup(group: ParamGroup<RMSpropOptions>): void {
    const { lr, alpha, eps, weightDecay, momentum, centered, maximize } = group;
    for (const p of group.params) {
      const grad = this.ownGradOf(p);
      if (!grad) continue;
      const state = this.stateOf(p);
      state.step = ((state.step as number | undefined) ?? 0) + 1;
      const squareAvg = (state.squareAvg ??= zerosLike(p.data)) as Tensor;
      const s = new Scratch();
      const g = effectiveGrad(s, grad, p.data, weightDecay, maximize);
      blendInto(s, squareAvg, alpha, s.t(g.square()), 1 - alpha);
      let avg: Tensor;
      if (centered) {
        const gradAvg = (state.gradAvg ??= zerosLike(p.data)) as Tensor;
        blendInto(s, gradAvg, alpha, g, 1 - alpha);
        avg = s.t(s.t(squareAvg.sub(s.t(gradAvg.square()))).sqrt());
      } else avg = s.t(squareAvg.sqrt());
      avg = s.t(avg.add(eps));
      const ratio = s.t(g.div(avg));
      if (momentum > 0) {
        const buf = (state.momentumBuffer ??= zerosLike(p.data)) as Tensor;
        blendInto(s, buf, momentum, ratio, 1);
        p.data.assign(s.t(p.data.sub(s.t(buf.mul(lr)))));
      } else p.data.assign(s.t(p.data.sub(s.t(ratio.mul(lr)))));
      s.dispose();
    }
  }
}
