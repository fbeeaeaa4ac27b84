import type { Variable } from '@nablajs/autograd';
import { type Tensor, fusedSgd, zerosLike } from '@nablajs/tensor';
import {
  type OptionChecks,
  OptimizerError,
  boolean,
  checkNonNegative,
  finite,
  nonNegative,
} from './errors.js';
import {
  Optimizer,
  type ParamGroup,
  type ParamGroupInput,
  Scratch,
  blendInto,
  effectiveGrad,
} from './optimizer.js';
import { resolveGroupOptions } from './options.js';

/** Options of `SGD`, PyTorch's names in camelCase. */
export interface SGDOptions {
  /** Learning rate; required (no default, as in PyTorch). */
  lr: number;
  /** Momentum factor (default 0: plain SGD). */
  momentum: number;
  /** Dampening for momentum (default 0). */
  dampening: number;
  /** Nesterov momentum (default false); needs momentum > 0 and dampening 0. */
  nesterov: boolean;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize: boolean;
}

const CHECKS: OptionChecks<SGDOptions> = {
  lr(op, value) {
    if (value === undefined)
      throw new OptimizerError(
        op,
        'lr is required',
        'pass it with the options, new SGD(params, { lr: 0.1 }), or in every parameter group',
      );
    return checkNonNegative(op, 'learning rate', value);
  },
  momentum: nonNegative('momentum value', 0),
  dampening: finite('dampening', 0),
  nesterov: boolean('nesterov', false),
  weightDecay: nonNegative('weightDecay value', 0),
  maximize: boolean('maximize', false),
};

/**
 * Stochastic gradient descent with optional momentum, Nesterov momentum and weight decay — the
 * maths of PyTorch 1.13's `torch.optim.SGD`:
 *
 *     g ← ±∇ + λθ;   b ← g (first step), b ← μb + (1−τ)g;   g ← g + μb (Nesterov) or b;   θ ← θ − ηg
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: Iterable<Variable>, options: Partial<SGDOptions> & { lr: number });
  constructor(params: Iterable<ParamGroupInput<SGDOptions>>, options?: Partial<SGDOptions>);
  constructor(
    params: Iterable<Variable> | Iterable<ParamGroupInput<SGDOptions>>,
    options: Partial<SGDOptions> = {},
  ) {
    super('SGD', params, options, ['momentumBuffer']);
  }

  protected resolveOptions(o: Partial<SGDOptions>): SGDOptions {
    const opts = resolveGroupOptions(this.name, this.defaults, o, CHECKS);
    if (opts.nesterov && (opts.momentum <= 0 || opts.dampening !== 0))
      throw new OptimizerError(
        this.name,
        `Nesterov momentum requires a momentum and zero dampening (got momentum ${opts.momentum}, dampening ${opts.dampening})`,
        'set momentum > 0 and dampening 0, or nesterov false',
      );
    return opts;
  }

  protected updateGroup(group: ParamGroup<SGDOptions>): void {
    const { lr, momentum, dampening, nesterov, weightDecay, maximize } = group;
    // the fused step's options, made once per group (not a copy of the group per parameter)
    const step = { lr, momentum, dampening, nesterov, weightDecay, maximize, init: false };
    const first = { ...step, init: true };
    for (const p of group.params) {
      const grad = this.ownGradOf(p);
      if (!grad) continue;
      if (momentum === 0 && fusedSgd(p.data, grad, null, step)) continue;
      if (momentum !== 0) {
        const state = this.stateOf(p);
        const init = !state.momentumBuffer;
        const buf = (state.momentumBuffer ??= zerosLike(p.data)) as Tensor;
        if (fusedSgd(p.data, grad, buf, init ? first : step)) continue;
        if (init) delete state.momentumBuffer;
      }
      const s = new Scratch();
      let d = effectiveGrad(s, grad, p.data, weightDecay, maximize);
      if (momentum !== 0) {
        const state = this.stateOf(p);
        let buf = state.momentumBuffer as Tensor | undefined;
        if (!buf) {
          buf = d === grad ? grad.clone() : s.own(d);
          state.momentumBuffer = buf;
        } else blendInto(s, buf, momentum, d, 1 - dampening);
        d = nesterov ? s.t(d.add(s.t(buf.mul(momentum)))) : buf;
      }
      p.data.assign(s.t(p.data.sub(s.t(d.mul(lr)))));
      s.dispose();
    }
  }
}
