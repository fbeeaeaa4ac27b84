// What every fuzz property shares: the context it runs in, the comparison with the reference, and
// the small draws (a broadcast partner, a dtype, the flushed alternative).
import type { Backend, DType, Tensor } from '@nablajs/tensor';
import { type Nd, type Rand, flushed, mismatches } from './gen.js';

/** What a property gets for one run. */
export interface FuzzContext {
  backend: Backend;
  /** The dtypes the backend stores (inputs are drawn from these). */
  dtypes: readonly DType[];
  r: Rand;
  /** Every tensor made, disposed when the run ends. */
  made: Tensor[];
  /** Whether the backend may flush float32 subnormals (a GPU): then either result is accepted. */
  flushes: boolean;
}

/** Reads `actual` and throws, describing the case, when it differs from `expected`. */
export async function check(
  c: FuzzContext,
  what: string,
  actual: Tensor,
  expected: Nd,
  o: { factor?: number; scale?: Float64Array; alternatives?: Nd[] } = {},
): Promise<void> {
  if (!c.made.includes(actual)) c.made.push(actual);
  const data = await actual.data();
  const bad = mismatches({ dtype: actual.dtype, shape: actual.shape, data }, expected, o);
  if (bad.length) throw new Error(`${what}:\n  ${bad.join('\n  ')}`);
}

/** The float dtypes the backend stores. */
export const floats = (c: FuzzContext) => c.dtypes.filter((d) => d !== 'int32' && d !== 'bool');
/** A short description of `x` for a failure message (its first 12 values). */
export const show = (x: Nd) =>
  `${x.dtype}[${x.shape.join(',')}] ${JSON.stringify(Array.from(x.data.slice(0, 12), (v) => (Object.is(v, -0) ? '-0' : String(v))))}`;

/** Edge values for sums of products: no finite value that overflows float32 part-way through a sum
 * (the float64 reference would not overflow, so the order of summation would matter). */
export const SAFE_EDGES = [0, -0, NaN, Infinity, -Infinity, 1e-40, 1, -1];

/** Another shape that broadcasts with `shape`: some leading axes dropped, some axes made 1. */
export function partner(c: FuzzContext, shape: readonly number[]): number[] {
  const drop = c.r.int(0, shape.length);
  return shape.slice(drop).map((d) => (c.r.next() < 0.3 ? 1 : d));
}

/** A dtype to draw: `like` most of the time when given. */
export const pickDtype = (c: FuzzContext, like?: DType) =>
  like && c.r.next() < 0.7 ? like : c.r.pick(c.dtypes);

/** The reference result for `x`, and for its flushed copy where the backend may flush. */
export function withFlush(c: FuzzContext, xs: Nd[], f: (...xs: Nd[]) => Nd): [Nd, Nd[]] {
  const exact = f(...xs);
  return [exact, c.flushes ? [f(...xs.map(flushed))] : []];
}

/** One property: the ops it covers and how it checks one of them. */
export interface Property {
  /** The ops it draws from (each run picks one). */
  ops: readonly string[];
  run(c: FuzzContext, op: string): Promise<void>;
}
