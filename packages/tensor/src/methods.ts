import type { BinaryOp, UnaryOp } from './ops.js';

/**
 * The unary primitives as methods: `x.exp()`, `x.relu()`, … (one per row of `UNARY`), each
 * elementwise, keeping the shape. Those whose row says `dtypes: 'float'` turn int32 into float32
 * first.
 */
export interface UnaryMethods<T> {
  /** The negation −x. */
  neg(): T;
  /** The exponential eˣ. */
  exp(): T;
  /** The natural logarithm ln x (NaN below 0, −∞ at 0). */
  log(): T;
  /** The square root √x (NaN below 0). */
  sqrt(): T;
  /** The absolute value |x|. */
  abs(): T;
  /** The sign of x: −1, 0 or 1 (±0 and NaN stay as they are, as in NumPy). */
  sign(): T;
  /** The logistic function σ(x) = 1 / (1 + e⁻ˣ), computed without overflow for large |x|. */
  sigmoid(): T;
  /** The hyperbolic tangent. */
  tanh(): T;
  /** max(x, 0); NaN stays NaN. */
  relu(): T;
  /** The Heaviside step: 1 where x > 0, else 0 (the derivative of `relu`); NaN stays NaN. */
  step(): T;
  /** The reciprocal 1 / x. */
  reciprocal(): T;
  /** The square x². */
  square(): T;
  /** The sine of x, in radians. */
  sin(): T;
  /** The cosine of x, in radians. */
  cos(): T;
  /** The largest integer ≤ x. */
  floor(): T;
  /** The smallest integer ≥ x. */
  ceil(): T;
  /** ln(1 + x), accurate where x is small. */
  log1p(): T;
  /** eˣ − 1, accurate where x is small. */
  expm1(): T;
  /** The softsign x / (1 + |x|), PyTorch's `F.softsign`: a smooth step from −1 to 1. */
  softsign(): T;
}

/**
 * The binary primitives as methods taking another operand (`O`: a tensor or a number for Tensor),
 * elementwise with NumPy broadcasting: `x.add(y)`, `x.gt(0)`, … (one per row of `BINARY`).
 * Arithmetic gives the promoted dtype (int32 < float32 < float64); comparisons give int32 0 or 1.
 */
export interface BinaryMethods<T, O = T | number> {
  /** The sum this + other. */
  add(other: O): T;
  /** The difference this − other. */
  sub(other: O): T;
  /** The product this × other, elementwise (`matmul` is the matrix product). */
  mul(other: O): T;
  /** The quotient this ÷ other; int32 ÷ int32 gives float32, as in PyTorch. */
  div(other: O): T;
  /** This raised to the power other. */
  pow(other: O): T;
  /** The larger of this and other; NaN if either is NaN. */
  maximum(other: O): T;
  /** The smaller of this and other; NaN if either is NaN. */
  minimum(other: O): T;
  /** The angle of the point (other, this) in radians, in [−π, π], PyTorch's `atan2(this, other)`:
   * the quadrant from both signs, signed zeros kept. */
  atan2(other: O): T;
  /** 1 where this = other, else 0 (int32). */
  eq(other: O): T;
  /** 1 where this ≠ other, else 0 (int32). */
  ne(other: O): T;
  /** 1 where this < other, else 0 (int32). */
  lt(other: O): T;
  /** 1 where this ≤ other, else 0 (int32). */
  le(other: O): T;
  /** 1 where this > other, else 0 (int32). */
  gt(other: O): T;
  /** 1 where this ≥ other, else 0 (int32). */
  ge(other: O): T;
}

// The methods are installed from the op records; tsc stops here when a record and the documented
// methods above differ (a new op needs a line, with its doc comment, in the interface).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
type _UnaryMethodsMatchOps = Assert<Same<keyof UnaryMethods<unknown>, UnaryOp>>;
type _BinaryMethodsMatchOps = Assert<Same<keyof BinaryMethods<unknown>, BinaryOp>>;
