/**
 * The element types a Tensor can hold. `float64` exists on backends that list it (the CPU backend).
 * `bool` is PyTorch's: comparisons give it, masks take it. Every backend stores it as int32 0/1
 * (WGSL has no 8-bit storage, and one layout lets the int32 kernels that copy, gather and select
 * serve it); arithmetic never reaches a backend with it (the Tensor ops compute it as int32), and
 * reads give a Uint8Array of 0/1 (see `DataArray`).
 */
export type DType = 'float32' | 'int32' | 'float64' | 'bool';
/** Every dtype a Tensor can hold. */
export const DTYPES: readonly DType[] = ['float32', 'int32', 'float64', 'bool'];

/** The typed arrays a backend stores a tensor's elements in (bool in an Int32Array of 0/1). */
export type TypedArray = Float32Array | Int32Array | Float64Array;
/** What reading a tensor gives: its storage's typed array, or for bool a Uint8Array of 0/1. */
export type DataArray = TypedArray | Uint8Array;

const ARRAYS = {
  float32: Float32Array,
  int32: Int32Array,
  float64: Float64Array,
  bool: Int32Array,
} as const;

/** Allocates a zero-filled typed array for `dtype`'s storage (an Int32Array for bool). */
export function typedArray(dtype: DType, size: number): TypedArray {
  return new ARRAYS[dtype](size);
}

/**
 * Copies `values` into a new typed array for `dtype`'s storage (int32 truncates like
 * `Int32Array.from`; bool is 1 for anything but 0 and false, NaN included, as PyTorch's `bool()`).
 */
export function typedArrayFrom(
  dtype: DType,
  values: ArrayLike<number> | ArrayLike<boolean>,
): TypedArray {
  if (dtype === 'bool') {
    const a = new Int32Array(values.length);
    for (let i = 0; i < a.length; i++) {
      const v = values[i];
      a[i] = v === false || v === 0 ? 0 : 1;
    }
    return a;
  }
  // the constructor copies a typed array in one pass; `from` goes through its iterator (~8× slower)
  return new ARRAYS[dtype](values as ArrayLike<number> & ArrayBufferLike);
}

/** Bytes per element of `dtype` in a backend's storage: 4 for float32, int32 and bool, 8 for float64. */
export function bytesPerElement(dtype: DType): number {
  return ARRAYS[dtype].BYTES_PER_ELEMENT;
}

/** A bool tensor's storage as read: a Uint8Array of 0/1 (other dtypes' arrays pass through). */
export function asData(dtype: DType, a: TypedArray): DataArray {
  return dtype === 'bool' ? Uint8Array.from(a, (v) => (v === 0 ? 0 : 1)) : a;
}

/** The dtype a typed array holds. */
export function dtypeOfArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Int32Array) return 'int32';
  return 'float64';
}

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };
/** PyTorch's categories for 0-d operands: bool < integers < floats. */
const CATEGORY: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 2 };

/** The dtype of a binary op's result: bool < int32 < float32 < float64, as in NumPy and PyTorch. */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * The dtype of a binary op's result with PyTorch's rule for 0-d operands: operands of the same kind
 * (both with axes, or both 0-d) promote as `promoteTypes`; otherwise the operand with axes decides,
 * unless the 0-d one is of a higher category (bool < integers < floats), which then promotes. So
 * float32 [3] + float64 0-d stays float32, int32 [3] + float64 0-d is float64, bool [3] + int32
 * 0-d is int32. Numbers are 0-d operands of the other operand's dtype (float32 for a fraction
 * against int32 or bool, int32 for an integer against bool).
 */
export function resultType(
  a: { readonly dtype: DType; readonly shape: readonly number[] },
  b: { readonly dtype: DType; readonly shape: readonly number[] },
): DType {
  const [a0, b0] = [a.shape.length === 0, b.shape.length === 0];
  if (a0 === b0) return promoteTypes(a.dtype, b.dtype);
  const [dim, zero] = a0 ? [b.dtype, a.dtype] : [a.dtype, b.dtype];
  return CATEGORY[dim] >= CATEGORY[zero] ? dim : promoteTypes(dim, zero);
}

/** Whether `dtype` is a floating-point type (float32, float64). */
export function isFloat(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}
