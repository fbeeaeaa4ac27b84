import type { Variable } from '@nablajs/autograd';
import { NablaError, rand } from '@nablajs/tensor';
import { type Input, Module, asVariable } from './module.js';

// The sequence layers' own dropout (PyTorch's submodules `dropout`, `dropout1`, …). The public
// Dropout, with its classic mode and kept masks, is @nablajs/regularizers', which depends on this
// package; this one is the inverted dropout those layers need, and is not exported.

/** Checks a drop probability. */
export function checkDropout(op: string, p: number): number {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1))
    throw new NablaError(op, `dropout probability must be in [0, 1], got ${String(p)}`);
  return p;
}

/** Inverted dropout: zeroes each unit with probability p and scales the rest by 1/(1 − p). */
export function dropoutVar(x: Variable, p: number, training: boolean): Variable {
  if (!training || p === 0) return x;
  if (p === 1) return x.mul(0);
  const dtype = x.dtype === 'float64' ? 'float64' : 'float32';
  const u = rand(x.shape, { dtype, backend: x.data.backend });
  const keep = u
    .ge(p)
    .cast(dtype)
    .mul(1 / (1 - p));
  u.dispose();
  return x.mul(keep);
}

/** Dropout as a submodule of the sequence layers: active in training mode only. */
export class Dropout extends Module {
  constructor(
    /** The probability of zeroing each unit. */
    readonly p: number,
  ) {
    super();
    checkDropout('Dropout', p);
  }
  /** `x` with units dropped in training mode; `x` itself after `eval()`. */
  forward(x: Input): Variable {
    return dropoutVar(asVariable(x), this.p, this.training);
  }
  protected override extraRepr(): string {
    return `p=${this.p}`;
  }
}
