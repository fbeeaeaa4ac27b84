import {
  type Backend,
  type DType,
  type Tensor,
  dtypeOfArray,
  tensor,
  typedArray,
} from '@nablajs/tensor';
import { expect } from 'vitest';
import { type Nd, at, broadcastTo, fill, fmt, fromValues, ravel, sizeOf, unravel } from './nd.js';
import type { Rng } from './rng.js';

/** Float comparison: |actual − expected| ≤ atol·scale + rtol·|expected|. */
export interface Tolerance {
  atol: number;
  rtol: number;
}

/**
 * How an input's logical values are laid out in the backend's storage:
 * - `contiguous`: row-major from offset 0;
 * - `transposed`: a permuted view (all axes reversed) of row-major data;
 * - `sliced`: every other element of a larger buffer, behind an index-picked leading axis, so the
 *   view has an offset and strides of 2 (the skipped elements hold a sentinel);
 * - `broadcast-outer` / `broadcast-inner`: `expand` of a smaller tensor, stride 0 on the first axis
 *   (a new one) or on the last axis (from size 1); the values repeat along it.
 */
export type Layout = 'contiguous' | 'transposed' | 'sliced' | 'broadcast-outer' | 'broadcast-inner';
export const LAYOUTS: readonly Layout[] = [
  'contiguous',
  'transposed',
  'sliced',
  'broadcast-outer',
  'broadcast-inner',
];

/** Draws one input value for `dtype`. */
export type Gen = (rng: Rng, dtype: DType) => number;

/** Stands in the storage a strided view skips: a kernel that reads it gets a conspicuous value. */
export const SENTINEL = 4242;

export interface ExpectOptions {
  /** Per-element scale of the absolute tolerance (Σ|terms| of a sum or dot product); default 1. */
  scale?: Float64Array;
  /** Multiplies the tolerance, for ops that need a few more ulps. */
  factor?: number;
  /** Bit-for-bit: NaN matches NaN, and -0 must stay -0 (copies). */
  exact?: boolean;
  /** A zero must have the expected sign (within tolerance otherwise). */
  signedZeros?: boolean;
  /** Inputs of an elementwise op, shown (broadcast) beside a mismatch. */
  inputs?: readonly Nd[];
  /** Names what is being compared when a case checks several results. */
  label?: string;
}

/** What a case gets: the backend, the input dtype of this run, a seeded generator and helpers. */
export class CaseContext {
  private readonly made: Tensor[] = [];

  constructor(
    readonly backend: Backend,
    /** The dtype this run of the case is for (of its main input). */
    readonly dtype: DType,
    /** Every dtype under test, for cases that mix dtypes. */
    readonly dtypes: readonly DType[],
    readonly rng: Rng,
    readonly tolerance: { float32: Tolerance; float64: Tolerance },
    readonly small: boolean,
  ) {}

  /** Disposes `t` when the case ends. */
  track<T extends Tensor>(t: T): T {
    this.made.push(t);
    return t;
  }

  /** Values from `gen`, rounded to `dtype`. */
  values(shape: readonly number[], gen: Gen, dtype: DType = this.dtype): Nd {
    return fill(dtype, shape, () => gen(this.rng, dtype));
  }

  /** Literal values (rounded to `dtype`), 1-D unless `shape` is given. */
  nd(
    values: readonly number[],
    shape: readonly number[] = [values.length],
    dtype: DType = this.dtype,
  ): Nd {
    return fromValues(dtype, shape, values);
  }

