import {
  type BinaryOp,
  type DType,
  type ReduceOp,
  type ScanOp,
  type UnaryOp,
  binaryDType,
  binaryResultDType,
  unaryDType,
} from '@nablajs/tensor';
import { type Nd, at, broadcastShape, fill, ravel, roundTo, sizeOf, unravel } from './nd.js';
import * as E from './oracle/elementary.js';
import { floor } from './oracle/exact.js';
import { erf, gelu, geluGrad } from './oracle/erf.js';
import { pow } from './oracle/pow.js';
import { atan2 } from './oracle/atan2.js';

/**
 * The float64 reference every backend is checked against. It imports no backend code: scalar
 * tables keyed by the op unions (tsc demands a row for every op: that row is what a contributor adds
 * with a new primitive) and naive multi-index implementations of the structured ops.
 *
 * Independence from the CPU backend (`backend-cpu/src/tables.ts` calls `Math.exp`, `Math.log`,
 * `Math.sin`, … and `Math.imul`): the rows below call no `Math` function. Where an op has another
 * formulation, the row uses it (`oracle/elementary.ts`, `oracle/pow.ts`: series with argument
 * reduction, exact BigInt arithmetic); where the only honest oracle is the definition itself
 * (IEEE negation, comparison, a correctly rounded + − × ÷), the row says so. Every row is checked
 * against correctly rounded values from mpmath (`known-values.test.ts`).
 *
 * The structured ops below (reduce, matmul, gather, scatterAdd, concat, cast, where) are naive loops
 * over multi-indices (`nd.ts`): no strides, blocking, SIMD or WebAssembly, nothing from the CPU's
 * `strided.ts` or `matmul.ts`; float sums run left to right in float64 (the CPU sums in its own
 * order, in the dtype), int32 matmul sums exactly and wraps once (the CPU wraps each product).
 * Storing a result rounds it as the definition says (`roundTo`: `Math.fround` is IEEE's rounding to
 * float32, `| 0` the wrap to int32).
 */

/** The meaning of each unary primitive, in float64. */
export const UNARY_REF: Record<UnaryOp, (x: number) => number> = {
  // definition (IEEE negation)
  neg: (x) => -x,
  // Taylor series of e^r − 1 after x = k·ln2 + r (ln 2 from its own atanh series, split hi/lo)
  exp: E.exp,
  // 2·atanh((m−1)/(m+1)) series after x = m·2^e, plus e·ln 2 in two parts
  log: E.log,
  // correctly rounded: BigInt integer square root (Newton) of the scaled mantissa, sticky bit
  sqrt: E.sqrt,
  // definition (the sign cleared; −0 gives +0)
  abs: (x) => (x < 0 ? -x : x === 0 ? 0 : x),
  // definition: 0 stays 0 (with its sign), NaN stays NaN (NumPy; PyTorch gives 0 for NaN)
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : x),
  // 1/(2 + expm1(−x)) for every x (the CPU branches on the sign and calls Math.exp), e^x below −700
  sigmoid: E.sigmoid,
  // −expm1(−2|x|)/(2 + expm1(−2|x|)) with the oracle's expm1 (the CPU calls Math.tanh)
  tanh: E.tanh,
  // definition: NaN propagates
  relu: (x) => (x !== x ? x : x > 0 ? x : 0),
  // definition: NaN propagates
  step: (x) => (x !== x ? x : x > 0 ? 1 : 0),
  // definition (a correctly rounded IEEE division)
  reciprocal: (x) => 1 / x,
  // definition (a correctly rounded IEEE product)
  square: (x) => x * x,
  // Taylor series after an exact BigInt reduction mod π/2 (π from Machin's formula)
  sin: E.sin,
  cos: E.cos,
  // the fraction bits dropped from the mantissa with a BigInt shift (no Math.floor)
  floor,
  // −floor(−x)
  ceil: (x) => -floor(-x),
  // the atanh series near 0, else log(1 + x rounded) + the rounding error of 1 + x over it
  log1p: E.log1p,
  // 2^k·expm1(r) + (2^k − 1) with the expm1 series of exp: one rounding
  expm1: E.expm1,
  // definition, x/(1 + |x|), the sign cleared by comparison: ±∞ gives NaN (∞/∞), as PyTorch
  softsign: (x) => x / (1 + (x < 0 ? -x : x)),
  // positive-term series below 1, erfc's continued fraction above (oracle/erf.ts; the CPU fits polynomials)
  erf,
  // x·Φ(x) with Φ from the oracle's erf above −√2 and from erfc's continued fraction below
  gelu,
  // Φ(x) + x·φ(x), φ from the oracle's exp of −x²/2 split exactly
  geluGrad,
};

