import type { DType } from './dtype.js';
import { DTypeError } from './errors.js';

/**
 * The op records: one record per op family, one row per primitive op, holding what the library must
 * know about the op besides its kernels (its traits). Everything else derives from them: the op
 * unions (`UnaryOp = keyof typeof unary`), the lists tests iterate (`UNARY_OPS`), the dtype rules
 * (`unaryDType`, `binaryDType`), the comparison set and the int32 subsets (`IntUnaryOp`). Every table
 * keyed by op (a backend's kernels, the gradient rules, the oracle, the conformance and gradcheck
 * tables) is a `Record<Op, …>` or `UnaryForms<…>`, so tsc points at each table a new row lacks.
 *
 * The format, kept small on purpose (a trait is added when code would otherwise test op names):
 * - `unary`   `op: { dtypes }`        elementwise `x → y`
 * - `binary`  `op: { kind, dtypes }`  elementwise `(a, b) → y` with broadcasting
 * - `reduce`  `op: { index }`         over a set of axes
 * - `other`   `op: {}`                the structured primitives (matmul, gather, …): no traits yet
 * Each record is an `as const` literal, from which the types derive, exported as `UNARY`, … typed by
 * its traits interface (`UnaryTraits`, …).
 *
 * `dtypes: 'any'` means the op takes int32 and computes in int32 (wrapping mod 2^32, as PyTorch), so
 * every backend has an int32 form of it; `'float'` means int32 operands are cast to float32 first
 * (what PyTorch does for `exp` or true division). A new family (convolution, say) is a new record
 * with a traits interface of its own, its op union, and its own entry in `Backend`.
 */

/** What the library knows about a unary op (a row of `UNARY`). */
export interface UnaryTraits {
  /** 'any': int32 in, int32 out, wrapping; 'float': int32 input is cast to float32 first. */
  readonly dtypes: 'any' | 'float';
  /** On bool, as PyTorch 1.13: 'refuse' raises (`neg`, `abs`, …), 'keep' gives bool (`sign`);
   * without it, bool computes as its `dtypes` says for int32 (`square` gives int32, `exp` float32). */
  readonly bool?: 'refuse' | 'keep';
}

/** What the library knows about a binary op (a row of `BINARY`). */
export interface BinaryTraits {
  /** 'arith': the result has the operands' dtype; 'compare': the result is bool. */
  readonly kind: 'arith' | 'compare';
  /** 'any': computes int32 operands in int32, wrapping; 'float': in float32 (true division). */
  readonly dtypes: 'any' | 'float';
  /** On two bools, as PyTorch 1.13: 'refuse' raises (`sub`, `pow`); an op name computes them as
   * that op in int32, whose result on 0/1 is 0/1, and gives bool (`add` is `maximum`: logical or). */
  readonly bool?: 'refuse' | 'maximum' | 'minimum' | 'mul';
}

/** What the library knows about a reduction (a row of `REDUCE`). */
export interface ReduceTraits {
  /** It reduces one axis to the int32 position of the value it picks, not to the value. */
  readonly index: boolean;
}

/** The structured primitives have no traits yet: their rows are `{}`. */
export type OtherTraits = Readonly<Record<string, never>>;

