import type { Variable } from '@nablajs/autograd';
import { type Tensor, fusedSgd, zerosLike } from '@nablajs/tensor';
import {
  OptimizerError,
  checkBoolean,
  checkFinite,
  checkKeys,
  checkNonNegative,
} from './errors.js';
import {
  Optimizer,
  type ParamGroup,
  type ParamGroupInput,
  Scratch,
  blendInto,
  effectiveGrad,
  merge,
} from './optimizer.js';

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

const KEYS = ['lr', 'momentum', 'dampening', 'nesterov', 'weightDecay', 'maximize'] as const;

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
    checkKeys('SGD', o, KEYS);
    checkKeys('SGD', this.defaults, KEYS);
    const v = merge(this.defaults, o);
    if (v.lr === undefined)
      throw new OptimizerError(
        'SGD',
        'lr is required',
        'pass it with the options, new SGD(params, { lr: 0.1 }), or in every parameter group',
      );
    const opts: SGDOptions = {
      lr: checkNonNegative('SGD', 'learning rate', v.lr),
      momentum: checkNonNegative('SGD', 'momentum value', v.momentum ?? 0),
      dampening: checkFinite('SGD', 'dampening', v.dampening ?? 0),
      nesterov: checkBoolean('SGD', 'nesterov', v.nesterov ?? false),
      weightDecay: checkNonNegative('SGD', 'weightDecay value', v.weightDecay ?? 0),
      maximize: checkBoolean('SGD', 'maximize', v.maximize ?? false),
    };
    if (opts.nesterov && (opts.momentum <= 0 || opts.dampening !== 0))
      throw new OptimizerError(
        'SGD',
        `Nesterov momentum requires a momentum and zero dampening (got momentum ${opts.momentum}, dampening ${opts.dampening})`,
        'set momentum > 0 and dampening 0, or nesterov false',
      );
    return opts;
  }

  protected updateGroup(group: ParamGroup<SGDOptions>): void {
    const { lr, momentum, dampening, nesterov, weightDecay, maximize } = group;
    for (const p of group.params) {
      const grad = this.gradOf(p);
      if (!grad) continue;
      if (momentum === 0 && fusedSgd(p.data, grad, null, { ...group, init: false })) continue;
      if (momentum !== 0) {
        const state = this.stateOf(p);
        const init = !state.momentumBuffer;
        const buf = (state.momentumBuffer ??= zerosLike(p.data)) as Tensor;
        if (fusedSgd(p.data, grad, buf, { ...group, init })) continue;
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
