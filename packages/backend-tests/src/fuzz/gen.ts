// What the fuzzer feeds a backend: seeded values with edge cases, strided views of them, and the
// float64 expectations they are compared with. Nd values are built here (not with the reference's
// internals): a logical row-major array of doubles already rounded to the dtype.
import { type Backend, type DType, type Tensor, tensor, typedArray } from '@nablajs/tensor';
import type * as ref from '../reference.js';

/** The reference's array: logical row-major values rounded to `dtype`. */
export type Nd = Parameters<typeof ref.unary>[1];

/** A small seeded generator (mulberry32): the values of one fuzz case come from its seed. */
export class Rand {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
}

/** Float edge values: signed zeros, infinities, NaN, subnormals (float32 and float64), huge. */
export const FLOAT_EDGES = [0, -0, Infinity, -Infinity, NaN, 1, -1, 1e-40, -3e-42, 5e-324, 1e30, -1e30, 3.4e38]; // prettier-ignore
/** int32 edge values: the extremes, and where products and squares wrap. */
export const INT_EDGES = [0, 1, -1, 2147483647, -2147483648, 46341, -46341, 65536, -7];

/** Where random values of a float input come from, and which edges it takes. */
export interface Domain {
  lo: number;
  hi: number;
  /** int32 values in [intLo, intHi]. */
  intLo?: number;
  intHi?: number;
  edges?: readonly number[];
  intEdges?: readonly number[];
  /** Chance of an edge value (default 0.2). */
  edgeRate?: number;
}

export const DEFAULT_DOMAIN: Domain = { lo: -5, hi: 5, intLo: -20, intHi: 20 };

export function roundTo(dtype: DType, x: number): number {
  return dtype === 'float32' ? Math.fround(x) : dtype === 'int32' ? x | 0 : x;
}

const sizeOf = (shape: readonly number[]) => shape.reduce((a, d) => a * d, 1);

function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let i = shape.length - 1; i >= 0; i--) {
    idx[i] = flat % shape[i]!;
    flat = Math.floor(flat / shape[i]!);
  }
  return idx;
}

function ravel(idx: readonly number[], shape: readonly number[]): number {
  let flat = 0;
  for (let i = 0; i < shape.length; i++) flat = flat * shape[i]! + idx[i]!;
  return flat;
}

/** An Nd whose element at each multi-index is `f(index)`, rounded to `dtype`. */
export function ndOf(dtype: DType, shape: readonly number[], f: (idx: number[]) => number): Nd {
  const data = new Float64Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = roundTo(dtype, f(unravel(i, shape)));
  return { dtype, shape: [...shape], data };
}

/** Random values of `shape` and `dtype` from `domain`, with edge values mixed in. */
export function values(r: Rand, dtype: DType, shape: readonly number[], d = DEFAULT_DOMAIN): Nd {
  const rate = d.edgeRate ?? 0.2;
  return ndOf(dtype, shape, () => {
    if (dtype === 'bool') return r.int(0, 1);
    if (dtype === 'int32')
      return r.next() < rate
        ? r.pick(d.intEdges ?? INT_EDGES)
        : r.int(d.intLo ?? Math.ceil(d.lo), d.intHi ?? Math.floor(d.hi));
    return r.next() < rate ? r.pick(d.edges ?? FLOAT_EDGES) : d.lo + r.next() * (d.hi - d.lo);
  });
}

/** `x` (of a larger rank's trailing axes) read at the broadcast index `idx`. */
export function at(x: Nd, idx: readonly number[]): number {
  const lead = idx.length - x.shape.length;
  let flat = 0;
  for (let i = 0; i < x.shape.length; i++)
    flat = flat * x.shape[i]! + (x.shape[i] === 1 ? 0 : idx[lead + i]!);
  return x.data[flat]!;
}

/**
 * How an input is laid out: its values (of rank `order.length`) sit at offset `offsets[j]` and every
 * `steps[j]`-th place of a larger physical buffer (the rest holds a sentinel), the axes come permuted
 * by `order`, then the axes in `expanded` are broadcast (stride 0) from size 1 and `dropped` new
 * leading axes are added.
 */
export interface Recipe {
  order: number[];
  steps: number[];
  offsets: number[];
  expanded: boolean[];
  dropped: number;
}

/** Stands in the storage a view skips: a kernel that reads it gets a conspicuous value. */
const SENTINEL = 4242;

