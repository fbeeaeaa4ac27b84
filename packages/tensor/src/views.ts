import { ShapeError, fmtShape } from './errors.js';
import type { Axes } from './math.js';
import {
  checkSize,
  contiguousStrides,
  isContiguous,
  normAxes,
  normAxis,
  sameShape,
  sizeOf,
} from './shape.js';
import type { Tensor } from './tensor.js';

// Tensor's views (its methods of the same names call these): new shapes and strides over the same
// storage, no copy (`reshape` copies only a non-contiguous tensor).

/** One axis of `slice`: `null` keeps it, a number picks one index and drops the axis,
 * `[start, end, step]` (each optional, negatives count from the end) keeps a range. */
export type SliceSpec =
  null | number | readonly [(number | null)?, (number | null)?, (number | null)?];

/** A tensor of `shape` (one entry may be -1) with the same elements; a view when contiguous. */
export function reshape(t: Tensor, shape: readonly number[]): Tensor {
  t.assertLive('reshape');
  const known = shape.filter((d) => d !== -1);
  const free = shape.length - known.length;
  const rest = sizeOf(known);
  const filled = shape.map((d) => (d === -1 ? t.size / rest : d));
  if (free > 1 || filled.some((d) => !Number.isInteger(d) || d < 0) || sizeOf(filled) !== t.size)
    throw new ShapeError(
      'reshape',
      `cannot reshape ${fmtShape(t.shape)} (${t.size} elements) to ${fmtShape(shape)}`,
      'the sizes must match, with at most one -1',
    );
  if (sameShape(filled, t.shape)) return t._view(t.shape, t.strides);
  if (isContiguous(t.shape, t.strides)) return t._view(filled, contiguousStrides(filled));
  const c = t.contiguous();
  const v = c.reshape(filled);
  c.dispose();
  return v;
}

/** Reorders axes: `permute(1, 0)` is the transpose of a matrix. */
export function permute(t: Tensor, ...axes: number[]): Tensor {
  t.assertLive('permute');
  const ax = axes.map((a) => normAxis('permute', a, t.rank));
  if (ax.length !== t.rank || new Set(ax).size !== ax.length)
    throw new ShapeError(
      'permute',
      `[${axes.join(',')}] is not a permutation of the ${t.rank} axes of ${fmtShape(t.shape)}`,
    );
  return t._view(
    ax.map((a) => t.shape[a]!),
    ax.map((a) => t.strides[a]!),
  );
}

/** Swaps two axes, the last two by default. */
export function transpose(t: Tensor, a = -2, b = -1): Tensor {
  t.assertLive('transpose');
  if (t.rank < 2) return t._view(t.shape, t.strides);
  const order = Array.from({ length: t.rank }, (_, i) => i);
  const i = normAxis('transpose', a, t.rank);
  const j = normAxis('transpose', b, t.rank);
  [order[i], order[j]] = [order[j]!, order[i]!];
  return t.permute(...order);
}

/** Broadcasts to `shape` (NumPy rules; -1 keeps an axis); new and size-1 axes get stride 0. */
export function expand(t: Tensor, shape: readonly number[]): Tensor {
  t.assertLive('expand');
  const lead = shape.length - t.rank;
  const bad =
    lead < 0 ||
    shape.some((d, j) => !Number.isInteger(d) || d < (j < lead ? 0 : -1)) ||
    t.shape.some((d, i) => d !== 1 && shape[lead + i] !== d && shape[lead + i] !== -1);
  if (bad)
    throw new ShapeError(
      'expand',
      `cannot broadcast ${fmtShape(t.shape)} to ${fmtShape(shape)}`,
      'only size-1 axes can grow, and new axes go in front',
    );
  const out = shape.map((d, j) => (d === -1 ? t.shape[j - lead]! : d));
  checkSize('expand', out); // a view, but contiguous() of it would hold every element
  const strides = out.map((d, j) => {
    const i = j - lead;
    return i < 0 || (t.shape[i] === 1 && d !== 1) ? 0 : t.strides[i]!;
  });
  return t._view(out, strides);
}

