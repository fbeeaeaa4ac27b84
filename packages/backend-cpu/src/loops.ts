import {
  type BinaryOp,
  type DType,
  REDUCE,
  type ReduceOp,
  type TypedArray,
  type UnaryOp,
  formFor,
} from '@nablajs/tensor';
import { BINARY_JS, type Fold, REDUCE_JS, UNARY_JS } from './tables.js';

/** `len` elements of `x` from `ox` by `sx`, mapped into `o` from `start`. */
export type UnaryRun = (
  x: TypedArray,
  ox: number,
  sx: number,
  o: TypedArray,
  start: number,
  len: number,
) => void;

/** `len` pairs of `a` and `b` (stride 0: a broadcast), mapped into `o` from `start`. */
export type BinaryRun = (
  a: TypedArray,
  oa: number,
  sa: number,
  b: TypedArray,
  ob: number,
  sb: number,
  o: TypedArray,
  start: number,
  len: number,
) => void;

/** The running state of the output element being reduced: its value and, for index ops, its position. */
export interface FoldState {
  acc: number;
  at: number;
}

/** Folds `n` elements of `xs` from `base` by `sx` (positions `r…` of their output element) into `s`. */
export type ReduceRun = (
  xs: TypedArray,
  base: number,
  sx: number,
  n: number,
  r: number,
  s: FoldState,
) => void;

// The loops, each written once as a factory over an op's scalar function (tables.ts). Their bodies
// use nothing but their parameters, since `specialize` compiles copies of them from their source.

const unaryLoop =
  (f: (x: number) => number): UnaryRun =>
  (x, ox, sx, o, start, len) => {
    for (let j = 0; j < len; j++) o[start + j] = f(x[ox + j * sx]!);
  };

const binaryLoop =
  (f: (a: number, b: number) => number): BinaryRun =>
  (a, oa, sa, b, ob, sb, o, start, len) => {
    for (let j = 0; j < len; j++) o[start + j] = f(a[oa + j * sa]!, b[ob + j * sb]!);
  };

const foldLoop =
  ({ step }: Fold): ReduceRun =>
  (xs, base, sx, n, _r, s) => {
    let acc = s.acc;
    for (let i = 0; i < n; i++) acc = step(acc, xs[base + i * sx]!);
    s.acc = acc;
  };

const indexLoop =
  ({ step }: Fold): ReduceRun =>
  (xs, base, sx, n, r, s) => {
    let acc = s.acc;
    let at = s.at;
    for (let i = 0; i < n; i++) {
      const next = step(acc, xs[base + i * sx]!);
      // the first value, then each that moves the running value while it is not NaN
      if (at === -1 || (next !== acc && acc === acc)) {
        acc = next;
        at = r + i;
      }
    }
    s.acc = acc;
    s.at = at;
  };

/**
 * A copy of `factory` of its own, for `name`. V8 keeps type feedback per function literal, so the
 * closures one factory makes share their call site `f(…)`: once a program has used a few ops it is
 * megamorphic, and every element pays a call. A copy compiled from the factory's source has feedback
 * of its own and inlines `f`: as fast as a hand-written loop. Measured on 1e6 float32 elements after
 * every op had run on float32, float64 and int32 (node 20, median ms; hand-written / one shared
 * factory / a copy per op): neg 1.6 / 8.1 / 1.8, add 2.3 / 11.4 / 2.4, sigmoid 11.2 / 19.0 / 10.3,
 * maximum 11.7 / 12.2 / 6.9. Rows as JS expression strings spliced into a loop are as fast, but they
 * are strings, not code tsc and the linter check.
 * Where `new Function` is refused (a Content-Security-Policy without 'unsafe-eval') the factory
 * itself serves: the same results, slower.
 */
function specialize<F extends (...args: never[]) => unknown>(factory: F, name: string): F {
  if (!copies) return factory;
  try {
    // a distinct source (its name) per copy, so that no compilation cache hands back a shared one
    return new Function(
      `return (${factory.toString()})\n//# sourceURL=nabla-cpu/${name}.js`,
    )() as F;
  } catch (e) {
    refused.push(`${name}: ${(e as Error).message}`);
    return factory;
  }
}

let copies = true;
const refused: string[] = [];

/** The loops that could not be specialized, and why (tests check there are none in Node). @internal */
export const unspecialized = (): readonly string[] => refused;

/** Whether loops made from now on are specialized copies (tests compare both ways). @internal */
export function specializeLoops(on: boolean): void {
  copies = on;
  for (const cache of [unaryRuns, binaryRuns, reduceRuns]) for (const d of DTYPES) cache[d] = {};
}

// bool has a cache too though the Tensor ops compute it as int32: its loops would be int32's
const DTYPES = ['float32', 'int32', 'float64', 'bool'] as const;
type Cache<Op extends string, Run> = Record<DType, Partial<Record<Op, Run>>>;
const caches = <Op extends string, Run>(): Cache<Op, Run> => ({
  float32: {},
  int32: {},
  float64: {},
  bool: {},
});
const unaryRuns: Cache<UnaryOp, UnaryRun> = caches();
const binaryRuns: Cache<BinaryOp, BinaryRun> = caches();
const reduceRuns: Cache<ReduceOp, ReduceRun> = caches();

/** The loop of unary `op` on `dtype` (made on first use: a copy per op and dtype stays monomorphic). */
export function unaryRun(op: UnaryOp, dtype: DType): UnaryRun {
  return (unaryRuns[dtype][op] ??= specialize(
    unaryLoop,
    `${op}.${dtype}`,
  )(formFor(op, UNARY_JS[op], dtype)));
}

/** The loop of binary `op` on operands of `dtype`. */
export function binaryRun(op: BinaryOp, dtype: DType): BinaryRun {
  return (binaryRuns[dtype][op] ??= specialize(
    binaryLoop,
    `${op}.${dtype}`,
  )(formFor(op, BINARY_JS[op], dtype)));
}

/** The loop of reduction `op` on `dtype`. */
export function reduceRun(op: ReduceOp, dtype: DType): ReduceRun {
  const loop = REDUCE[op].index ? indexLoop : foldLoop;
  return (reduceRuns[dtype][op] ??= specialize(loop, `${op}.${dtype}`)(REDUCE_JS[op]));
}
