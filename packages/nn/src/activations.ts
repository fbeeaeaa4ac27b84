import { type Variable, where } from '@nablajs/autograd';
import { NablaError } from '@nablajs/tensor';
import { Activation } from './layers.js';
import { type Input, asVariable } from './module.js';

/** How `gelu` computes Φ(x): exactly with erf (`'none'`, PyTorch's default) or with tanh. */
export type GeluApproximate = 'none' | 'tanh';

/** Options of `gelu` and `GELU`. */
export interface GeluOptions {
  /** `'none'` (default): x·Φ(x) with erf; `'tanh'`: the approximation of Hendrycks & Gimpel. */
  approximate?: GeluApproximate;
}

/** Options of `elu` and `ELU`. */
export interface EluOptions {
  /** The value α·(eˣ − 1) tends to for x → −∞ (default 1). */
  alpha?: number;
}

/** Options of `softplus` and `Softplus`. */
export interface SoftplusOptions {
  /** β in log(1 + e^(βx))/β (default 1). */
  beta?: number;
  /** Above βx > threshold the function is x itself (default 20), as in PyTorch. */
  threshold?: number;
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

function checkFinite(op: string, name: string, v: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new NablaError(op, `${name} must be a finite number, got ${String(v)}`);
  return v;
}

/**
 * The Gaussian error linear unit, x·Φ(x) (PyTorch's `F.gelu`): with `approximate: 'none'`,
 * 0.5·x·(1 + erf(x/√2)), computed as the primitive `gelu` (accurate also for negative x, where
 * PyTorch's formula cancels to 0); with `'tanh'`, 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
 */
export function gelu(x: Input, opts: GeluOptions = {}): Variable {
  const v = asVariable(x);
  const approximate = opts.approximate ?? 'none';
  // one primitive each way (x·Φ(x), Φ without cancellation for negative x): 15 composed ops before
  if (approximate === 'none') return v.gelu();
  if (approximate === 'tanh') {
    const inner = v.add(v.mul(v).mul(v).mul(0.044715)).mul(SQRT_2_OVER_PI);
    return v.mul(0.5).mul(inner.tanh().add(1));
  }
  throw new NablaError(
    'gelu',
    `unknown approximate '${String(approximate)}'`,
    "use 'none' or 'tanh'",
  );
}

/** x·σ(x), the sigmoid linear unit (also called swish; PyTorch's `F.silu`). */
export function silu(x: Input): Variable {
  const v = asVariable(x);
  return v.mul(v.sigmoid());
}

/** x for x > 0, α·(eˣ − 1) otherwise (PyTorch's `F.elu`; its gradient at 0 is α). */
export function elu(x: Input, opts: EluOptions = {}): Variable {
  const alpha = checkFinite('elu', 'alpha', opts.alpha ?? 1);
  const v = asVariable(x);
  const pos = v.data.gt(0);
  // the unused branch sees 0 where x > 0: e^x never overflows, so its zero gradient stays 0, not NaN
  return where(pos, v, where(pos, 0, v).expm1().mul(alpha));
}

/**
 * log(1 + e^(βx))/β, a smooth ReLU (PyTorch's `F.softplus`); x itself where βx > threshold. The
 * exponential never sees an argument above the threshold, so it cannot overflow into a NaN gradient.
 */
export function softplus(x: Input, opts: SoftplusOptions = {}): Variable {
  const beta = checkFinite('softplus', 'beta', opts.beta ?? 1);
  const threshold = checkFinite('softplus', 'threshold', opts.threshold ?? 20);
  if (beta === 0) throw new NablaError('softplus', 'beta must not be 0');
  const v = asVariable(x);
  const bx = beta === 1 ? v : v.mul(beta);
  const above = bx.data.gt(threshold);
  const soft = where(above, 0, bx).exp().log1p();
  return where(above, v, beta === 1 ? soft : soft.div(beta));
}

/**
 * x·tanh(softplus(x)) (Misra 2019; PyTorch's `F.mish`). Softplus's threshold (βx > 20 gives x)
 * changes nothing in float64 or float32, where tanh(20) rounds to 1, and keeps e^x finite.
 */
export function mish(x: Input): Variable {
  const v = asVariable(x);
  return v.mul(softplus(v).tanh());
}

/** The Gaussian error linear unit, x·Φ(x); see `gelu`. */
export class GELU extends Activation {
  /** `'none'` (exact, with erf) or `'tanh'`. */
  readonly approximate: GeluApproximate;
  constructor(opts: GeluOptions = {}) {
    super();
    this.approximate = opts.approximate ?? 'none';
    if (this.approximate !== 'none' && this.approximate !== 'tanh')
      throw new NablaError(
        'GELU',
        `unknown approximate '${String(this.approximate)}'`,
        "use 'none' or 'tanh'",
      );
  }
  protected activate(x: Variable): Variable {
    return gelu(x, { approximate: this.approximate });
  }
  protected override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** x·σ(x); see `silu`. */
export class SiLU extends Activation {
  protected activate(x: Variable): Variable {
    return silu(x);
  }
}

/** x for x > 0, α·(eˣ − 1) otherwise; see `elu`. */
export class ELU extends Activation {
  /** α (default 1). */
  readonly alpha: number;
  constructor(opts: EluOptions = {}) {
    super();
    this.alpha = checkFinite('ELU', 'alpha', opts.alpha ?? 1);
  }
  protected activate(x: Variable): Variable {
    return elu(x, { alpha: this.alpha });
  }
  protected override extraRepr(): string {
    return `alpha=${this.alpha}`;
  }
}

/** log(1 + e^(βx))/β; see `softplus`. */
export class Softplus extends Activation {
  /** β (default 1). */
  readonly beta: number;
  /** Above βx > threshold the layer is the identity (default 20). */
  readonly threshold: number;
  constructor(opts: SoftplusOptions = {}) {
    super();
    this.beta = checkFinite('Softplus', 'beta', opts.beta ?? 1);
    this.threshold = checkFinite('Softplus', 'threshold', opts.threshold ?? 20);
    if (this.beta === 0) throw new NablaError('Softplus', 'beta must not be 0');
  }
  protected activate(x: Variable): Variable {
    return softplus(x, { beta: this.beta, threshold: this.threshold });
  }
  protected override extraRepr(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}

/** x·tanh(softplus(x)); see `mish`. */
export class Mish extends Activation {
  protected activate(x: Variable): Variable {
    return mish(x);
  }
}
