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
  return maskOf(x, x.shape, p, seed);
}

/** A 0/1 mask of `shape` on `like`'s backend, keeping with probability 1 − p. */
function maskOf(like: Tensor, shape: readonly number[], p: number, seed?: number): Tensor {
  const dtype = like.dtype === 'float64' ? 'float64' : 'float32';
  const backend = like.backend;
  const u = rand(shape, { dtype, backend, ...(seed === undefined ? {} : { seed }) });
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

/** Options of `dropout2d`. */
export interface Dropout2dOptions {
  /** Whether to drop (training) or not (evaluation). Default true, as in PyTorch's `F.dropout2d`. */
  training?: boolean;
  /** Draw the mask from the stream of this seed (from its start) instead of the global generator. */
  seed?: number;
}

/**
 * Channel dropout (Tompson et al. 2015, PyTorch's `F.dropout2d`): zeroes whole channels of `x`
 * ([N, C, H, W], or [N, C, L]) with probability `p` each, and scales the kept ones by 1/(1 − p).
 * Neighbouring pixels of a feature map are correlated, so dropping single pixels regularizes little.
 * Returns the output and the [N, C, 1, …] 0/1 mask (null when nothing was dropped).
 */
export function dropout2dWithMask(
  x: Input,
  p = 0.5,
  opts: Dropout2dOptions = {},
): {
  /** The input with the dropped channels zeroed and the kept ones scaled by 1/(1 − p). */
  output: Variable;
  /** The [N, C, 1, …] 0/1 mask applied (1 = kept); null when nothing was dropped. */
  mask: Tensor | null;
} {
  const op = 'dropout2d';
  checkP(op, p);
  const v = asVariable(x);
  if (v.rank !== 3 && v.rank !== 4)
    throw new ShapeError(op, `expected input [N, C, H, W] or [N, C, L], got ${fmtShape(v.shape)}`);
  if (!(opts.training ?? true) || p === 0) return { output: v, mask: null };
  const mask = maskOf(
    v.data,
    [...v.shape.slice(0, 2), ...v.shape.slice(2).map(() => 1)],
    p,
    opts.seed,
  );
  const masked = v.mul(mask);
  return { output: p < 1 ? masked.div(1 - p) : masked, mask };
}

/** `dropout2dWithMask`'s output: `x` with whole channels dropped. */
export function dropout2d(x: Input, p = 0.5, opts: Dropout2dOptions = {}): Variable {
  return dropout2dWithMask(x, p, opts).output;
}

/**
 * Channel dropout as a layer (PyTorch's `nn.Dropout2d`): in training, each channel of each sample
 * is zeroed with probability `p` and the others scaled by 1/(1 − p); after `eval()`, the identity.
 * The last training mask ([N, C, 1, 1]) stays readable as `mask`.
 */
export class Dropout2d extends Module {
  /** The [N, C, 1, 1] 0/1 mask of the last training forward; null before it, or when p = 0. */
  mask: Tensor | null = null;

  constructor(
    /** The probability of dropping each channel (default 0.5, as in PyTorch). */
    readonly p = 0.5,
  ) {
    super();
    checkP('Dropout2d', p);
  }

  /** In training mode, `x` with channels dropped (the mask kept in `mask`); after `eval()`, `x`. */
  forward(x: Input): Variable {
    const { output, mask } = dropout2dWithMask(x, this.p, { training: this.training });
    if (this.training) this.mask = mask;
    return output;
  }

  protected override extraRepr(): string {
    return `p=${this.p}`;
  }
}
