import { type TensorRef, type TypedArray, isContiguous, sizeOf } from '@nablajs/tensor';

/**
 * Merges axes that every ref walks as one (stride of the outer = stride·size of the inner, for all
 * refs) and drops size-1 axes, so dense views become one long row and broadcasts stay cheap.
 */
function coalesce(shape: readonly number[], refs: readonly TensorRef[]): [number[], number[][]] {
  const dims: number[] = [];
  const strides: number[][] = refs.map(() => []);
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i]!;
    if (d === 1) continue;
    const k = dims.length - 1;
    if (k >= 0 && refs.every((x, j) => x.strides[i] === strides[j]![k]! * dims[k]!)) {
      dims[k]! *= d;
      continue;
    }
    dims.push(d);
    refs.forEach((x, j) => strides[j]!.push(x.strides[i]!));
  }
  dims.reverse();
  for (const st of strides) st.reverse();
  return [dims, strides];
}

/**
 * Walks `shape` row by row (the last, coalesced axis is the row), keeping each ref's offset of the
 * row's first element; `body` gets the row's index in row-major order, the offsets, the row length
 * and each ref's stride along the row. Every strided kernel is built on this one walk.
 */
export function rows(
  shape: readonly number[],
  refs: readonly TensorRef[],
  body: (start: number, offs: number[], len: number, inner: number[]) => void,
): void {
  const n = sizeOf(shape);
  if (n === 0) return;
  if (refs.every(isDense))
    return body(
      0,
      refs.map((x) => x.offset),
      n,
      refs.map(() => 1),
    );
  const [dims, strides] = coalesce(shape, refs);
  const offs = refs.map((x) => x.offset);
  const r = dims.length;
  if (r === 0)
    return body(
      0,
      offs,
      1,
      refs.map(() => 0),
    );
  const len = dims[r - 1]!;
  let outer = 1;
  for (let i = 0; i < r - 1; i++) outer *= dims[i]!;
  const inner = strides.map((st) => st[r - 1]!);
  const idx = new Array<number>(r - 1).fill(0);
  const m = refs.length;
  for (let row = 0; row < outer; row++) {
    body(row * len, offs, len, inner);
    for (let ax = r - 2; ax >= 0; ax--) {
      idx[ax]!++;
      for (let j = 0; j < m; j++) offs[j]! += strides[j]![ax]!;
      if (idx[ax]! < dims[ax]!) break;
      for (let j = 0; j < m; j++) offs[j]! -= strides[j]![ax]! * dims[ax]!;
      idx[ax] = 0;
    }
  }
}

/** True when the ref's elements are `storage[offset .. offset + size)` in row-major order. */
export const isDense = (x: TensorRef): boolean => isContiguous(x.shape, x.strides);

/** Copies the view `src` into the view `dst` (same shape), converting by typed-array assignment. */
export function copyStrided(src: TensorRef, dst: TensorRef): void {
  const s = src.storage as TypedArray;
  const d = dst.storage as TypedArray;
  if (isDense(src) && isDense(dst) && s.constructor === d.constructor) {
    const n = sizeOf(src.shape);
    d.set(s.subarray(src.offset, src.offset + n), dst.offset);
    return;
  }
  rows(src.shape, [src, dst], (_, [os, od], len, [ss, sd]) => {
    for (let j = 0; j < len; j++) d[od! + j * sd!] = s[os! + j * ss!]!;
  });
}
