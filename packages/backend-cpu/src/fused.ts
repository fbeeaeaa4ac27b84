import {
  type ActivationOp,
  type AdamStep,
  type FusedKernels,
  type SgdStep,
  type TensorRef,
  type TypedArray,
  contiguousStrides,
  sizeOf,
} from '@nablajs/tensor';
import { alloc } from './alloc.js';
import { matmulRef } from './matmul.js';
import { RELU_WASM_MIN, reluGradF32 } from './relu.js';
import { activationGradWasm } from './wasm/activation.js';
import { ROW_KERNELS } from './rows.js';
import { copyStrided, isDense } from './strided.js';
import { matmulOwned, wasmSimdSupported } from './wasm/matmul.js';
import { written } from './wasm/instance.js';
import { convF32, convGradF32 } from './wasm/conv.js';
import { UPDATE_WASM_MIN, adamF32, sgdF32 } from './wasm/optim.js';
import { crossEntropyF32, labelOf } from './wasm/softmax.js';

type Ref = TensorRef<TypedArray>;

/**
 * Softmax's shift and numerators for a row of C: e[c] = exp(x_c − m) with m the row's maximum,
 * which it returns, and their sum (the normaliser) in e[C]. `e` holds C + 1 doubles.
 */
function shifted(x: TypedArray, row: number, stride: number, C: number, e: Float64Array): number {
  let m = -Infinity;
  for (let c = 0; c < C; c++) m = Math.max(m, x[row + c * stride]!);
  let z = 0;
  for (let c = 0; c < C; c++) z += e[c] = Math.exp(x[row + c * stride]! - m);
  e[C] = z;
  return m;
}

/** y = x·wᵀ + b: x [N, K], w [O, K], b [O] or null; float32 through `matmulOwned` when `wasm`. */
function linear(wasm: boolean, x: Ref, w: Ref, b: Ref | null): TypedArray {
  const [N, K] = x.shape as [number, number];
  const O = w.shape[0]!;
  const out = alloc(x.dtype, N * O, false); // every element is written
  const [xs, ws] = [x.strides, w.strides];
  if (wasm && x.storage instanceof Float32Array) {
    // prettier-ignore
    matmulOwned(N, O, K, x.storage, x.offset, xs[0]!, xs[1]!, w.storage as Float32Array, w.offset, ws[1]!, ws[0]!,
      out as Float32Array, 0, b?.storage as Float32Array | undefined, b?.offset, b?.strides[0]);
    return out;
  }
  // prettier-ignore
  matmulRef(N, O, K, x.storage, x.offset, xs[0]!, xs[1]!, w.storage, w.offset, ws[1]!, ws[0]!, out, 0);
  if (b)
    for (let i = 0; i < N; i++)
      for (let j = 0; j < O; j++) out[i * O + j]! += b.storage[b.offset + j * b.strides[0]!]!;
  return out;
}

/** Elements from which an activation's float32 gradient runs on the WebAssembly kernels (ReLU's
 * branch-free loop in relu.ts is faster below RELU_WASM_MIN). */
const GRAD_WASM_MIN: Record<ActivationOp, number> = { relu: RELU_WASM_MIN, sigmoid: 0, tanh: 0 };

/** sigmoid g·y·(1 − y), tanh g·(1 − y²), relu g where y > 0, in one pass; float32 on the
 * WebAssembly kernels when `fast` (from GRAD_WASM_MIN elements). */
function activationGrad(op: ActivationOp, y: Ref, g: Ref, fast = false): TypedArray {
  const n = sizeOf(y.shape);
  const out = alloc(y.dtype, n, false); // every element is written
  // strided operands (rare: activations are made dense) go through contiguous copies
  const ys = denseOf(y, n);
  const gs = denseOf(g, n);
  if (ys instanceof Float32Array && gs instanceof Float32Array) {
    const o = out as Float32Array;
    if (fast && n >= GRAD_WASM_MIN[op]) activationGradWasm(op, ys, gs, o, n);
    // branch-free (relu.ts)
    else if (op === 'relu') reluGradF32(ys, gs, o, n);
    else activationGradLoop(op, ys, gs, o, n);
  } else activationGradLoop(op, ys, gs, out, n);
  return out;
}

