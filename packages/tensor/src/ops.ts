/**
 * The primitive ops every backend implements. Each list is the single source of truth: backends,
 * gradient rules and the conformance suite key `Record<Op, …>` tables by these unions, so tsc
 * rejects a table that misses one.
 */
export const UNARY_OPS = [
  'neg', 'exp', 'log', 'sqrt', 'abs', 'sign', 'sigmoid', 'tanh', 'relu', 'step',
  'reciprocal', 'square', 'sin', 'cos', 'floor', 'ceil', 'log1p', 'expm1',
] as const; // prettier-ignore
/** The name of a primitive unary op: a Tensor method, a backend kernel, a gradient rule. */
export type UnaryOp = (typeof UNARY_OPS)[number];

/** Unary ops that only make sense on floats: applied to int32 they first cast to float32. */
export const FLOAT_ONLY_UNARY: ReadonlySet<UnaryOp> = new Set([
  'exp', 'log', 'sqrt', 'sigmoid', 'tanh', 'reciprocal', 'sin', 'cos', 'log1p', 'expm1',
]); // prettier-ignore

/** The arithmetic binary ops: elementwise with broadcasting, result of the promoted dtype. */
export const ARITH_OPS = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum'] as const;
/** The comparison binary ops: elementwise with broadcasting, result int32 0/1. */
export const COMPARE_OPS = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const;
/** Every primitive binary op: arithmetic, then comparisons. */
export const BINARY_OPS = [...ARITH_OPS, ...COMPARE_OPS] as const;
/** The name of an arithmetic binary op. */
export type ArithOp = (typeof ARITH_OPS)[number];
/** The name of a comparison op. */
export type CompareOp = (typeof COMPARE_OPS)[number];
/** The name of a primitive binary op. */
export type BinaryOp = (typeof BINARY_OPS)[number];

/** Reductions over a set of axes. `argmax`/`argmin` reduce one axis and return int32 indices. */
export const REDUCE_OPS = ['sum', 'max', 'min', 'argmax', 'argmin'] as const;
/** The name of a reduction. */
export type ReduceOp = (typeof REDUCE_OPS)[number];

/** Everything else a backend implements, one entry each (the conformance suite iterates this too). */
export const OTHER_OPS = [
  'where', 'matmul', 'gather', 'scatterAdd', 'concat', 'cast', 'copy', 'random',
] as const; // prettier-ignore
/** The name of one of the other primitives. */
export type OtherOp = (typeof OTHER_OPS)[number];

/** The distributions `Backend.random` draws from: U[0, 1) and N(0, 1). */
export type RandomDist = 'uniform' | 'normal';