  /**
   * A backend tensor holding `x`'s values in `layout` (not a broadcast one: use `input`), on this
   * case's backend or on `backend`.
   */
  make(x: Nd, layout: Layout = 'contiguous', backend: Backend = this.backend): Tensor {
    const { dtype, shape } = x;
    const upload = (values: Float64Array, s: readonly number[]): Tensor => {
      const data = typedArray(dtype, values.length);
      data.set(values);
      return this.track(tensor(data, { backend, dtype, shape: s }));
    };
    const rank = shape.length;
    switch (layout) {
      case 'contiguous':
        return upload(x.data, shape);
      case 'transposed': {
        if (rank < 2) return upload(x.data, shape);
        const phys = [...shape].reverse();
        const data = new Float64Array(x.data.length);
        for (let i = 0; i < data.length; i++)
          data[ravel(unravel(i, shape).reverse(), phys)] = x.data[i]!;
        const order = shape.map((_, i) => rank - 1 - i);
        return this.track(upload(data, phys).permute(...order));
      }
      case 'sliced': {
        const phys = [3, ...shape.map((d) => 2 * d + 1)];
        const data = new Float64Array(sizeOf(phys)).fill(SENTINEL);
        for (let i = 0; i < x.data.length; i++)
          data[ravel([1, ...unravel(i, shape).map((k) => 2 * k + 1)], phys)] = x.data[i]!;
        return this.track(
          upload(data, phys).slice([1, ...shape.map(() => [1, undefined, 2] as const)]),
        );
      }
      default:
        throw new Error(`make: layout ${layout} repeats values; use input()`);
    }
  }

  /** A generated input of `shape` in `layout`: the backend tensor and its reference values. */
  input(
    shape: readonly number[],
    gen: Gen,
    layout: Layout = 'contiguous',
    dtype: DType = this.dtype,
  ): [Tensor, Nd] {
    if (layout === 'broadcast-outer' || layout === 'broadcast-inner') {
      const base =
        shape.length === 0
          ? []
          : layout === 'broadcast-outer'
            ? shape.slice(1)
            : [...shape.slice(0, -1), 1];
      const small = this.values(base, gen, dtype);
      return [this.track(this.make(small).expand(shape)), broadcastTo(small, shape)];
    }
    const x = this.values(shape, gen, dtype);
    return [this.make(x, layout), x];
  }

  /** Asserts `actual` has `expected`'s dtype, shape and values (within the dtype's tolerance). */
  async expect(actual: Tensor, expected: Nd, opts: ExpectOptions = {}): Promise<void> {
    this.track(actual);
    const what = opts.label ? `${opts.label}: ` : '';
    expect(actual.dtype, `${what}dtype`).toBe(expected.dtype);
    expect([...actual.shape], `${what}shape`).toEqual([...expected.shape]);
    const data = await actual.data();
    // bool reads as a Uint8Array of 0/1
    const arrayType = data instanceof Uint8Array ? 'bool' : dtypeOfArray(data);
    expect(arrayType, `${what}data() array type`).toBe(expected.dtype);
    expect(data.length, `${what}data() length`).toBe(expected.data.length);
    const tol: Tolerance =
      expected.dtype === 'int32' || expected.dtype === 'bool' || opts.exact
        ? { atol: 0, rtol: 0 }
        : this.tolerance[expected.dtype];
    const f = opts.factor ?? 1;
    const bad: string[] = [];
    let count = 0;
    for (let i = 0; i < data.length; i++) {
      const a = data[i]!;
      const e = expected.data[i]!;
      const limit = f * (tol.atol * (opts.scale?.[i] ?? 1) + tol.rtol * Math.abs(e));
      const ok = opts.exact
        ? Object.is(a, e)
        : e === 0 && opts.signedZeros
          ? Object.is(a, e)
          : e !== e
            ? a !== a
            : !Number.isFinite(e)
              ? a === e
              : Math.abs(a - e) <= limit;
      if (ok) continue;
      if (++count > 8) continue;
      const idx = unravel(i, expected.shape);
      const ins = opts.inputs?.length
        ? ` for input ${opts.inputs.map((x) => show(at(x, idx))).join(', ')}`
        : '';
      const within = limit > 0 && Number.isFinite(e) ? ` (tolerance ${limit.toPrecision(2)})` : '';
      bad.push(`  at ${fmt(idx)}: got ${show(a)}, expected ${show(e)}${within}${ins}`);
    }
    const more = count > 8 ? `\n  … and ${count - 8} more` : '';
    expect(
      count,
      `${what}${count} of ${data.length} elements of ${fmt(expected.shape)} ${expected.dtype} differ:\n${bad.join('\n')}${more}\n`,
    ).toBe(0);
  }

  /** Disposes every tensor the case made. */
  dispose(): void {
    for (const t of this.made) t.dispose();
  }
}

function show(x: number): string {
  return Object.is(x, -0) ? '-0' : String(x);
}
