import type { Backend } from './backend.js';
import { type DType, isFloat } from './dtype.js';
import { DTypeError } from './errors.js';
import type { BinaryOp, UnaryOp } from './ops.js';
import { normAxes } from './shape.js';
import type { SliceSpec, Tensor } from './tensor.js';

/** The largest finite float32. */
export const FLOAT32_MAX = 3.4028234663852886e38;

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
  /** The backend that holds the values (constants a composite makes go there). */
  readonly backend: Backend;
  /** Sum over `axis` (all axes by default). */
  sum(axis?: Axes, keepDims?: boolean): T;
  /** Maximum over `axis` (all axes by default). */
  max(axis?: Axes, keepDims?: boolean): T;
  /** int32 position of the maximum along `axis`. */
  argmax(axis?: number, keepDims?: boolean): T;
  /** int32 position of the minimum along `axis`. */
  argmin(axis?: number, keepDims?: boolean): T;
  /** int32 positions that sort along `axis`. */
  argsort(axis?: number, descending?: boolean): T;
  /** The same elements in another shape. */
  reshape(shape: readonly number[]): T;
  /** Reordered axes. */
  permute(...axes: number[]): T;
  /** Broadcast to `shape`. */
  expand(shape: readonly number[]): T;
  /** A strided slice. */
  slice(specs: readonly SliceSpec[]): T;
  /** PyTorch's gather along `axis` with int32 `index`. */
  gather(axis: number, index: T | Tensor): T;
  /** Converted to `dtype`. */
  cast(dtype: DType): T;
  /** `cond ? this : other`, elementwise (PyTorch's `Tensor.where`). */
  where(cond: T | Tensor, other: T | number): T;
  /** This plus `src` added at `index` along `axis` (PyTorch's `scatter_add`). */
  scatterAdd(axis: number, index: T | Tensor, src: T | Tensor): T;
  /** The matrix product. */
  matmul(other: T): T;
};

function count(shape: readonly number[], axis: Axes | undefined): number {
  return normAxes('mean', axis, shape.length).reduce((n, a) => n * shape[a]!, 1);
}

/** The mean of integers is not an integer: refused, as PyTorch does, rather than truncated or promoted. */
function floatOnly(op: string, dtype: DType): void {
  if (!isFloat(dtype))
    throw new DTypeError(
      op,
      `needs a floating-point input, got ${dtype}`,
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
  /** The standard deviation: √variance, with Bessel's correction by default (PyTorch's `std`). */
  std<T extends Primitives<T>>(x: T, axis?: Axes, keepDims = false, correction = 1): T {
    return COMPOSITES.variance(x, axis, keepDims, correction).sqrt();
  },
  /**
   * The p-norm over `axis` (all axes by default): p = 2 (default), 1, ∞ or any p > 0, as PyTorch's
   * `norm` / `linalg.vector_norm`. Its gradient at a zero vector is 0 (not NaN), as PyTorch's.
   */
  norm<T extends Primitives<T>>(x: T, p = 2, axis?: Axes, keepDims = false): T {
    floatOnly('norm', x.dtype);
    const axes = normAxes('norm', axis, x.shape.length); // a list: max splits ties (amax)
    const a = x.abs();
    if (p === Infinity) return a.max(axes, keepDims);
    if (p === 1) return a.sum(axes, keepDims);
    const s = p === 2 ? x.square().sum(axes, keepDims) : a.pow(p).sum(axes, keepDims);
    // the root of 0 has an infinite slope: take it where s > 0 only, so that 0 gets gradient 0
    const pos = s.gt(0);
    const root = s.where(pos, 1);
    return (p === 2 ? root.sqrt() : root.pow(1 / p)).where(pos, 0);
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