// prettier-ignore
function activationGradLoop(op: ActivationOp, ys: TypedArray, gs: TypedArray, out: TypedArray, n: number): void {
  switch (op) {
    case 'sigmoid': for (let i = 0; i < n; i++) { const v = ys[i]!; out[i] = gs[i]! * (v * (1 - v)); } break;
    case 'tanh': for (let i = 0; i < n; i++) { const v = ys[i]!; out[i] = gs[i]! * (1 - v * v); } break;
    // 0 where y ≤ 0 (whatever the gradient), g elsewhere, NaN y included: threshold_backward
    case 'relu': for (let i = 0; i < n; i++) out[i] = ys[i]! <= 0 ? 0 : gs[i]!; break;
  }
}

/**
 * Softmax cross-entropy of logits [N, C] with int32 labels [N]: each row's loss [N], or with `g`
 * [N] the gradient of Σ g[i]·loss[i], (softmax − onehot)·g[i] [N, C]. Dense float32 logits go to
 * the WebAssembly kernels when `wasm`; others compute in doubles here. A label outside 0..C−1 is
 * an IndexError, as WebGPU's is when read.
 */
function crossEntropy(wasm: boolean, logits: Ref, labels: Ref, g?: Ref): TypedArray {
  const [N, C] = logits.shape as [number, number];
  const out = alloc(logits.dtype, g ? N * C : N, false); // every element is written
  const x = logits.storage, l = labels.storage as Int32Array; // prettier-ignore
  const [sn, sc] = logits.strides as [number, number];
  const [lo, ls] = [labels.offset, labels.strides[0]!];
  // (no classes: the loop below gives [] for no rows and the IndexError otherwise)
  const dense = C > 0 && (sc === 1 || C === 1) && (sn === C || N === 1);
  if (wasm && dense && x instanceof Float32Array && wasmSimdSupported()) {
    if (crossEntropyF32(x, logits.offset, N, C, l, lo, ls, out as Float32Array, g)) return out;
  }
  const e = new Float64Array(C + 1); // a row's exponentials, each computed once
  for (let i = 0; i < N; i++) {
    const row = logits.offset + i * sn;
    const label = labelOf(l, lo + i * ls, C);
    const m = shifted(x, row, sc, C, e);
    if (!g) {
      out[i] = m + Math.log(e[C]!) - x[row + label * sc]!;
      continue;
    }
    const gi = g.storage[g.offset + i * g.strides[0]!]!;
    const scale = gi / e[C]!;
    for (let c = 0; c < C; c++) out[i * C + c] = e[c]! * scale;
    out[i * C + label]! -= gi;
  }
  return out;
}

/** The `n` elements of a view, row-major: the storage itself when dense, else a copy. */
function denseOf(x: Ref, n: number): TypedArray {
  if (isDense(x)) return x.storage.subarray(x.offset, x.offset + n);
  const o = alloc(x.dtype, n);
  copyStrided(x, { ...x, storage: o, offset: 0, strides: contiguousStrides(x.shape) });
  return o;
}

/** The fused kernels; `wasm`: float32 matmuls through WebAssembly SIMD (`cpu({ wasm })`). */
export const fusedKernels = (wasm: boolean): FusedKernels<TypedArray> => ({
  ...FUSED,
  linear: (x, w, b) => linear(wasm, x, w, b),
  activationGrad: (op, y, g) => activationGrad(op, y, g, wasm && wasmSimdSupported()),
  softmaxCrossEntropy: (logits, labels) => crossEntropy(wasm, logits, labels),
  softmaxCrossEntropyGrad: (logits, labels, g) => crossEntropy(wasm, logits, labels, g),
  // float32 on the WebAssembly kernels; other dtypes (and `wasm: false`) decline: tensor composes them
  ...(wasm && wasmSimdSupported() ? { conv: convF32, convGrad: convGradF32 } : {}),
});

