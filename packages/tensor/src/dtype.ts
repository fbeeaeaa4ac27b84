/** The element types a Tensor can hold. `float64` exists on backends that list it (the CPU backend). */
export type DType = 'float32' | 'int32' | 'float64';
/** Every dtype a Tensor can hold. */
export const DTYPES: readonly DType[] = ['float32', 'int32', 'float64'];

/** The typed arrays that hold a tensor's elements, one per dtype. */
export type TypedArray = Float32Array | Int32Array | Float64Array;

const ARRAYS = {
  float32: Float32Array,
  int32: Int32Array,
  float64: Float64Array,
} as const;

/** Allocates a zero-filled typed array of `dtype`. */
export function typedArray(dtype: DType, size: number): TypedArray {
  return new ARRAYS[dtype](size);
}

/** Copies `values` into a new typed array of `dtype` (int32 truncates like `Int32Array.from`). */
export function typedArrayFrom(dtype: DType, values: ArrayLike<number>): TypedArray {
  // the constructor copies a typed array in one pass; `from` goes through its iterator (~8× slower)
  return new ARRAYS[dtype](values as ArrayLike<number> & ArrayBufferLike);
}

/** Bytes per element of `dtype`: 4 for float32 and int32, 8 for float64. */
export function bytesPerElement(dtype: DType): number {
  return ARRAYS[dtype].BYTES_PER_ELEMENT;
}

/** The dtype a typed array holds. */
export function dtypeOfArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Int32Array) return 'int32';
  return 'float64';
}

const RANK: Record<DType, number> = { int32: 0, float32: 1, float64: 2 };

/** The dtype of a binary op's result: int32 < float32 < float64, as in NumPy and PyTorch. */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * The dtype of a binary op's result with PyTorch's rule for 0-d operands: operands of the same kind
 * (both with axes, or both 0-d) promote as `promoteTypes`; otherwise the operand with axes decides,
 * unless the 0-d one is of a higher category (a float against integers), which then promotes. So
 * float32 [3] + float64 0-d stays float32, int32 [3] + float64 0-d is float64. Numbers are 0-d
 * operands of the other operand's dtype (float32 for a fraction against int32).
 */
export function resultType(
  a: { readonly dtype: DType; readonly shape: readonly number[] },
  b: { readonly dtype: DType; readonly shape: readonly number[] },
): DType {
  const [a0, b0] = [a.shape.length === 0, b.shape.length === 0];
  if (a0 === b0) return promoteTypes(a.dtype, b.dtype);
  const [dim, zero] = a0 ? [b.dtype, a.dtype] : [a.dtype, b.dtype];
  return isFloat(dim) || !isFloat(zero) ? dim : promoteTypes(dim, zero);
}

/** Whether `dtype` is a floating-point type (float32, float64). */
export function isFloat(dtype: DType): boolean {
  return dtype !== 'int32';
}
