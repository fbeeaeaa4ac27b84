import type { Backend, DType } from '@nablajs/tensor';
import type { CaseContext, Gen } from '../context.js';

/** One conformance check of one op. It runs once per dtype under test (of those it names). */
export interface Case {
  name: string;
  /** The input dtypes it runs for; default every dtype under test. */
  dtypes?: readonly DType[];
  /** Other dtypes it needs; without them under test, the case is not defined. */
  requires?: readonly DType[];
  run(ctx: CaseContext): void | Promise<void>;
}

export const FLOATS: readonly DType[] = ['float32', 'float64'];
export const INT32: readonly DType[] = ['int32'];

/** Uniform in [lo, hi) for floats, an integer in [intLo, intHi] for int32. */
export const between =
  (lo: number, hi: number, intLo = Math.ceil(lo), intHi = Math.floor(hi)): Gen =>
  (r, dtype) =>
    dtype === 'int32' ? r.int(intLo, intHi) : r.uniform(lo, hi);

/** Integer values in every dtype, so that ties and equalities occur. */
export const integers =
  (lo: number, hi: number): Gen =>
  (r) =>
    r.int(lo, hi);

/** Non-zero magnitudes in [lo, hi) with a random sign (denominators). */
export const awayFromZero =
  (lo: number, hi: number): Gen =>
  (r, dtype) => {
    const m = dtype === 'int32' ? r.int(Math.ceil(lo), Math.floor(hi)) : r.uniform(lo, hi);
    return r.next() < 0.5 ? -m : m;
  };

/** The float values every elementwise op meets: infinities, NaN, signed zeros, huge and tiny. */
// prettier-ignore
export const EDGES: readonly number[] = [
  Infinity, -Infinity, NaN, 0, -0, 1, -1, 0.5, -2.5, 1e30, -1e30, 1e-30, -1e-30, 100, -100, 1000, -1000,
];

/** int32 values where wraparound shows. */
export const INT_EDGES: readonly number[] = [
  0, 1, -1, 2, -7, 46341, -46341, 65536, 123456789, -987654321, 2147483647, -2147483648,
];

/** The backend with its fused kernels hidden: `@nablajs/tensor` then composes primitives (the
 * fused cases check that fallback on every backend). */
export const composite = (backend: Backend): Backend =>
  Object.create(backend, { fused: { value: undefined } }) as Backend;
