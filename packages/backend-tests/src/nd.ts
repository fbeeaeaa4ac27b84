import type { DType } from '@nablajs/tensor';

/**
 * The reference's n-d array: logical values in row-major order, held as doubles but already
 * rounded to `dtype` (what the backend stores). Deliberately naive: every reference op is written
 * over multi-indices, never over strides, so it shares no logic with a backend.
 */
export interface Nd {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

/** What storing `x` in an array of `dtype` keeps: float32 rounds to nearest, int32 wraps mod 2^32,
 * bool is 1 for anything but 0 (NaN included, as PyTorch's `bool()`). */
export function roundTo(dtype: DType, x: number): number {
  if (dtype === 'float32') return Math.fround(x);
  if (dtype === 'int32') return x | 0;
  if (dtype === 'bool') return x === 0 ? 0 : 1;
  return x;
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

/** The multi-index of row-major position `flat`. */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i]!;
    idx[i] = flat % d;
    flat = Math.floor(flat / d);
  }
  return idx;
}

export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let flat = 0;
  for (let i = 0; i < shape.length; i++) flat = flat * shape[i]! + idx[i]!;
  return flat;
}

/** An Nd of `shape` whose element at each multi-index is `f(index)`, rounded to `dtype`. */
export function fill(dtype: DType, shape: readonly number[], f: (idx: number[]) => number): Nd {
  const data = new Float64Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = roundTo(dtype, f(unravel(i, shape)));
  return { dtype, shape: [...shape], data };
}

export function fromValues(dtype: DType, shape: readonly number[], values: ArrayLike<number>): Nd {
  if (values.length !== sizeOf(shape))
    throw new Error(`${values.length} values for shape [${shape}]`);
  return { dtype, shape: [...shape], data: Float64Array.from(values, (v) => roundTo(dtype, v)) };
}

/** The element of `x` that index `idx` of a broadcast result reads (NumPy rules: align right). */
export function at(x: Nd, idx: readonly number[]): number {
  const lead = idx.length - x.shape.length;
  let flat = 0;
  for (let i = 0; i < x.shape.length; i++) {
    const d = x.shape[i]!;
    flat = flat * d + (d === 1 ? 0 : idx[lead + i]!);
  }
  return x.data[flat]!;
}

/** NumPy broadcasting of shapes, written out independently of the library's. */
export function broadcastShape(...shapes: (readonly number[])[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let j = 0; j < rank; j++) {
    let d = 1;
    for (const s of shapes) {
      const k = s[s.length - rank + j] ?? 1;
      if (k !== 1) {
        if (d !== 1 && d !== k)
          throw new Error(`reference: cannot broadcast ${shapes.map((x) => `[${x}]`).join(' ')}`);
        d = k;
      }
    }
    out.push(d);
  }
  return out;
}

export function broadcastTo(x: Nd, shape: readonly number[]): Nd {
  return fill(x.dtype, shape, (idx) => at(x, idx));
}

export const fmt = (shape: readonly number[]): string => `[${shape.join(',')}]`;