/** The meaning of each binary primitive, in float64; comparisons give 1 or 0. */
export const BINARY_REF: Record<BinaryOp, (a: number, b: number) => number> = {
  // definition (correctly rounded IEEE + − × ÷)
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  // C99 Annex F special cases, exact BigInt powers for integer exponents, else 256-bit e^(b·ln a)
  pow,
  // definition: NaN propagates; of ±0, maximum takes +0 and minimum −0
  maximum: (a, b) => (a !== a || b !== b ? NaN : a > b || (a === b && 1 / a > 0) ? a : b),
  minimum: (a, b) => (a !== a || b !== b ? NaN : a < b || (a === b && 1 / a < 0) ? a : b),
  // C99 Annex F's special cases and a Taylor series, not libm (oracle/atan2.ts)
  atan2,
  // definition (IEEE comparison: NaN is unequal to everything)
  eq: (a, b) => +(a === b),
  ne: (a, b) => +(a !== b),
  lt: (a, b) => +(a < b),
  le: (a, b) => +(a <= b),
  gt: (a, b) => +(a > b),
  ge: (a, b) => +(a >= b),
};

/** The exact integer result wrapped to int32 (two's complement, mod 2^32). */
const wrap = (n: bigint): number => Number(BigInt.asIntN(32, n));

/**
 * int32 results are the exact integer result wrapped mod 2^32. Where a double cannot hold the exact
 * result (products beyond 2^53), these rows compute it exactly in BigInt (the CPU uses Math.imul);
 * every other op is exact in float64 and wraps when rounded to int32.
 */
export const INT32_UNARY: Partial<Record<UnaryOp, (x: number) => number>> = {
  square: (x) => wrap(BigInt(x) * BigInt(x)),
};
/**
 * float32 results where the contract is not the float64 row rounded: sigmoid gives 0 rather than a
 * float32 subnormal (below 2^−126, x < −87.3), as PyTorch does from −88.7 and a GPU that flushes
 * subnormals would anyway.
 */
export const FLOAT32_UNARY: Partial<Record<UnaryOp, (x: number) => number>> = {
  sigmoid: (x) => {
    const y = E.sigmoid(x);
    return y < 2 ** -126 ? 0 : y;
  },
};
export const INT32_BINARY: Partial<Record<BinaryOp, (a: number, b: number) => number>> = {
  mul: (a, b) => wrap(BigInt(a) * BigInt(b)),
  // a negative exponent truncates 1/a^|b| toward 0: ±1 for a = ±1, else 0 (1/0 stores as 0)
  pow: (a, b) =>
    b >= 0 ? wrap(BigInt(a) ** BigInt(b)) : a === 1 ? 1 : a === -1 ? (b % 2 ? -1 : 1) : 0,
};

/**
 * Each reduction over the values of one output element, in row-major order of the reduced axes:
 * the definitions, as plain loops (a left-to-right float64 sum; the CPU sums in its own order).
 */
