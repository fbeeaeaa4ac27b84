import { Variable } from '@nablajs/autograd';
import { type Input, Module, asVariable } from '@nablajs/nn';
import { NablaError, ShapeError, Tensor, fmtShape, rand, sameShape } from '@nablajs/tensor';

/**
 * `inverted` (default, as in PyTorch): training keeps each unit with probability 1 − p and scales the
 * kept ones by 1/(1 − p), so evaluation is the identity. `classic` (the lecture's, Srivastava et al.
 * 2014): training only masks, and evaluation scales every unit by 1 − p.
 */
export type DropoutMode = 'inverted' | 'classic';

/** Options of `dropout` and `dropoutWithMask`. */
export interface DropoutOptions {
  /** Whether to drop (training) or not (evaluation). Default true, as in PyTorch's `F.dropout`. */
  training?: boolean;
  /** `'inverted'` (default) or `'classic'`; see `DropoutMode`. */
  mode?: DropoutMode;
  /** Draw the mask from the stream of this seed (from its start) instead of the global generator. */
  seed?: number;
  /** Reuse this 0/1 mask (x's shape) instead of drawing one. */
  mask?: Tensor;
}

function checkP(op: string, p: number): void {
  if (!(p >= 0 && p <= 1))
    throw new NablaError(op, `drop probability p must be in [0, 1], got ${p}`);
}

/** A 0/1 mask of `shape`: 1 (keep) with probability 1 − p, from the Philox generator. */
export function dropoutMask(x: Tensor, p: number, seed?: number): Tensor {
  checkP('dropoutMask', p);
  const dtype = x.dtype === 'float64' ? 'float64' : 'float32';
  const u = rand(x.shape, { dtype, backend: x.backend, ...(seed === undefined ? {} : { seed }) });
  const keep = u.ge(p);
  const mask = keep.cast(dtype);
  u.dispose();
  keep.dispose();
  return mask;
}

/** Dropout and the mask it used (null when nothing was dropped). */
export function dropoutWithMask(
  x: Input,
  p: number,
  opts: DropoutOptions = {},
): {
  /** The input with the dropped units zeroed (and the kept ones scaled, when inverted). */
  output: Variable;
  /** The 0/1 mask applied (1 = kept); null when nothing was dropped. */
  mask: Tensor | null;
} {
  const op = 'dropout';
  checkP(op, p);
  const { training = true, mode = 'inverted' } = opts;
  if (mode !== 'inverted' && mode !== 'classic')
    throw new NablaError(op, `unknown mode '${String(mode)}'`, "use 'inverted' or 'classic'");
  const v = asVariable(x);
  if (!training) return { output: mode === 'classic' && p > 0 ? v.mul(1 - p) : v, mask: null };
  if (p === 0 && !opts.mask) return { output: v, mask: null };
  const mask = opts.mask ?? dropoutMask(v.data, p, opts.seed);
  if (!sameShape(mask.shape, v.shape))
    throw new ShapeError(
      op,
      `mask ${fmtShape(mask.shape)} does not match input ${fmtShape(v.shape)}`,
    );
  const masked = v.mul(mask);
  // inverted: scale the kept units by 1/(1 − p); with p = 1 nothing is kept and the output is 0
  return { output: mode === 'inverted' && p < 1 ? masked.div(1 - p) : masked, mask };
}

/**
 * Randomly zeroes units of `x` with probability `p` (Hinton et al. 2012). Inverted by default; see
 * `DropoutMode`. The gradient flows through the kept units only (times the same scale).
 */
export function dropout(x: Input, p = 0.5, opts: DropoutOptions = {}): Variable {
  return dropoutWithMask(x, p, opts).output;
}

/**
 * Dropout as a layer. Active in training mode, off (inverted) or scaling by 1 − p (classic) after
 * `eval()`. The mask of the last training forward stays readable as `mask` (1 = kept), the lecture's m⁽ˡ⁾.
 * Masks come from the Philox generator, so `manualSeed(s)` reproduces them.
 */
export class Dropout extends Module {
  /** The 0/1 mask the last training forward applied; null before it, or when p = 0. */
  mask: Tensor | null = null;
  /** `'inverted'` (default) or `'classic'`; see `DropoutMode`. */
  readonly mode: DropoutMode;

  constructor(
    /** The probability of dropping each unit (default 0.5, as in the lecture). */
    readonly p = 0.5,
    opts: { mode?: DropoutMode } = {},
  ) {
    super();
    checkP('Dropout', p);
    this.mode = opts.mode ?? 'inverted';
    if (this.mode !== 'inverted' && this.mode !== 'classic')
      throw new NablaError(
        'Dropout',
        `unknown mode '${String(this.mode)}'`,
        "use 'inverted' or 'classic'",
      );
  }

  /** In training mode, `x` with units dropped (the mask kept in `mask`); after `eval()`, no drop. */
  forward(x: Input): Variable {
    const { output, mask } = dropoutWithMask(x, this.p, {
      training: this.training,
      mode: this.mode,
    });
    if (this.training) this.mask = mask;
    return output;
  }

  protected override extraRepr(): string {
    return `p=${this.p}${this.mode === 'classic' ? ", mode='classic'" : ''}`;
  }
}
