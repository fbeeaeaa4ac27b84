import type { TensorRef, TypedArray } from '@nablajs/tensor';

/**
 * The reference matmul: out[i, j] = Σ_p a[i, p] · b[p, j] over strided operands, accumulated in
 * doubles. Every dtype runs here; the WebAssembly kernel (float32) is tested against it.
 */
export function matmulStrided(
  M: number,
  N: number,
  K: number,
  a: TypedArray,
  aOff: number,
  aSM: number,
  aSK: number,
  b: TypedArray,
  bOff: number,
  bSK: number,
  bSN: number,
  out: TypedArray,
  outOff: number,
): void {
  // prettier-ignore
  const row = new Float64Array(N);
  for (let i = 0; i < M; i++) {
    row.fill(0);
    for (let p = 0; p < K; p++) {
      const av = a[aOff + i * aSM + p * aSK]!;
      const bo = bOff + p * bSK;
      for (let j = 0; j < N; j++) row[j]! += av * b[bo + j * bSN]!;
    }
    for (let j = 0; j < N; j++) out[outOff + i * N + j] = row[j]!;
  }
}

type Kernel = typeof matmulStrided;

/** Batched matmul: walks the batch axes and calls `kernel` on each [M,K] @ [K,N] pair. */
export function matmulBatched(a: TensorRef, b: TensorRef, out: TypedArray, kernel: Kernel): void {
  const r = a.shape.length;
  const M = a.shape[r - 2]!, K = a.shape[r - 1]!, N = b.shape[r - 1]!; // prettier-ignore
  const batch = a.shape.slice(0, r - 2);
  const count = batch.reduce((x, y) => x * y, 1);
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
