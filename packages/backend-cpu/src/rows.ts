import type { FusedKernels, TensorRef, TypedArray } from '@nablajs/tensor';
import { alloc } from './alloc.js';

type Ref = TensorRef<TypedArray>;

// Row kernels over dense [N, C] views (the caller reshapes the last axis into rows): each row is
// read a few times while it sits in cache, instead of once per composed op. Sums in float64.

/** softmax, `softmaxGrad`, `layerNorm` and `layerNormGrad` of `FusedKernels`, for the CPU. */
export const ROW_KERNELS: Pick<
  Required<FusedKernels<TypedArray>>,
  'softmax' | 'softmaxGrad' | 'layerNorm' | 'layerNormGrad'
> = {
  softmax(x: Ref) {
    const [N, C] = x.shape as [number, number];
    const out = alloc(x.dtype, N * C);
    const xs = x.storage;
    for (let i = 0; i < N; i++) {
      const a = x.offset + i * C;
      const o = i * C;
      let m = -Infinity;
      let nan = false;
      for (let c = 0; c < C; c++) {
        const v = xs[a + c]!;
        if (v > m) m = v;
        else if (v !== v) nan = true;
      }
      if (nan || m === -Infinity) {
        // a NaN poisons its row; a row of −∞ (nothing to attend to) gives zeros
        out.fill(nan ? NaN : 0, o, o + C);
        continue;
      }
      let z = 0;
      for (let c = 0; c < C; c++) z += out[o + c] = Math.exp(xs[a + c]! - m);
      const r = 1 / z;
      for (let c = 0; c < C; c++) out[o + c]! *= r;
    }
    return out;
  },
  softmaxGrad(y: Ref, g: Ref) {
    const [N, C] = y.shape as [number, number];
    const out = alloc(y.dtype, N * C);
    const ys = y.storage, gs = g.storage; // prettier-ignore
    for (let i = 0; i < N; i++) {
      const a = y.offset + i * C;
      const b = g.offset + i * C;
      let s = 0;
      for (let c = 0; c < C; c++) s += gs[b + c]! * ys[a + c]!;
      for (let c = 0; c < C; c++) out[i * C + c] = ys[a + c]! * (gs[b + c]! - s);
    }
    return out;
  },
  layerNorm(x: Ref, eps: number) {
    const [N, C] = x.shape as [number, number];
    const out = alloc(x.dtype, N * C);
    const xs = x.storage;
    for (let i = 0; i < N; i++) {
      const a = x.offset + i * C;
      const [mean, rstd] = stats(xs, a, C, eps);
      for (let c = 0; c < C; c++) out[i * C + c] = (xs[a + c]! - mean) * rstd;
    }
    return out;
  },
  layerNormGrad(x: Ref, g: Ref, eps: number) {
    const [N, C] = x.shape as [number, number];
    const out = alloc(x.dtype, N * C);
    const xs = x.storage, gs = g.storage; // prettier-ignore
    for (let i = 0; i < N; i++) {
      const a = x.offset + i * C;
      const b = g.offset + i * C;
      const [mean, rstd] = stats(xs, a, C, eps);
      let sg = 0;
      let sgx = 0;
      for (let c = 0; c < C; c++) {
        const gc = gs[b + c]!;
        sg += gc;
        sgx += gc * (xs[a + c]! - mean) * rstd;
      }
      const mg = sg / C;
      const mgx = sgx / C;
      for (let c = 0; c < C; c++) {
        const xhat = (xs[a + c]! - mean) * rstd;
        out[i * C + c] = rstd * (gs[b + c]! - mg - xhat * mgx);
      }
    }
    return out;
  },
};

/** A row's mean and 1/√(biased variance + eps), the variance from the deviations (two passes). */
function stats(xs: TypedArray, a: number, C: number, eps: number): [number, number] {
  let s = 0;
  for (let c = 0; c < C; c++) s += xs[a + c]!;
  const mean = s / C;
  let v = 0;
  for (let c = 0; c < C; c++) {
    const d = xs[a + c]! - mean;
    v += d * d;
  }
  return [mean, 1 / Math.sqrt(v / C + eps)];
}
