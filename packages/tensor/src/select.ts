import { FLOAT32_MAX, type Primitives } from './composites.js';
import { isFloat } from './dtype.js';
import { normAxis } from './shape.js';

// Composites that test, choose and order values, written once over the primitives for Tensor and
// Variable (`Primitives<T>`). Those that give values differentiate through `gather` and `where`;
// the predicates (bool) carry no gradient.

type Axes = number | readonly number[];

/** Values and their int32 positions, as PyTorch's `(values, indices)` named tuples. */
export interface ValuesIndices<T> {
  /** The values chosen (differentiable: the gradient goes back to their positions). */
  values: T;
  /** Their int32 positions along the axis. */
  indices: T;
}

/** The values at `indices` along `axis`, and the indices, with the axis kept or dropped. */
function pick<T extends Primitives<T>>(
  x: T,
  axis: number,
  indices: T,
  keepDims: boolean,
): ValuesIndices<T> {
  const values = x.gather(axis, indices);
  if (keepDims) return { values, indices };
  const shape = values.shape.filter((_, i) => i !== axis);
  return { values: values.reshape(shape), indices: indices.reshape(shape) };
}

/** Whether both operands are integers (a number operand counts when it is an integer). */
const isInt = (x: { dtype: string }, other: { dtype: string } | number): boolean =>
  x.dtype === 'int32' &&
  (typeof other === 'number' ? Number.isInteger(other) : other.dtype === 'int32');

/** The composites of this file, installed as methods of Tensor and Variable. */
export const SELECT = {
  /** true where every element along `axis` (all by default) is non-zero (NaN counts), as bool. */
  all<T extends Primitives<T>>(x: T, axis?: Axes, keepDims = false): T {
    return x.eq(0).sum(axis, keepDims).eq(0);
  },
  /** true where some element along `axis` (all by default) is non-zero (NaN counts), as bool. */
  any<T extends Primitives<T>>(x: T, axis?: Axes, keepDims = false): T {
    return x.ne(0).sum(axis, keepDims).gt(0);
  },
  /** true where the element is NaN (bool). */
  isnan<T extends Primitives<T>>(x: T): T {
    return x.ne(x);
  },
  /** true where the element is +∞ or −∞ (bool; never, for integers and bool). */
  isinf<T extends Primitives<T>>(x: T): T {
    return isFloat(x.dtype) ? x.abs().eq(Infinity) : x.ne(x);
  },
  /** true where the element is neither NaN nor ±∞ (bool; always, for integers and bool). */
  isfinite<T extends Primitives<T>>(x: T): T {
    return isFloat(x.dtype) ? x.sub(x).eq(0) : x.eq(x);
  },
  /** true where the element is 0 (bool): PyTorch's `logical_not` (`~mask` for a bool mask). */
  logicalNot<T extends Primitives<T>>(x: T): T {
    return x.eq(0);
  },
  /** true where both are non-zero (bool): PyTorch's `logical_and` (`a & b` for masks). */
  logicalAnd<T extends Primitives<T>>(x: T, other: T): T {
    return x.ne(0).mul(other.ne(0));
  },
  /** true where either is non-zero (bool): PyTorch's `logical_or` (`a | b` for masks). */
  logicalOr<T extends Primitives<T>>(x: T, other: T): T {
    return x.ne(0).add(other.ne(0));
  },
  /** true where exactly one is non-zero (bool): PyTorch's `logical_xor` (`a ^ b` for masks). */
  logicalXor<T extends Primitives<T>>(x: T, other: T): T {
    return x.ne(0).ne(other.ne(0));
  },
  /**
   * NaN replaced by `nan` (0), +∞ by `posinf` and −∞ by `neginf` (the dtype's largest finite
   * values by default), as PyTorch's `nan_to_num`; the gradient passes where the value is kept.
   */
  nanToNum<T extends Primitives<T>>(x: T, nan = 0, posinf?: number, neginf?: number): T {
    // integers and bool hold no NaN or ∞
    if (!isFloat(x.dtype)) return x.reshape(x.shape);
    const big = x.dtype === 'float64' ? Number.MAX_VALUE : FLOAT32_MAX;
    return x
      .where(x.eq(x), nan)
      .where(x.ne(Infinity), posinf ?? big)
      .where(x.ne(-Infinity), neginf ?? -big);
  },
  /** start + weight·(end − start), PyTorch's `lerp` (this is start). */
  lerp<T extends Primitives<T>>(x: T, end: T | number, weight: T | number): T {
    return x.add(x.neg().add(end).mul(weight));
  },
  /**
   * ⌊this / other⌋, rounding toward −∞ (PyTorch 1.13's `floor_divide`); int32 by int32 (or an
   * integer) gives int32. Computed as floor of the rounded quotient: where a / b rounds up to an
   * integer (1 / 0.1) it can be 1 more than Python's `//`, which is exact.
   */
  floorDivide<T extends Primitives<T>>(x: T, other: T | number): T {
    const q = x.div(other).floor();
    return isInt(x, other) ? q.cast('int32') : q;
  },
  /** this − other·⌊this / other⌋: the remainder with the divisor's sign (PyTorch's `remainder`, Python's %). */
  remainder<T extends Primitives<T>>(x: T, other: T | number): T {
    const q = SELECT.floorDivide(x, other);
    return x.sub(q.mul(other));
  },
  /** The maximum along `axis` and its position (the first), as PyTorch's `max(dim)`. */
  maxWithIndices<T extends Primitives<T>>(x: T, axis: number, keepDims = false): ValuesIndices<T> {
    const ax = normAxis('maxWithIndices', axis, x.shape.length);
    return pick(x, ax, x.argmax(ax, true), keepDims);
  },
  /** The minimum along `axis` and its position (the first), as PyTorch's `min(dim)`. */
  minWithIndices<T extends Primitives<T>>(x: T, axis: number, keepDims = false): ValuesIndices<T> {
    const ax = normAxis('minWithIndices', axis, x.shape.length);
    return pick(x, ax, x.argmin(ax, true), keepDims);
  },
  /**
   * Sorted along `axis` (the last by default), stably (ties keep their order), NaN last (first
   * when `descending`), and the positions they came from: PyTorch's `sort(dim, descending,
   * stable=True)`. Differentiable in the values.
   */
  sort<T extends Primitives<T>>(x: T, axis = -1, descending = false): ValuesIndices<T> {
    if (x.shape.length === 0) return { values: x, indices: x.argsort() };
    const ax = normAxis('sort', axis, x.shape.length);
    return pick(x, ax, x.argsort(ax, descending), true);
  },
  /**
   * The `k` largest (or, with `largest: false`, smallest) along `axis` and their positions, in
   * sorted order: PyTorch's `topk`. Ties keep their order (PyTorch leaves it unspecified).
   */
  topk<T extends Primitives<T>>(x: T, k: number, axis = -1, largest = true): ValuesIndices<T> {
    const ax = normAxis('topk', axis, Math.max(1, x.shape.length));
    const n = x.shape.length === 0 ? 1 : x.shape[ax]!;
    if (!Number.isInteger(k) || k < 0 || k > n)
      throw new RangeError(`topk: k = ${k} is out of range for an axis of size ${n}`);
    if (x.shape.length === 0) return { values: x, indices: x.argsort() };
    const order = x.argsort(ax, largest);
    const first = order.slice(x.shape.map((_, i) => (i === ax ? [0, k] : null)));
    return pick(x, ax, first, true);
  },
};

