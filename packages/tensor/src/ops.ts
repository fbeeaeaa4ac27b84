/**
 * The primitive ops every backend implements. Each list is the single source of truth: backends,
 * gradient rules and the conformance suite key `Record<Op, …>` tables by these unions, so tsc
 * rejects a table that misses one.
 */
export const UNARY_OPS = [
  'neg', 'exp', 'log', 'sqrt', 'abs', 'sign', 'sigmoid', 'tanh', 'relu', 'step',
  'reciprocal', 'square', 'sin', 'cos', 'floor', 'ceil', 'log1p', 'expm1',
] as const; // prettier-ignore
export type UnaryOp = (typeof UNARY_OPS)[number];

/** Unary ops that only make sense on floats: applied to int32 they first cast to float32. */
export const FLOAT_ONLY_UNARY: ReadonlySet<UnaryOp> = new Set([
  'exp', 'log', 'sqrt', 'sigmoid', 'tanh', 'reciprocal', 'sin', 'cos', 'log1p', 'expm1',
]); // prettier-ignore

export const ARITH_OPS = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum'] as const;
export const COMPARE_OPS = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const;
export const BINARY_OPS = [...ARITH_OPS, ...COMPARE_OPS] as const;
export type ArithOp = (typeof ARITH_OPS)[number];
export type CompareOp = (typeof COMPARE_OPS)[number];
export type BinaryOp = (typeof BINARY_OPS)[number];

/** Reductions over a set of axes. `argmax`/`argmin` reduce one axis and return int32 indices. */
export const REDUCE_OPS = ['sum', 'max', 'min', 'argmax', 'argmin'] as const;
export type ReduceOp = (typeof REDUCE_OPS)[number];

/** Everything else a backend implements, one entry each (the conformance suite iterates this too). */
export const OTHER_OPS = [
  'where', 'matmul', 'gather', 'scatterAdd', 'concat', 'cast', 'copy', 'random',
] as const; // prettier-ignore
export type OtherOp = (typeof OTHER_OPS)[number];

export type RandomDist = 'uniform' | 'normal';
