import type { DType } from './dtype.js';
import { DTypeError } from './errors.js';

/**
 * The op records: one record per op family, one row per primitive op, holding what the library must
 * know about the op besides its kernels (its traits). Everything else derives from them: the op
 * unions (`UnaryOp = keyof typeof UNARY`), the lists tests iterate (`UNARY_OPS`), the dtype rules
 * (`unaryDType`, `binaryDType`), the comparison set and the int32 subsets (`IntUnaryOp`). Every table
 * keyed by op (a backend's kernels, the gradient rules, the oracle, the conformance and gradcheck
 * tables) is a `Record<Op, …>` or `UnaryForms<…>`, so tsc points at each table a new row lacks.
 *
 * The format, kept small on purpose (a trait is added when code would otherwise test op names):
 * - `UNARY`   `op: { dtypes }`        elementwise `x → y`
 * - `BINARY`  `op: { kind, dtypes }`  elementwise `(a, b) → y` with broadcasting
 * - `REDUCE`  `op: { index }`         over a set of axes
 * - `OTHER`   `op: {}`                the structured primitives (matmul, gather, …): no traits yet
 *
 * `dtypes: 'any'` means the op takes int32 and computes in int32 (wrapping mod 2^32, as PyTorch), so
 * every backend has an int32 form of it; `'float'` means int32 operands are cast to float32 first
 * (what PyTorch does for `exp` or true division). A new family (convolution, say) is a new record
 * with a traits interface of its own, and its own entry in `Backend`.
 */

/** What the library knows about a unary op (a row of `UNARY`). */
export interface UnaryTraits {
  /** 'any': int32 in, int32 out, wrapping; 'float': int32 input is cast to float32 first. */
  readonly dtypes: 'any' | 'float';
}

/** What the library knows about a binary op (a row of `BINARY`). */
export interface BinaryTraits {
  /** 'arith': the result has the operands' dtype; 'compare': the result is int32 0/1. */
  readonly kind: 'arith' | 'compare';
  /** 'any': computes int32 operands in int32, wrapping; 'float': in float32 (true division). */
  readonly dtypes: 'any' | 'float';
}

/** What the library knows about a reduction (a row of `REDUCE`). */
export interface ReduceTraits {
  /** It reduces one axis to the int32 position of the value it picks, not to the value. */
  readonly index: boolean;
}

/** The structured primitives have no traits yet: their rows are `{}`. */
export type OtherTraits = Readonly<Record<string, never>>;

/** The unary primitives, each a Tensor method (`x.exp()`), a backend kernel and a gradient rule. */
export const UNARY = {
  neg: { dtypes: 'any' },
  exp: { dtypes: 'float' },
  log: { dtypes: 'float' },
  sqrt: { dtypes: 'float' },
  abs: { dtypes: 'any' },
  sign: { dtypes: 'any' },
  sigmoid: { dtypes: 'float' },
  tanh: { dtypes: 'float' },
  relu: { dtypes: 'any' },
  step: { dtypes: 'any' },
  reciprocal: { dtypes: 'float' },
  square: { dtypes: 'any' },
  sin: { dtypes: 'float' },
  cos: { dtypes: 'float' },
  floor: { dtypes: 'any' },
  ceil: { dtypes: 'any' },
  log1p: { dtypes: 'float' },
  expm1: { dtypes: 'float' },
  softsign: { dtypes: 'float' },
} as const satisfies Record<string, UnaryTraits>;

/** The binary primitives, each a Tensor method taking a tensor or a number (`x.add(y)`). */
export const BINARY = {
  add: { kind: 'arith', dtypes: 'any' },
  sub: { kind: 'arith', dtypes: 'any' },
  mul: { kind: 'arith', dtypes: 'any' },
  div: { kind: 'arith', dtypes: 'float' },
  pow: { kind: 'arith', dtypes: 'any' },
  maximum: { kind: 'arith', dtypes: 'any' },
  minimum: { kind: 'arith', dtypes: 'any' },
  eq: { kind: 'compare', dtypes: 'any' },
  ne: { kind: 'compare', dtypes: 'any' },
  lt: { kind: 'compare', dtypes: 'any' },
  le: { kind: 'compare', dtypes: 'any' },
  gt: { kind: 'compare', dtypes: 'any' },
  ge: { kind: 'compare', dtypes: 'any' },
} as const satisfies Record<string, BinaryTraits>;

/** Reductions over a set of axes; the index ones (`argmax`) take one axis. */
export const REDUCE = {
  sum: { index: false },
  max: { index: false },
  min: { index: false },
  argmax: { index: true },
  argmin: { index: true },
} as const satisfies Record<string, ReduceTraits>;