/** The methods `SELECT` gives Tensor (`T = Tensor`) and Variable (`T = Variable`). */
export interface SelectMethods<T> {
  /** bool: true where every element along `axis` (all by default) is non-zero (NaN counts). */
  all(axis?: Axes, keepDims?: boolean): T;
  /** bool: true where some element along `axis` (all by default) is non-zero. */
  any(axis?: Axes, keepDims?: boolean): T;
  /** bool: true where the element is NaN. */
  isnan(): T;
  /** bool: true where the element is +∞ or −∞. */
  isinf(): T;
  /** bool: true where the element is finite. */
  isfinite(): T;
  /** bool: true where the element is 0 (PyTorch's `logical_not`). */
  logicalNot(): T;
  /** bool: true where both are non-zero (PyTorch's `logical_and`). */
  logicalAnd(other: T): T;
  /** bool: true where either is non-zero (PyTorch's `logical_or`). */
  logicalOr(other: T): T;
  /** bool: true where exactly one is non-zero (PyTorch's `logical_xor`). */
  logicalXor(other: T): T;
  /** NaN, +∞ and −∞ replaced by finite numbers (PyTorch's `nan_to_num`). */
  nanToNum(nan?: number, posinf?: number, neginf?: number): T;
  /** this + weight·(end − this). */
  lerp(end: T | number, weight: T | number): T;
  /** ⌊this / other⌋ (int32 for integer operands). */
  floorDivide(other: T | number): T;
  /** The remainder with the divisor's sign (Python's %). */
  remainder(other: T | number): T;
  /** The maximum along `axis` and its int32 position: PyTorch's `max(dim)`. */
  maxWithIndices(axis: number, keepDims?: boolean): ValuesIndices<T>;
  /** The minimum along `axis` and its int32 position: PyTorch's `min(dim)`. */
  minWithIndices(axis: number, keepDims?: boolean): ValuesIndices<T>;
  /** Sorted values and their positions (stable; NaN last, first when `descending`). */
  sort(axis?: number, descending?: boolean): ValuesIndices<T>;
  /** The `k` largest (smallest with `largest: false`) values along `axis` and their positions. */
  topk(k: number, axis?: number, largest?: boolean): ValuesIndices<T>;
}
