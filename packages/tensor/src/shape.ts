import { ShapeError, fmtShape } from './errors.js';

/** The size of each axis, outermost first; `[]` is a scalar. */
export type Shape = readonly number[];

/** The number of elements of a tensor of `shape` (1 for a scalar). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides, in elements. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/** Whether `strides` are the row-major strides of `shape` (size-1 axes may have any stride). */
export function isContiguous(shape: Shape, strides: readonly number[]): boolean {
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i]!;
    if (d !== 1 && strides[i] !== s) return false;
    s *= d;
  }
  return true;
}

/** Where the parts of a concatenation land in its row-major result. */
export interface ConcatLayout {
  /** The result's shape: the parts' shape, their sizes along the axis summed. */
  shape: number[];
  /** The result's row-major strides. */
  strides: number[];
  /** Each part's offset in the result, in elements (the part is a view with `strides`). */
  offsets: number[];
}

/** The layout of `shapes` joined along `axis` (they agree on every other axis, as `concat` checks). */
export function concatLayout(shapes: readonly Shape[], axis: number): ConcatLayout {
  const shape = [...shapes[0]!];
  shape[axis] = shapes.reduce((n, s) => n + s[axis]!, 0);
  const strides = contiguousStrides(shape);
  let at = 0;
  const offsets = shapes.map((s) => {
    const offset = at * strides[axis]!;
    at += s[axis]!;
    return offset;
  });
  return { shape, strides, offsets };
}

/** Whether two shapes are equal, axis by axis. */
export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** NumPy broadcasting: align right, each pair equal or one of them 1. */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const j = rank - s.length + i;
      const d = s[i]!;
      const o = out[j]!;
      if (o === 1) out[j] = d;
      else if (d !== 1 && d !== o)
        throw new ShapeError(
          op,
          `shapes ${shapes.map(fmtShape).join(' and ')} cannot be broadcast (axis ${j - rank}: ${o} vs ${d})`,
          'each axis, aligned from the right, must be equal or 1',
        );
    }
  }
  return out;
}

/** A negative axis counts from the end, as in NumPy. */
export function normAxis(op: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(axis) || a < 0 || a >= rank)
    throw new ShapeError(
      op,
      `axis ${axis} is out of range for a tensor of rank ${rank}`,
      `use -${rank}..${rank - 1}`,
    );
  return a;
}

/** Sorted, unique, non-negative axes; `undefined` means all axes. */
export function normAxes(
  op: string,
  axes: number | readonly number[] | undefined,
  rank: number,
): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : axes;
  const out = [...new Set(list.map((a) => normAxis(op, a, rank)))].sort((x, y) => x - y);
  if (out.length !== list.length) throw new ShapeError(op, `repeated axis in [${list.join(',')}]`);
  return out;
}
