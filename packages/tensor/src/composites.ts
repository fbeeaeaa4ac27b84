import type { DType } from './dtype.js';
import { DTypeError } from './errors.js';
import { normAxes } from './shape.js';

const FLOAT32_MAX = 3.4028234663852886e38;
import type { UnaryOp, BinaryOp } from './ops.js';

type Axes = number | readonly number[];

/** What composites need of a tensor-like type: `Tensor` and autograd's `Variable` both have it, so
 * every composite is written once and differentiates through the primitives it is made of. */
export type Primitives<T> = { [K in UnaryOp]: () => T } & {
  [K in BinaryOp]: (other: T | number) => T;
} & {
  /** The size of each axis. */
  readonly shape: readonly number[];
  /** The element type. */
  readonly dtype: DType;
  /** Sum over `axis` (all axes by default). */
  sum(axis?: Axes, keepDims?: boolean): T;
  /** Maximum over `axis` (all axes by default). */
  max(axis?: Axes, keepDims?: boolean): T;
};

function count(shape: readonly number[], axis: Axes | undefined): number {
  return normAxes('mean', axis, shape.length).reduce((n, a) => n * shape[a]!, 1);
}

/** The mean of integers is not an integer: refused, as PyTorch does, rather than truncated or promoted. */
function floatOnly(op: string, dtype: DType): void {
  if (dtype === 'int32')
    throw new DTypeError(
      op,
      'needs a floating-point input, got int32',
      "cast it first, e.g. x.cast('float32')." + op + '()',
    );
}

/** Ops written once over the primitives. */
export const COMPOSITES = {
  /** The mean over `axis` (all axes by default); `keepDims` keeps reduced axes as size 1. */
  mean<T extends Primitives<T>>(x: T, axis?: Axes, keepDims = false): T {
    floatOnly('mean', x.dtype);
    return x.sum(axis, keepDims).div(count(x.shape, axis));
  },
  /** Variance with Bessel's correction by default (`correction: 1`), as in PyTorch. */
  variance<T extends Primitives<T>>(x: T, axis?: Axes, keepDims = false, correction = 1): T {
    floatOnly('variance', x.dtype);
    const d = x.sub(COMPOSITES.mean(x, axis, true));
    return d
      .square()
      .sum(axis, keepDims)
      .div(Math.max(0, count(x.shape, axis) - correction));
  },
  /** log Σ exp(x), shifted by the maximum so that large inputs stay finite. */
  logSumExp<T extends Primitives<T>>(x: T, axis: Axes = -1, keepDims = false): T {
    // a row of ±∞ has max ±∞ and x − max would be NaN: shift by the largest finite number of that
    // sign instead, so that a row with +∞ gives +∞ and a row of −∞ gives −∞ (PyTorch)
    const big = x.dtype === 'float64' ? Number.MAX_VALUE : FLOAT32_MAX;
    const m = x.max(axis, true).maximum(-big).minimum(big);
    const lse = x.sub(m).exp().sum(axis, true).log().add(m);
    return keepDims ? lse : lse.sum(axis, false);
  },
  /** log softmax(x) along `axis`, computed as x − max − log Σ exp(x − max), stable for large inputs. */
  logSoftmax<T extends Primitives<T>>(x: T, axis = -1): T {
    const shifted = x.sub(x.max(axis, true));
    return shifted.sub(shifted.exp().sum(axis, true).log());
  },
  /** exp(x) / Σ exp(x) along `axis` (the last by default), shifted by the maximum. */
  softmax<T extends Primitives<T>>(x: T, axis = -1): T {
    const e = x.sub(x.max(axis, true)).exp();
    return e.div(e.sum(axis, true));
  },
  /** Limits to [min, max]; either bound may be omitted. */
  clamp<T extends Primitives<T>>(x: T, min?: number, max?: number): T {
    const lo = min === undefined ? x : x.maximum(min);
    return max === undefined ? lo : lo.minimum(max);
  },
};

/** The parameters of a composite after its first, the tensor it is called on. */
type Rest<F> = F extends (x: never, ...args: infer A) => unknown ? A : never;
/** The composites as methods of `T` (Tensor, Variable): `x.softmax(-1)` is `COMPOSITES.softmax(x, -1)`. */
export type CompositeMethods<T> = {
  [K in keyof typeof COMPOSITES]: (...args: Rest<(typeof COMPOSITES)[K]>) => T;
};
