import {
  BackendError,
  type DType,
  type TypedArray,
  bytesPerElement,
  typedArray,
} from '@nablajs/tensor';

// Small results are carved out of shared 64 KiB slabs: a typed array with a buffer of its own costs
// about 2.5 µs to allocate here (a malloc and GC bookkeeping for its backing store), a view into a
// slab about 0.1 µs, and a training step makes dozens of small tensors. A slab is freed once every
// view into it is gone, so a small tensor kept alive keeps its slab (at most 64 KiB) alive too.
// The slab being filled is held weakly: once every tensor carved from it is gone it can go too, and
// memory() then stops counting them (a strong reference would keep it alive while idle).
const SLAB = 1 << 16;
const SMALL = 4096;
let current = new WeakRef(new ArrayBuffer(SLAB));
let used = 0;

/** A zero-filled array for a kernel's result. */
export function alloc(dtype: DType, size: number): TypedArray {
  // a NaN size would set the slab offset to NaN, and the next result would overwrite live tensors
  if (!Number.isSafeInteger(size) || size < 0)
    throw new BackendError(
      'alloc',
      `size ${size} is not a count`,
      'this is a bug in Nabla: please report it',
    );
  const bytes = size * bytesPerElement(dtype);
  if (bytes > SMALL || bytes === 0) return typedArray(dtype, size);
  let at = (used + 7) & ~7;
  let slab = current.deref();
  if (!slab || at + bytes > SLAB) {
    slab = new ArrayBuffer(SLAB);
    current = new WeakRef(slab);
    at = 0;
  }
  used = at + bytes;
  return dtype === 'float32'
    ? new Float32Array(slab, at, size)
    : dtype === 'int32'
      ? new Int32Array(slab, at, size)
      : new Float64Array(slab, at, size);
}