export const REDUCE_REF: Record<ReduceOp, (xs: readonly number[]) => number> = {
  sum: (xs) => xs.reduce((s, x) => s + x, 0),
  max: (xs) => xs[extreme(xs, 1)] ?? -Infinity,
  min: (xs) => xs[extreme(xs, -1)] ?? Infinity,
  // the first NaN wins; else the first occurrence of the extreme (PyTorch)
  argmax: (xs) => extreme(xs, 1),
  argmin: (xs) => extreme(xs, -1),
};

/** The index of the first NaN, else of the first largest (dir 1) or smallest (−1) value. */
function extreme(xs: readonly number[], dir: 1 | -1): number {
  let best = 0;
  for (let i = 0; i < xs.length; i++) {
    if (xs[i] !== xs[i]) return i;
    if (dir * (xs[i]! - xs[best]!) > 0) best = i;
  }
  return best;
}

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/** bool < int32 < float32 < float64. */
export function promote(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

export function cast(x: Nd, dtype: DType): Nd {
  // storing a double in an int32 truncates toward zero (then wraps); in a float32 it rounds
  return fill(dtype, x.shape, (idx) => at(x, idx));
}

/** A result with, per element, the scale its float32 rounding error is measured against. */
export interface Result {
  out: Nd;
  /** Σ|terms| for sums and products; omitted means 1. */
  scale?: Float64Array;
}

export function unary(op: UnaryOp, x: Nd): Nd {
  const dtype = unaryDType(op, x.dtype);
  const f =
    (dtype === 'int32' && INT32_UNARY[op]) ||
    (dtype === 'float32' && FLOAT32_UNARY[op]) ||
    UNARY_REF[op];
  const input = dtype === x.dtype ? x : cast(x, dtype);
  return fill(dtype, x.shape, (idx) => f(at(input, idx)));
}

/** As the Tensor API defines it: promotion, int32 `div` in float32, comparisons in int32. */
export function binary(op: BinaryOp, a: Nd, b: Nd): Nd {
  const dtype = binaryDType(op, promote(a.dtype, b.dtype));
  const f = (dtype === 'int32' && INT32_BINARY[op]) || BINARY_REF[op];
  const A = a.dtype === dtype ? a : cast(a, dtype);
  const B = b.dtype === dtype ? b : cast(b, dtype);
  return fill(binaryResultDType(op, dtype), broadcastShape(a.shape, b.shape), (idx) =>
    f(at(A, idx), at(B, idx)),
  );
}

export function where(cond: Nd, a: Nd, b: Nd): Nd {
  const dtype = promote(a.dtype, b.dtype);
  return fill(dtype, broadcastShape(cond.shape, a.shape, b.shape), (idx) =>
    at(cond, idx) !== 0 ? at(a, idx) : at(b, idx),
  );
}

/** `axes` undefined means all (arg ops then index the flattened tensor). */
export function reduce(
  op: ReduceOp,
  x: Nd,
  axes?: number | readonly number[],
  keepDims = false,
): Result {
  const arg = op === 'argmax' || op === 'argmin';
  const rank = x.shape.length;
  const ax = (
    axes === undefined ? x.shape.map((_, i) => i) : typeof axes === 'number' ? [axes] : [...axes]
  ).map((a) => (a < 0 ? a + rank : a));
  const kept = x.shape.map((_, i) => i).filter((i) => !ax.includes(i));
  const reducedAxes = [...ax].sort((p, q) => p - q);
  const outShape = keepDims
    ? x.shape.map((d, i) => (ax.includes(i) ? 1 : d))
    : kept.map((i) => x.shape[i]!);
  const dtype = arg ? 'int32' : x.dtype;
  const n = sizeOf(reducedAxes.map((i) => x.shape[i]!));
  const scale = new Float64Array(sizeOf(outShape));
  const out = fill(dtype, outShape, (oIdx) => {
    const keptIdx = keepDims ? kept.map((i) => oIdx[i]!) : oIdx;
    const xs: number[] = [];
    for (let r = 0; r < n; r++) {
      const rIdx = unravel(
        r,
        reducedAxes.map((i) => x.shape[i]!),
      );
      const full = new Array<number>(rank);
      kept.forEach((i, k) => (full[i] = keptIdx[k]!));
      reducedAxes.forEach((i, k) => (full[i] = rIdx[k]!));
      xs.push(x.data[ravel(full, x.shape)]!);
    }
    scale[ravel(oIdx, outShape)] = xs.reduce((s, v) => s + Math.abs(v), 0);
    const v = REDUCE_REF[op](xs);
    if (op === 'sum' && x.dtype === 'int32' && (v > 2147483647 || v < -2147483648))
      throw new Error('reference sum: an int32 sum that does not fit raises (see cases/reduce.ts)');
    return v;
  });
  return { out, scale: op === 'sum' ? scale : undefined };
}

/** NumPy's matmul: batched, batch axes broadcast, a 1-D operand promoted and its axis dropped. */
export function matmul(a: Nd, b: Nd): Result {
  const dtype = promote(a.dtype, b.dtype);
  const as = a.shape.length === 1 ? [1, a.shape[0]!] : a.shape;
  const bs = b.shape.length === 1 ? [b.shape[0]!, 1] : b.shape;
  const [M, K, N] = [as[as.length - 2]!, as[as.length - 1]!, bs[bs.length - 1]!];
  if (bs[bs.length - 2] !== K) throw new Error(`reference matmul: [${a.shape}] @ [${b.shape}]`);
  const batch = broadcastShape(as.slice(0, -2), bs.slice(0, -2));
  const A: Nd = { ...a, shape: as };
  const B: Nd = { ...b, shape: bs };
  const data = new Float64Array(sizeOf(batch) * M * N);
  const scale = new Float64Array(data.length);
  for (let n = 0; n < sizeOf(batch); n++) {
    const bi = unravel(n, batch);
    // this batch's matrices, read through broadcasting
    const x = Array.from({ length: M * K }, (_, f) => at(A, [...bi, Math.floor(f / K), f % K]));
    const y = Array.from({ length: K * N }, (_, f) => at(B, [...bi, Math.floor(f / N), f % N]));
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        let acc = 0;
        let s = 0;
        for (let p = 0; p < K; p++) {
          const [u, v] = [x[i * K + p]!, y[p * N + j]!];
          acc += u * v; // int32: the exact sum (checked below), wrapped once when stored
          s += Math.abs(u * v);
        }
        if (dtype === 'int32' && !(acc > -(2 ** 53) && acc < 2 ** 53))
          throw new Error('reference matmul: an int32 sum past 2^53 is not exact in float64');
        data[(n * M + i) * N + j] = roundTo(dtype, acc);
        scale[(n * M + i) * N + j] = s;
      }
  }
  const shape = [
    ...batch,
    ...(a.shape.length === 1 ? [] : [M]),
    ...(b.shape.length === 1 ? [] : [N]),
  ];
  return { out: { dtype, shape, data }, scale };
}

