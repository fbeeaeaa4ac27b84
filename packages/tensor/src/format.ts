import type { DType, DataArray } from './dtype.js';
import { sizeOf } from './shape.js';

const EDGE = 3;
const SUMMARY_THRESHOLD = 1000;

function formatNumbers(values: number[], dtype: DType): string[] {
  if (dtype === 'int32') return values.map(String);
  if (dtype === 'bool') return values.map((v) => (v ? 'True' : 'False'));
  const finite = values.filter(Number.isFinite);
  const integral = finite.every(Number.isInteger);
  const big = finite.some((v) => Math.abs(v) >= 1e8);
  const tiny = finite.some((v) => v !== 0 && Math.abs(v) < 1e-4);
  // As NumPy: as many decimals (up to 4) as the most precise element needs, the same for all.
  const decimals = Math.max(
    0,
    ...finite.map(
      (v) =>
        v
          .toFixed(4)
          .replace(/\.?0+$/, '')
          .split('.')[1]?.length ?? 0,
    ),
  );
  return values.map((v) => {
    if (Number.isNaN(v)) return 'nan';
    if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
    if (big || tiny) return v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2');
    if (integral) return `${v}.`;
    // NumPy pads the unneeded trailing zeros with spaces: [0.5, 1, -2.25] prints as 0.5 , 1.  , -2.25.
    const fixed = v.toFixed(decimals);
    return decimals === 0 ? `${fixed}.` : fixed.replace(/0+$/, (z) => ' '.repeat(z.length));
  });
}

/**
 * NumPy's `repr` layout: `array([[1., 2.],\n       [3., 4.]], dtype=int32)`; tensors over 1000 elements
 * show the first and last three entries of each axis around `...`.
 */
export function formatTensor(data: DataArray, shape: readonly number[], dtype: DType): string {
  const summarize = data.length > SUMMARY_THRESHOLD;
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const picked = (axis: number): number[] => {
    const n = shape[axis]!;
    const all = Array.from({ length: n }, (_, i) => i);
    return summarize && n > 2 * EDGE ? [...all.slice(0, EDGE), -1, ...all.slice(n - EDGE)] : all;
  };
  const values: number[] = [];
  const collect = (axis: number, offset: number) => {
    if (axis === shape.length) return void values.push(data[offset]!);
    for (const i of picked(axis)) if (i >= 0) collect(axis + 1, offset + i * strides[axis]!);
  };
  collect(0, 0);
  const texts = formatNumbers(values, dtype);
  const width = Math.max(0, ...texts.map((t) => t.length));
  let k = 0;
  const prefix = 'array(';
  const render = (axis: number, indent: number): string => {
    if (axis === shape.length) return texts[k++]!.padStart(width);
    const sep =
      axis === shape.length - 1
        ? ', '
        : ',' + '\n'.repeat(shape.length - axis - 1) + ' '.repeat(indent + 1);
    const parts = picked(axis).map((i) => (i < 0 ? '...' : render(axis + 1, indent + 1)));
    return `[${parts.join(sep)}]`;
  };
  const body = shape.length === 0 ? texts[0]! : render(0, prefix.length);
  // NumPy names the dtype unless it is the default or bool (True and False say it)
  return `${prefix}${body}${dtype === 'float32' || dtype === 'bool' ? '' : `, dtype=${dtype}`})`;
}

/** Numbers nested in arrays, one level per axis: `[[1, 2], [3, 4]]` is a 2×2 matrix. */
export type NestedArray = number | NestedArray[];

/** `data` (row-major) as arrays nested one level per axis of `shape`. */
export function nest(data: DataArray, shape: readonly number[]): NestedArray {
  if (shape.length === 0) return data[0]!;
  const build = (axis: number, offset: number): NestedArray[] => {
    const n = shape[axis]!;
    const step = sizeOf(shape.slice(axis + 1));
    return Array.from({ length: n }, (_, i) =>
      axis === shape.length - 1 ? data[offset + i]! : build(axis + 1, offset + i * step),
    );
  };
  return build(0, 0);
}
