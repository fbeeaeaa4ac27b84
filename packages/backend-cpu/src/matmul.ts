import { type TensorRef, type TypedArray, sizeOf } from '@nablajs/tensor';

/**
 * The reference matmul: out[i, j] = Σ_p a[i, p] · b[p, j] over strided operands, accumulated in
 * doubles. Every dtype runs here; the WebAssembly kernel (float32) is tested against it.
 */
export function matmulRef(
  M: number,
  N: number,
  K: number,
  a: ArrayLike<number>,
  aOff: number,
  aSM: number,
  aSK: number,
  b: ArrayLike<number>,
  bOff: number,
  bSK: number,
  bSN: number,
  out: { [i: number]: number; length: number },
  outOff: number,
): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let sum = 0;
      let pa = aOff + i * aSM;
      let pb = bOff + j * bSN;
      for (let p = 0; p < K; p++, pa += aSK, pb += bSK) sum += a[pa]! * b[pb]!;
      out[outOff + i * N + j] = sum;
    }
  }
}

type Kernel = typeof matmulRef;

/** Batched matmul: walks the batch axes and calls `kernel` on each [M,K] @ [K,N] pair. */
export function matmulBatched(a: TensorRef, b: TensorRef, out: TypedArray, kernel: Kernel): void {
  const r = a.shape.length;
  const M = a.shape[r - 2]!, K = a.shape[r - 1]!, N = b.shape[r - 1]!; // prettier-ignore
  const batch = a.shape.slice(0, r - 2);
  const count = sizeOf(batch);
  const idx = new Array<number>(batch.length).fill(0);
  let ao = a.offset;
  let bo = b.offset;
  for (let n = 0; n < count; n++) {
    kernel(
      M, N, K,
      a.storage as TypedArray, ao, a.strides[r - 2]!, a.strides[r - 1]!,
      b.storage as TypedArray, bo, b.strides[r - 2]!, b.strides[r - 1]!,
      out, n * M * N,
    ); // prettier-ignore
    for (let ax = batch.length - 1; ax >= 0; ax--) {
      idx[ax]!++;
      ao += a.strides[ax]!;
      bo += b.strides[ax]!;
      if (idx[ax]! < batch[ax]!) break;
      ao -= a.strides[ax]! * batch[ax]!;
      bo -= b.strides[ax]! * batch[ax]!;
      idx[ax] = 0;
    }
  }
}