// The records as literals (`as const`, so that the types below can read their traits); each is
// exported below typed by its traits interface, one row per op.
const unary = {
  neg: { dtypes: 'any', bool: 'refuse' },
  exp: { dtypes: 'float' },
  log: { dtypes: 'float' },
  sqrt: { dtypes: 'float' },
  abs: { dtypes: 'any', bool: 'refuse' },
  sign: { dtypes: 'any', bool: 'keep' },
  sigmoid: { dtypes: 'float' },
  tanh: { dtypes: 'float' },
  relu: { dtypes: 'any', bool: 'refuse' },
  step: { dtypes: 'any' },
  reciprocal: { dtypes: 'float' },
  square: { dtypes: 'any' },
  sin: { dtypes: 'float' },
  cos: { dtypes: 'float' },
  floor: { dtypes: 'any', bool: 'refuse' },
  ceil: { dtypes: 'any', bool: 'refuse' },
  log1p: { dtypes: 'float' },
  expm1: { dtypes: 'float' },
  softsign: { dtypes: 'float' },
  erf: { dtypes: 'float' },
  gelu: { dtypes: 'float' },
  geluGrad: { dtypes: 'float' },
} as const satisfies Record<string, UnaryTraits>;
const binary = {
  add: { kind: 'arith', dtypes: 'any', bool: 'maximum' },
  sub: { kind: 'arith', dtypes: 'any', bool: 'refuse' },
  mul: { kind: 'arith', dtypes: 'any', bool: 'mul' },
  div: { kind: 'arith', dtypes: 'float' },
  pow: { kind: 'arith', dtypes: 'any', bool: 'refuse' },
  maximum: { kind: 'arith', dtypes: 'any', bool: 'maximum' },
  minimum: { kind: 'arith', dtypes: 'any', bool: 'minimum' },
  atan2: { kind: 'arith', dtypes: 'float' },
  eq: { kind: 'compare', dtypes: 'any' },
  ne: { kind: 'compare', dtypes: 'any' },
  lt: { kind: 'compare', dtypes: 'any' },
  le: { kind: 'compare', dtypes: 'any' },
  gt: { kind: 'compare', dtypes: 'any' },
  ge: { kind: 'compare', dtypes: 'any' },
} as const satisfies Record<string, BinaryTraits>;
const reduce = {
  sum: { index: false },
  max: { index: false },
  min: { index: false },
  argmax: { index: true },
  argmin: { index: true },
} as const satisfies Record<string, ReduceTraits>;
const other = {
  where: {},
  matmul: {},
  gather: {},
  scatterAdd: {},
  concat: {},
  cast: {},
  copy: {},
  random: {},
  scan: {},
  argsort: {},
} as const satisfies Record<string, OtherTraits>;

/**
 * The running reductions of `Backend.scan` along one axis (the `scan` row of `OTHER`): `cumsum`
 * takes every dtype (an int32 result that does not fit raises, as `sum`), `cumprod` floats only
 * (int32 is cast to float32 first).
 */
const scan = {
  cumsum: { dtypes: 'any' },
  cumprod: { dtypes: 'float' },
} as const satisfies Record<string, UnaryTraits>;

/** The keys of the op record `R` whose rows have `F: V`: `OpsWith<typeof binary, 'kind', 'compare'>`. */
type OpsWith<R, F extends string, V> = {
  [K in keyof R]: R[K] extends { readonly [P in F]: V } ? K : never;
}[keyof R];

/** The name of a running reduction. */
export type ScanOp = keyof typeof scan;
/** The running reductions of `Backend.scan` (`cumsum` any dtype, `cumprod` floats only). */
export const SCAN: Readonly<Record<ScanOp, UnaryTraits>> = scan;

/** The name of a primitive unary op. */
export type UnaryOp = keyof typeof unary;
/** The unary ops with an int32 form (`dtypes: 'any'`). */
export type IntUnaryOp = OpsWith<typeof unary, 'dtypes', 'any'>;
/** The name of a primitive binary op. */
export type BinaryOp = keyof typeof binary;
/** The arithmetic binary ops: the result has the operands' promoted dtype. */
export type ArithOp = OpsWith<typeof binary, 'kind', 'arith'>;
/** The comparisons: the result is bool. */
export type CompareOp = OpsWith<typeof binary, 'kind', 'compare'>;
/** The binary ops with an int32 form (`dtypes: 'any'`): comparisons included. */
export type IntBinaryOp = OpsWith<typeof binary, 'dtypes', 'any'>;
/** The name of a reduction. */
export type ReduceOp = keyof typeof reduce;
/** The name of one of the other primitives. */
export type OtherOp = keyof typeof other;

/** The unary primitives, each a Tensor method (`x.exp()`), a backend kernel and a gradient rule. */
export const UNARY: Readonly<Record<UnaryOp, UnaryTraits>> = unary;
/** The binary primitives, each a Tensor method taking a tensor or a number (`x.add(y)`). */
export const BINARY: Readonly<Record<BinaryOp, BinaryTraits>> = binary;
/** Reductions over a set of axes; the index ones (`argmax`) take one axis. */
export const REDUCE: Readonly<Record<ReduceOp, ReduceTraits>> = reduce;
/** Everything else a backend implements, one entry each (the conformance suite iterates this too). */
export const OTHER: Readonly<Record<OtherOp, OtherTraits>> = other;