/** PyTorch's gather: out[i][j] = x[i][index[i][j]] for axis 1. */
export function gather(x: Nd, axis: number, index: Nd): Nd {
  const ax = axis < 0 ? axis + x.shape.length : axis;
  return fill(x.dtype, index.shape, (idx) => {
    const src = [...idx];
    src[ax] = index.data[ravel(idx, index.shape)]!;
    return x.data[ravel(src, x.shape)]!;
  });
}

/** Zeros of `shape`, then out[i][index[i][j]] += src[i][j] for axis 1. */
export function scatterAdd(shape: readonly number[], axis: number, index: Nd, src: Nd): Result {
  const ax = axis < 0 ? axis + shape.length : axis;
  const acc = new Float64Array(sizeOf(shape));
  const scale = new Float64Array(sizeOf(shape));
  for (let f = 0; f < index.data.length; f++) {
    const idx = unravel(f, index.shape);
    idx[ax] = index.data[f]!;
    const o = ravel(idx, shape);
    acc[o]! += src.data[f]!;
    scale[o]! += Math.abs(src.data[f]!);
  }
  return { out: fill(src.dtype, shape, (idx) => acc[ravel(idx, shape)]!), scale };
}

export function concat(xs: readonly Nd[], axis: number): Nd {
  const first = xs[0]!;
  const ax = axis < 0 ? axis + first.shape.length : axis;
  const dtype = xs.map((x) => x.dtype).reduce(promote);
  const shape = first.shape.map((d, i) => (i === ax ? xs.reduce((s, x) => s + x.shape[i]!, 0) : d));
  return fill(dtype, shape, (idx) => {
    let k = idx[ax]!;
    for (const x of xs) {
      if (k < x.shape[ax]!)
        return x.data[
          ravel(
            idx.map((v, i) => (i === ax ? k : v)),
            x.shape,
          )
        ]!;
      k -= x.shape[ax]!;
    }
    throw new Error('reference concat: out of range');
  });
}

