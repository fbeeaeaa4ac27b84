import type { TensorRef, TypedArray } from '@nablajs/tensor';

/**
 * Walks `shape` row by row (the last axis is the row), keeping each ref's offset of the row's first
 * element; `body` gets the row's index in row-major order, the offsets, the row length and each
 * ref's stride along the row. Every strided kernel is built on this one walk.
 */
export function rows(
  shape: readonly number[],
  refs: readonly TensorRef[],
  body: (start: number, offs: number[], len: number, inner: number[]) => void,
): void {
  const r = shape.length;
  const offs = refs.map((x) => x.offset);
  if (r === 0) return body(0, offs, 1, refs.map(() => 0));
  const len = shape[r - 1]!;
  let outer = 1;
  for (let i = 0; i < r - 1; i++) outer *= shape[i]!;
  if (len === 0 || outer === 0) return;
  const inner = refs.map((x) => x.strides[r - 1]!);
  const idx = new Array<number>(r - 1).fill(0);
  const m = refs.length;
  for (let row = 0; row < outer; row++) {
    body(row * len, offs, len, inner);
    for (let ax = r - 2; ax >= 0; ax--) {
      idx[ax]!++;
      for (let j = 0; j < m; j++) offs[j]! += refs[j]!.strides[ax]!;
      if (idx[ax]! < shape[ax]!) break;
      for (let j = 0; j < m; j++) offs[j]! -= refs[j]!.strides[ax]! * shape[ax]!;
      idx[ax] = 0;
    }
  }
}

/** True when the ref's elements are `storage[offset .. offset + size)` in row-major order. */
export function isDense(x: TensorRef): boolean {
  let s = 1;
  for (let i = x.shape.length - 1; i >= 0; i--) {
    const d = x.shape[i]!;
    if (d !== 1 && x.strides[i] !== s) return false;
    s *= d;
  }
  return true;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

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
