import {
  BackendError,
  type DType,
  type TypedArray,
  bytesPerElement,
  typedArray,
} from '@nablajs/tensor';

// Results up to CARVE bytes are carved out of shared 1 MiB chunks; bigger ones get an ArrayBuffer of
// their own. Two costs decide the sizes:
// - Memory accounting registers each block (chunk or own buffer) once with a FinalizationRegistry,
//   and a registration's record (~130 bytes) stays until finalizers run, which is never inside a
//   synchronous loop. One record per MiB allocated keeps that at ~0.01 % of what a loop allocates
//   (a record per tensor grew the heap by ~1 MB per 1,000 steps of the lecture's network).
// - A chunk is freed once every view into it is gone, so a tensor kept alive keeps its chunk (at
//   most 1 MiB) alive too. A training step's tensors die with the step; parameters and optimizer
//   state are made once, so in a training loop a few chunks are alive at a time.
// The chunk being filled is held strongly: a WeakRef would keep every chunk made in a synchronous
// loop alive until the loop ends (V8 keeps a WeakRef's target alive until the current job ends, both
// when it is made and when it is dereferenced).
const CHUNK = 1 << 20;
const CARVE = CHUNK >> 2;
/** Offsets of carved arrays are multiples of 16 bytes (float64 needs 8; SIMD loads like 16). */
const ALIGN = 16;

let chunk: ArrayBuffer | undefined;
let used = 0;

// Arrays the library gave back (`recycle`: autograd's gradients that only it held), by byte length,
// for the next results of that length: a training loop makes the same sizes every step, so its
// parameters' gradients reuse one another's memory instead of new chunks (a fresh, touched 1 MiB
// chunk cost ~110 µs here, zeroing a reused one ~17 µs). Bounded, as each array keeps its whole
// chunk alive: at most FREE_COUNT arrays and FREE_BYTES bytes; beyond that the collector takes them.
const FREE_COUNT = 64;
const FREE_BYTES = 8 * CHUNK;
const free = new Map<number, TypedArray[]>();
let freeCount = 0;
let freeBytes = 0;

/** Keeps `a` for a later result of its byte length; the caller guarantees nothing reads it again. */
export function recycle(a: TypedArray): void {
  const bytes = a.byteLength;
  if (bytes === 0 || freeCount >= FREE_COUNT || freeBytes + bytes > FREE_BYTES) return;
  let list = free.get(bytes);
  if (!list) free.set(bytes, (list = []));
  list.push(a);
  freeCount++;
  freeBytes += bytes;
}

/** A recycled array's memory as `size` elements of `dtype` (not zeroed), or undefined. */
function reuse(dtype: DType, size: number, bytes: number): TypedArray | undefined {
  const a = free.get(bytes)?.pop();
  if (!a) return undefined;
  freeCount--;
  freeBytes -= bytes;
  // a new view: the old array object may still be referenced by the tensor that gave it back
  return view(dtype, a.buffer, a.byteOffset, size);
}

/** `size` elements of `dtype`'s storage at `at` in `buffer` (bool is stored as int32 0/1). */
function view(dtype: DType, buffer: ArrayBufferLike, at: number, size: number): TypedArray {
  return dtype === 'float32'
    ? new Float32Array(buffer, at, size)
    : dtype === 'float64'
      ? new Float64Array(buffer, at, size)
      : new Int32Array(buffer, at, size);
}

function carve(dtype: DType, size: number, bytes: number): TypedArray {
  let at = (used + ALIGN - 1) & -ALIGN;
  if (!chunk || at + bytes > CHUNK) {
    chunk = new ArrayBuffer(CHUNK);
    at = 0;
  }
  used = at + bytes;
  return view(dtype, chunk, at, size);
}

/** A zero-filled array for a kernel's result; `zeroed` false: a kernel that writes every element
 * takes recycled memory as it is (new memory is zeros either way). */
export function alloc(dtype: DType, size: number, zeroed = true): TypedArray {
  // a NaN size would set the chunk offset to NaN, and the next result would overwrite live tensors
  if (!Number.isSafeInteger(size) || size < 0)
    throw new BackendError(
      'alloc',
      `size ${size} is not a count`,
      'this is a bug in Nabla: please report it',
    );
  const bytes = size * bytesPerElement(dtype);
  const reused = freeCount > 0 ? reuse(dtype, size, bytes) : undefined;
  if (reused) return zeroed ? reused.fill(0) : reused;
  if (bytes > CARVE || !(bytes > 0)) return typedArray(dtype, size);
  return carve(dtype, size, bytes);
}

/** A copy of uploaded data (the caller keeps `data`), carved out of a chunk when small. */
export function upload(data: TypedArray): TypedArray {
  const bytes = data.byteLength;
  // slice: a buffer of its own, copied without being zeroed first
  if (bytes > CARVE || bytes === 0) return data.slice();
  const dtype =
    data instanceof Float32Array ? 'float32' : data instanceof Int32Array ? 'int32' : 'float64';
  const a =
    (freeCount > 0 ? reuse(dtype, data.length, bytes) : undefined) ??
    carve(dtype, data.length, bytes);
  a.set(data);
  return a;
}

/** The block whose collection frees `a`: its chunk, or its own buffer. */
export const gcUnit = (a: TypedArray): ArrayBufferLike => a.buffer;

/** Bytes of a chunk, for tests. */
export const CHUNK_BYTES = CHUNK;
/** The free list's bounds, for tests. */
export const FREE_LIMITS = { count: FREE_COUNT, bytes: FREE_BYTES } as const;