/** Everything else a backend implements, one entry each (the conformance suite iterates this too). */
export const OTHER = {
  where: {},
  matmul: {},
  gather: {},
  scatterAdd: {},
  concat: {},
  cast: {},
  copy: {},
  random: {},
} as const satisfies Record<string, OtherTraits>;

/** The keys of the op record `R` whose row has the traits `T`: `OpsWith<typeof BINARY, { kind: 'compare' }>`. */
export type OpsWith<R, T> = { [K in keyof R]: R[K] extends T ? K : never }[keyof R];

/** The name of a primitive unary op. */
export type UnaryOp = keyof typeof UNARY;
/** The unary ops with an int32 form (`dtypes: 'any'`). */
export type IntUnaryOp = OpsWith<typeof UNARY, { dtypes: 'any' }>;
/** The name of a primitive binary op. */
export type BinaryOp = keyof typeof BINARY;
/** The arithmetic binary ops: the result has the operands' promoted dtype. */
export type ArithOp = OpsWith<typeof BINARY, { kind: 'arith' }>;
/** The comparisons: the result is int32 0/1. */
export type CompareOp = OpsWith<typeof BINARY, { kind: 'compare' }>;
/** The binary ops with an int32 form (`dtypes: 'any'`): comparisons included. */
export type IntBinaryOp = OpsWith<typeof BINARY, { dtypes: 'any' }>;
/** The name of a reduction. */
export type ReduceOp = keyof typeof REDUCE;
/** The name of one of the other primitives. */
export type OtherOp = keyof typeof OTHER;

/** The keys of a record, typed as they are (`Object.keys` says `string[]`). */
const opsOf = <R extends object>(record: R): readonly (keyof R & string)[] =>
  Object.keys(record) as (keyof R & string)[];

/** Every unary op, in the record's order. */
export const UNARY_OPS = opsOf(UNARY);
/** Every binary op, in the record's order. */
export const BINARY_OPS = opsOf(BINARY);
/** Whether `op` is a comparison (its result is int32 0/1). */
export const isCompare = (op: BinaryOp): op is CompareOp => BINARY[op].kind === 'compare';
/** The arithmetic binary ops. */
export const ARITH_OPS: readonly ArithOp[] = BINARY_OPS.filter((op) => !isCompare(op));
/** The comparison ops. */
export const COMPARE_OPS: readonly CompareOp[] = BINARY_OPS.filter(isCompare);
/** Every reduction. */
export const REDUCE_OPS = opsOf(REDUCE);
/** Every other primitive. */
export const OTHER_OPS = opsOf(OTHER);

/** The dtype a unary op computes in and returns for input `dtype`: float-only ops take int32 as float32. */
export function unaryDType(op: UnaryOp, dtype: DType): DType {
  return dtype === 'int32' && UNARY[op].dtypes === 'float' ? 'float32' : dtype;
}

/** The dtype a binary op computes in, for operands promoted to `dtype` (`div` takes int32 as float32). */
export function binaryDType(op: BinaryOp, dtype: DType): DType {
  return dtype === 'int32' && BINARY[op].dtypes === 'float' ? 'float32' : dtype;
}

/** The dtype of a binary op's result when it computes in `dtype`: int32 for comparisons. */
export function binaryResultDType(op: BinaryOp, dtype: DType): DType {
  return isCompare(op) ? 'int32' : dtype;
}

/**
 * A backend's table of one `T` per op (a kernel, a WGSL snippet): `f` for floats, and `i` for int32
 * on exactly the ops `IntOp` that take int32 — tsc refuses a row that lacks its `i` or has one too many.
 */
export type Forms<Op extends string, IntOp extends Op, T> = {
  readonly [K in Op]: K extends IntOp ? { readonly f: T; readonly i: T } : { readonly f: T };
};
/** A backend table of the unary ops: `f` for floats, `i` for int32 where the op takes int32. */
export type UnaryForms<T> = Forms<UnaryOp, IntUnaryOp, T>;
/** A backend table of the binary ops: `f` for floats, `i` for int32 where the op takes int32. */
export type BinaryForms<T> = Forms<BinaryOp, IntBinaryOp, T>;

/** The form of a `Forms` row for `dtype`: `i` for int32, else `f`. */
export function formFor<T>(op: string, row: { readonly f: T; readonly i?: T }, dtype: DType): T {
  if (dtype !== 'int32') return row.f;
  if (row.i === undefined)
    throw new DTypeError(op, 'has no int32 form', 'cast the input to float32 (Tensor ops do)');
  return row.i;
}

/** The distributions `Backend.random` draws from: U[0, 1) and N(0, 1). */
export type RandomDist = 'uniform' | 'normal';