/** In-place optimizer updates in one pass over the data (dense views, checked by the caller). */
const FUSED: FusedKernels<TypedArray> = {
  sgd(param: Ref, grad: Ref, buf: Ref | null, o: SgdStep) {
    written(param.storage);
    written(buf?.storage);
    const p = param.storage, g = grad.storage; // prettier-ignore
    const po = param.offset, go = grad.offset; // prettier-ignore
    const n = p.length === 0 ? 0 : sizeOf(param.shape);
    const sign = o.maximize ? -1 : 1;
    const { lr, momentum: mu, weightDecay: wd, nesterov } = o;
    const damp = 1 - o.dampening;
    if (!buf || mu === 0) {
      // large float32 updates go through WebAssembly SIMD (2-3x faster, copies included)
      if (
        p instanceof Float32Array &&
        g instanceof Float32Array &&
        n >= UPDATE_WASM_MIN &&
        wasmSimdSupported()
      )
        return sgdF32(p, po, g, go, n, lr, wd, sign);
      for (let i = 0; i < n; i++) p[po + i]! -= lr * (sign * g[go + i]! + wd * p[po + i]!);
      return;
    }
    const b = buf.storage;
    const bo = buf.offset;
    for (let i = 0; i < n; i++) {
      const d = sign * g[go + i]! + wd * p[po + i]!;
      const m = o.init ? d : mu * b[bo + i]! + damp * d;
      b[bo + i] = m;
      p[po + i]! -= lr * (nesterov ? d + mu * m : m);
    }
  },
  adam(param: Ref, grad: Ref, m: Ref, v: Ref, vmax: Ref | null, o: AdamStep) {
    written(param.storage);
    written(m.storage);
    written(v.storage);
    written(vmax?.storage);
    const p = param.storage, g = grad.storage, ms = m.storage, vs = v.storage; // prettier-ignore
    const [po, go, mo, vo] = [param.offset, grad.offset, m.offset, v.offset];
    const n = sizeOf(param.shape);
    const { lr, beta1, beta2, eps, weightDecay: wd, decoupled } = o;
    const stepSize = lr / (1 - beta1 ** o.step);
    const bias2Sqrt = Math.sqrt(1 - beta2 ** o.step);
    const shrink = decoupled ? 1 - lr * wd : 1;
    const sign = o.maximize ? -1 : 1;
    const f32 = [p, g, ms, vs].every((a) => a instanceof Float32Array);
    if (!vmax && f32 && n >= UPDATE_WASM_MIN && wasmSimdSupported()) {
      const l2 = decoupled ? 0 : wd;
      const runs = [
        [p, po],
        [g, go],
        [ms, mo],
        [vs, vo],
      ] as [Float32Array, number][];
      const consts = { sign, l2, beta1, beta2, shrink, stepSize, bias2Sqrt, eps };
      return adamF32(runs[0]!, runs[1]!, runs[2]!, runs[3]!, n, consts);
    }
    const mx = vmax?.storage;
    const xo = vmax?.offset ?? 0;
    for (let i = 0; i < n; i++) {
      const theta = p[po + i]!;
      const gi = sign * g[go + i]! + (decoupled ? 0 : wd * theta);
      // lerp as PyTorch writes it: start + w·(end − start)
      const mi = ms[mo + i]! + (1 - beta1) * (gi - ms[mo + i]!);
      const vi = beta2 * vs[vo + i]! + (1 - beta2) * gi * gi;
      ms[mo + i] = mi;
      vs[vo + i] = vi;
      let second = vi;
      if (mx) second = mx[xo + i] = Math.max(mx[xo + i]!, vi);
      p[po + i] = theta * shrink - stepSize * (mi / (Math.sqrt(second) / bias2Sqrt + eps));
    }
  },
  ...ROW_KERNELS,
};
