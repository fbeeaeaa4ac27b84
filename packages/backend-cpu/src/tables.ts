import type { BinaryForms, ReduceOp, UnaryForms } from '@nablajs/tensor';

// The one definition of each elementwise op and reduction on the CPU: loops.ts makes the strided
// loops from these rows. Results are stored into the output's typed array, so float32 results round
// on store and int32 results wrap mod 2^32 on store: an int32 form needs code of its own only where a
// double loses the low bits before the store (a product past 2^53: Math.imul).

type Unary = (x: number) => number;
type Binary = (a: number, b: number) => number;

/** A row whose int32 form is its float form. */
const both = <F>(f: F): { f: F; i: F } => ({ f, i: f });

/** The scalar definition of every unary primitive: `f` on floats, `i` on int32. */
export const UNARY_JS: UnaryForms<Unary> = {
  neg: both((x) => -x),
  exp: { f: Math.exp },
  log: { f: Math.log },
  sqrt: { f: Math.sqrt },
  abs: both(Math.abs),
  sign: both((x) => (x > 0 ? 1 : x < 0 ? -1 : x)), // keeps ±0 and NaN, as NumPy
  sigmoid: { f: sigmoid },
  tanh: { f: Math.tanh },
  relu: both((x) => (x > 0 ? x : x !== x ? x : 0)),
  step: both((x) => (x > 0 ? 1 : x !== x ? x : 0)),
  reciprocal: { f: (x) => 1 / x },
  square: { f: (x) => x * x, i: (x) => Math.imul(x, x) },
  sin: { f: Math.sin },
  cos: { f: Math.cos },
  floor: both(Math.floor),
  ceil: both(Math.ceil),
  log1p: { f: Math.log1p },
  expm1: { f: Math.expm1 },
  softsign: { f: (x) => x / (1 + Math.abs(x)) }, // ±∞ gives NaN (∞/∞), as PyTorch
};

/** Two-sided, so that neither side overflows: exp of a large positive argument is never taken. */
function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** The scalar definition of every binary primitive: `f` on floats, `i` on int32; comparisons give 1 or 0. */
export const BINARY_JS: BinaryForms<Binary> = {
  add: both((a, b) => a + b),
  sub: both((a, b) => a - b),
  mul: { f: (a, b) => a * b, i: Math.imul },
  div: { f: (a, b) => a / b },
  pow: { f: Math.pow, i: powInt },
  maximum: both((a, b) => (a !== a || b !== b ? NaN : a > b ? a : b)),
  minimum: both((a, b) => (a !== a || b !== b ? NaN : a < b ? a : b)),
  eq: both((a, b) => +(a === b)),
  ne: both((a, b) => +(a !== b)),
  lt: both((a, b) => +(a < b)),
  le: both((a, b) => +(a <= b)),
  gt: both((a, b) => +(a > b)),
  ge: both((a, b) => +(a >= b)),
};

/** a^b wrapped mod 2^32 (squaring with Math.imul); a negative exponent truncates toward 0, as PyTorch. */
function powInt(a: number, b: number): number {
  if (b < 0) return a === 1 ? 1 : a === -1 ? (b & 1 ? -1 : 1) : 0;
  let r = 1;
  for (let x = a, e = b; e > 0; e >>>= 1, x = Math.imul(x, x)) if (e & 1) r = Math.imul(r, x);
  return r;
}

/** A reduction as a fold over one output element's values: its start and its step. */
export interface Fold {
  readonly init: number;
  readonly step: (acc: number, v: number) => number;
}

// NaN wins, as in PyTorch: once the running value is NaN no comparison replaces it.
const MAX: Fold = { init: -Infinity, step: (acc, v) => (v > acc || v !== v ? v : acc) };
const MIN: Fold = { init: Infinity, step: (acc, v) => (v < acc || v !== v ? v : acc) };

/**
 * Every reduction as a fold. The index reductions (`REDUCE[op].index`) fold with their value's step
 * and keep the position of the first value that changed the running value: the first extreme, or
 * the first NaN.
 */
export const REDUCE_JS: Record<ReduceOp, Fold> = {
  sum: { init: 0, step: (acc, v) => acc + v },
  max: MAX,
  min: MIN,
  argmax: MAX,
  argmin: MIN,
};