/** The keys of a record, typed as they are (`Object.keys` says `string[]`). */
const opsOf = <R extends object>(record: R): readonly (keyof R & string)[] =>
  Object.keys(record) as (keyof R & string)[];

/** Every unary op, in the record's order. */
export const UNARY_OPS = opsOf(UNARY);
/** Every binary op, in the record's order. */
export const BINARY_OPS = opsOf(BINARY);
/** Whether `op` is a comparison (its result is bool). */
export const isCompare = (op: BinaryOp): op is CompareOp => BINARY[op].kind === 'compare';
/** The arithmetic binary ops. */
export const ARITH_OPS: readonly ArithOp[] = BINARY_OPS.filter((op) => !isCompare(op));
/** The comparison ops. */
export const COMPARE_OPS: readonly CompareOp[] = BINARY_OPS.filter(isCompare);
/** Every reduction. */
export const REDUCE_OPS = opsOf(REDUCE);
/** Every other primitive. */
export const OTHER_OPS = opsOf(OTHER);
/** Every running reduction. */
export const SCAN_OPS = opsOf(SCAN);

/** The dtype an op of `dtypes` computes integers in: float32 for float-only ops, else int32 (bool
 * too: its storage is int32 0/1; the `bool` trait says what the result is). */
const computeDType = (dtypes: 'any' | 'float', dtype: DType): DType =>
  dtype !== 'int32' && dtype !== 'bool' ? dtype : dtypes === 'float' ? 'float32' : 'int32';

/** The dtype a unary op computes in and returns for input `dtype`: float-only ops take int32 and
 * bool as float32, the others take bool as int32. */
export function unaryDType(op: UnaryOp, dtype: DType): DType {
  return computeDType(UNARY[op].dtypes, dtype);
}

/** The dtype a binary op computes in, for operands promoted to `dtype` (`div` takes int32 as
 * float32; bool computes as int32). */
export function binaryDType(op: BinaryOp, dtype: DType): DType {
  return computeDType(BINARY[op].dtypes, dtype);
}

/** The dtype of a binary op's result when it computes in `dtype`: bool for comparisons. */
export function binaryResultDType(op: BinaryOp, dtype: DType): DType {
  return isCompare(op) ? 'bool' : dtype;
}

/**
 * A backend's table of one `T` per op (a kernel, a WGSL snippet): `f` for floats, and `i` for int32
 * on exactly the ops `IntOp` that take int32 — tsc refuses a row that lacks its `i` or has one too many.
 * An optional `f32` replaces `f` for float32 where the contract differs by precision (sigmoid's
 * float32 results below the normal range are 0).
 */
export type Forms<Op extends string, IntOp extends Op, T> = {
  readonly [K in Op]: (K extends IntOp
    ? {
        /** The float form. */
        readonly f: T;
        /** The int32 form. */
        readonly i: T;
      }
    : {
        /** The float form. */
        readonly f: T;
      }) & {
    /** A float32 form where float32's contract differs (sigmoid). */
    readonly f32?: T;
  };
};
/** A backend table of the unary ops: `f` for floats, `i` for int32 where the op takes int32. */
export type UnaryForms<T> = Forms<UnaryOp, IntUnaryOp, T>;
/** A backend table of the binary ops: `f` for floats, `i` for int32 where the op takes int32. */
export type BinaryForms<T> = Forms<BinaryOp, IntBinaryOp, T>;

/** The form of a `Forms` row for `dtype`: `i` for int32 (and bool, stored as int32), `f32` (if
 * any) for float32, else `f`. */
export function formFor<T>(
  op: string,
  row: { readonly f: T; readonly i?: T; readonly f32?: T },
  dtype: DType,
): T {
  if (dtype === 'float32' && row.f32 !== undefined) return row.f32;
  if (dtype !== 'int32' && dtype !== 'bool') return row.f;
  if (row.i === undefined)
    throw new DTypeError(op, 'has no int32 form', 'cast the input to float32 (Tensor ops do)');
  return row.i;
}

/** The distributions `Backend.random` draws from: U[0, 1) and N(0, 1). */
export type RandomDist = 'uniform' | 'normal';