/** A random recipe for a view of `shape` (plain contiguous about a third of the time). */
export function recipe(r: Rand, shape: readonly number[], allowBroadcast = true): Recipe {
  const plain = r.next() < 0.3;
  const broadcast = allowBroadcast && !plain && r.next() < 0.4;
  const dropped = broadcast && shape.length > 0 ? r.int(0, 1) : 0;
  const rank = shape.length - dropped; // of the values before they are expanded
  const order = [...Array(rank).keys()];
  if (!plain && r.next() < 0.6)
    for (let i = rank - 1; i > 0; i--) {
      const j = r.int(0, i);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
  const strided = !plain && r.next() < 0.6;
  return {
    order,
    steps: order.map(() => (strided ? r.int(1, 3) : 1)),
    offsets: order.map(() => (strided ? r.int(0, 2) : 0)),
    expanded: shape.map((_, i) => i >= dropped && broadcast && r.next() < 0.5),
    dropped,
  };
}

/** The shape a recipe's values have before it expands them to `shape`. */
export function baseShape(shape: readonly number[], rc: Recipe): number[] {
  return shape.slice(rc.dropped).map((d, i) => (rc.expanded[i + rc.dropped] ? 1 : d));
}

/**
 * A backend tensor of `shape` laid out by `rc`, holding `base` (of `baseShape(shape, rc)`) broadcast
 * to `shape`; returns it with its logical values. Every tensor made is pushed on `made`.
 */
export function makeView(
  backend: Backend,
  base: Nd,
  shape: readonly number[],
  rc: Recipe,
  made: Tensor[],
): [Tensor, Nd] {
  const B = base.shape;
  const rank = B.length;
  const { order, steps, offsets } = rc;
  // the permuted view of q has shape B: q's axis order[i] has size B[i]
  const Q = new Array<number>(rank);
  order.forEach((o, i) => (Q[o] = B[i]!));
  const phys = Q.map((q, j) => offsets[j]! + q * steps[j]! + (steps[j]! > 1 ? 1 : 0));
  const data = typedArray(base.dtype, sizeOf(phys)).fill(roundTo(base.dtype, SENTINEL));
  for (let f = 0; f < base.data.length; f++) {
    const idx = unravel(f, B);
    const q = new Array<number>(rank);
    order.forEach((o, i) => (q[o] = idx[i]!));
    data[
      ravel(
        q.map((v, j) => offsets[j]! + v * steps[j]!),
        phys,
      )
    ] = base.data[f]!;
  }
  const keep = (t: Tensor) => (made.push(t), t);
  let t = keep(tensor(data, { backend, dtype: base.dtype, shape: phys }));
  if (phys.some((p, j) => p !== Q[j]))
    t = keep(t.slice(Q.map((q, j) => [offsets[j]!, offsets[j]! + q * steps[j]!, steps[j]!])));
  if (order.some((o, i) => o !== i)) t = keep(t.permute(...order));
  if (rc.dropped > 0 || rc.expanded.some(Boolean)) t = keep(t.expand(shape));
  return [t, ndOf(base.dtype, shape, (idx) => at(base, idx))];
}

/** A random shape: rank 0–`maxRank`, sizes 0–`maxDim` (0 and 1 often). */
export function shapeOf(r: Rand, maxRank = 4, maxDim = 4): number[] {
  const rank = r.int(0, maxRank);
  return Array.from({ length: rank }, () => (r.next() < 0.1 ? 0 : r.int(1, maxDim)));
}

/** A random generated input of `shape` in a random layout: the tensor and its logical values. */
export function input(
  r: Rand,
  backend: Backend,
  dtype: DType,
  shape: readonly number[],
  made: Tensor[],
  domain = DEFAULT_DOMAIN,
  allowBroadcast = true,
): [Tensor, Nd] {
  const rc = recipe(r, shape, allowBroadcast);
  return makeView(backend, values(r, dtype, baseShape(shape, rc), domain), shape, rc, made);
}

/** `x` with float32 subnormals flushed to ±0 (what a GPU may do to its inputs). */
export function flushed(x: Nd): Nd {
  if (x.dtype !== 'float32') return x;
  return { ...x, data: x.data.map((v) => (v !== 0 && Math.abs(v) < 2 ** -126 ? v * 0 : v)) };
}

/** How close a float result must be: |a − e| ≤ factor·(atol·scale + rtol·|e|). */
export interface Tolerance {
  atol: number;
  rtol: number;
}

export const TOLERANCE: Record<DType, Tolerance> = {
  float32: { atol: 1e-6, rtol: 1e-5 },
  float64: { atol: 1e-12, rtol: 1e-12 },
  int32: { atol: 0, rtol: 0 },
  bool: { atol: 0, rtol: 0 },
};

/**
 * Mismatches of `actual` against `expected` (or any of `alternatives`, element by element: a GPU
 * may flush subnormals), at most five, as text; [] when they agree. NaN must match NaN, ±Infinity
 * exactly, int32 exactly.
 */
export function mismatches(
  actual: { dtype: DType; shape: readonly number[]; data: ArrayLike<number> },
  expected: Nd,
  o: { factor?: number; scale?: Float64Array; alternatives?: readonly Nd[] } = {},
): string[] {
  if (actual.dtype !== expected.dtype) return [`dtype ${actual.dtype}, expected ${expected.dtype}`];
  if (actual.shape.join() !== expected.shape.join())
    return [`shape [${actual.shape.join(',')}], expected [${expected.shape.join(',')}]`];
  const tol = TOLERANCE[expected.dtype];
  const f = o.factor ?? 1;
  const close = (a: number, e: number, i: number) =>
    e !== e
      ? a !== a
      : !Number.isFinite(e)
        ? a === e
        : Math.abs(a - e) <= f * (tol.atol * (o.scale?.[i] ?? 1) + tol.rtol * Math.abs(e));
  const out: string[] = [];
  for (let i = 0; i < expected.data.length && out.length < 5; i++) {
    const a = actual.data[i]!;
    if (close(a, expected.data[i]!, i)) continue;
    if (o.alternatives?.some((alt) => close(a, alt.data[i]!, i))) continue;
    out.push(
      `at [${unravel(i, expected.shape).join(',')}]: got ${a}, expected ${expected.data[i]}`,
    );
  }
  return out;
}