/** `x.slice([null, [0, 10, 2]])` is NumPy's `x[:, 0:10:2]`; a number picks an index and drops its axis. */
export function slice(t: Tensor, specs: readonly SliceSpec[]): Tensor {
  t.assertLive('slice');
  if (specs.length > t.rank)
    throw new ShapeError(
      'slice',
      `${specs.length} specs for a tensor of rank ${t.rank} ${fmtShape(t.shape)}`,
    );
  const shape: number[] = [];
  const strides: number[] = [];
  let offset = t.offset;
  t.shape.forEach((dim, i) => {
    const spec = specs[i] ?? null;
    const stride = t.strides[i]!;
    if (typeof spec === 'number') {
      const k = spec < 0 ? spec + dim : spec;
      if (!Number.isInteger(spec) || k < 0 || k >= dim)
        throw new ShapeError(
          'slice',
          `index ${spec} is out of range for axis ${i} of ${fmtShape(t.shape)}`,
        );
      offset += k * stride;
      return;
    }
    const [s0, e0, st] = spec ?? [];
    const step = st ?? 1;
    if (!Number.isInteger(step) || step < 1)
      throw new ShapeError('slice', `step ${step} on axis ${i} must be a positive integer`);
    // NaN or 1.5 would make a NaN or fractional shape and offset, which reach the allocator
    for (const [name, v] of [
      ['start', s0],
      ['end', e0],
    ] as const)
      if (v != null && !Number.isInteger(v))
        throw new ShapeError(
          'slice',
          `${name} ${v} on axis ${i} must be an integer`,
          'bounds are integers (negative ones count from the end), or null for the whole axis',
        );
    const clampIdx = (v: number) => Math.min(dim, Math.max(0, v < 0 ? v + dim : v));
    const start = clampIdx(s0 ?? 0);
    const end = clampIdx(e0 ?? dim);
    shape.push(Math.max(0, Math.ceil((end - start) / step)));
    strides.push(stride * step);
    offset += start * stride;
  });
  return t._view(shape, strides, offset);
}

/** Drops size-1 axes (all of them, or the ones named). */
export function squeeze(t: Tensor, axes?: Axes): Tensor {
  t.assertLive('squeeze');
  const ax =
    axes === undefined
      ? t.shape.flatMap((d, i) => (d === 1 ? [i] : []))
      : normAxes('squeeze', axes, t.rank);
  for (const a of ax)
    if (t.shape[a] !== 1)
      throw new ShapeError(
        'squeeze',
        `axis ${a} of ${fmtShape(t.shape)} has size ${t.shape[a]}, not 1`,
      );
  const keep = (_: number, i: number) => !ax.includes(i);
  return t._view(t.shape.filter(keep), t.strides.filter(keep));
}

/** Inserts a size-1 axis at `axis` (-1 appends). */
export function unsqueeze(t: Tensor, axis: number): Tensor {
  t.assertLive('unsqueeze');
  const a = normAxis('unsqueeze', axis, t.rank + 1);
  const shape = [...t.shape];
  const strides = [...t.strides];
  shape.splice(a, 0, 1);
  strides.splice(a, 0, a < t.rank ? t.strides[a]! * t.shape[a]! : 1);
  return t._view(shape, strides);
}

/** Merges axes `start..end` (inclusive) into one. */
export function flatten(t: Tensor, start = 0, end = -1): Tensor {
  t.assertLive('flatten');
  if (t.rank === 0) return t.reshape([1]);
  const s = normAxis('flatten', start, t.rank);
  const e = normAxis('flatten', end, t.rank);
  const shape = [...t.shape.slice(0, s), sizeOf(t.shape.slice(s, e + 1)), ...t.shape.slice(e + 1)];
  return t.reshape(shape);
}