/** The values of `x` along `axis` at every other index `rest` (a naive multi-index walk). */
function lineAt(x: Nd, axis: number, rest: readonly number[]): number[] {
  return Array.from({ length: x.shape[axis]! }, (_, i) => {
    const idx = [...rest];
    idx[axis] = i;
    return x.data[ravel(idx, x.shape)]!;
  });
}

/**
 * The running sum or product along `axis`, each element folded left to right in float64 from the
 * line's start (the CPU carries one accumulator along the line); cumprod computes int32 in
 * float32. An int32 cumsum that leaves int32's range throws: the API raises there.
 */
export function scan(op: ScanOp, x: Nd, axis: number): Result {
  if (x.shape.length === 0) {
    const { out, scale } = scan(op, { ...x, shape: [1] }, 0);
    return { out: { ...out, shape: [] }, scale };
  }
  const ax = axis < 0 ? axis + x.shape.length : axis;
  const dtype = op === 'cumprod' && x.dtype === 'int32' ? 'float32' : x.dtype;
  const input = dtype === x.dtype ? x : cast(x, dtype);
  const scale = new Float64Array(x.data.length);
  const out = fill(dtype, x.shape, (idx) => {
    const line = lineAt(input, ax, idx).slice(0, idx[ax]! + 1);
    const v = line.reduce((s, t) => (op === 'cumsum' ? s + t : s * t), op === 'cumsum' ? 0 : 1);
    if (dtype === 'int32' && (v > 2147483647 || v < -2147483648))
      throw new Error('reference cumsum: an int32 result that does not fit raises');
    scale[ravel(idx, x.shape)] =
      op === 'cumsum' ? line.reduce((s, t) => s + Math.abs(t), 0) : Math.abs(v);
    return v;
  });
  return { out, scale };
}

/**
 * Stable sort positions along `axis` by insertion sort (the CPU uses Array.prototype.sort): a
 * value moves before another only when strictly less (greater, descending), NaN counting as
 * larger than every number.
 */
export function argsort(x: Nd, axis: number, descending: boolean): Nd {
  if (x.shape.length === 0) return fill('int32', [], () => 0);
  const ax = axis < 0 ? axis + x.shape.length : axis;
  const before = (p: number, q: number): boolean => {
    const key = (v: number) => (v !== v ? Infinity : v);
    const [a, b] = [key(p), key(q)];
    if (a === b) return p === p && q !== q ? !descending : p !== p && q === q ? descending : false;
    return descending ? a > b : a < b;
  };
  return fill('int32', x.shape, (idx) => {
    const line = lineAt(x, ax, idx);
    const order: number[] = [];
    for (let i = 0; i < line.length; i++) {
      let k = order.length;
      while (k > 0 && before(line[i]!, line[order[k - 1]!]!)) k--;
      order.splice(k, 0, i);
    }
    return order[idx[ax]!]!;
  });
}
export { col2im, im2col, maxPool, maxPoolGrad, windowGeometry } from './reference-window.js';
