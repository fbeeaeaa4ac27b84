// float32 matmul on the WebAssembly SIMD kernels of kernels.wat.
//
// Each call copies the operands into the module's memory (one TypedArray.set when an operand's
// elements lie in a compact span, a gather otherwise), runs the kernel and copies C out. The memory
// is reused from call to call and only grows (to the largest call's needs; it is never given back),
// so a call allocates no buffer, only the small subarray views of the copies.
import { matmulRef } from '../matmul.js';
import { kernelsWasmBase64 } from './kernels.generated.js';

export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  sgd(p: number, g: number, n: number, lr: number, wd: number, sign: number): void;
  adam(
    p: number, g: number, m: number, v: number, n: number, sign: number, l2: number, c1: number,
    b2: number, c2: number, shrink: number, stepSize: number, bias2Sqrt: number, eps: number,
  ): void; // prettier-ignore
  im2col(x: number, plane: number, nc: number, out: number, plan: number, K: number, M: number, Wo: number, step: number): void; // prettier-ignore
  maxPool(x: number, plane: number, nc: number, vals: number, idx: number, plan: number, K: number, M: number, Wo: number, step: number): void; // prettier-ignore
  col2im(cols: number, plane: number, nc: number, out: number, plan: number, K: number, M: number, Wo: number, step: number): void; // prettier-ignore
  matmul(
    M: number,
    N: number,
    K: number,
    a: number,
    aStrideM: number,
    aStrideK: number,
    b: number,
    bStrideK: number,
    bStrideN: number,
    c: number,
    work: number,
  ): void;
}

// Must match kernels.wat: K blocks of at most KC, M blocks of at most MC rows.
const KC = 512;
const MC = 128;
/**
 * Floats of slack after each region: partial tiles read up to 7 floats past an operand's last
 * element, and read and write up to 7 past the end of C.
 */
export const SLACK = 16;
/** Regions start on 64-byte lines. The first 256 bytes are the kernel's scratch tile. */
export const FIRST = 64;

let kernels: KernelExports | undefined;
let heap = new Float32Array(0);
let simd: boolean | undefined;

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Whether this engine can run the kernels: WebAssembly with fixed-width SIMD (and bulk memory).
 * Validates the kernels' own module, so it is exact and cheap (3.5 KB, not compiled).
 */
export function wasmSimdSupported(): boolean {
  if (simd === undefined) {
    try {
      simd =
        typeof WebAssembly === 'object' && WebAssembly.validate(decodeBase64(kernelsWasmBase64));
    } catch {
      simd = false;
    }
  }
  return simd;
}

/** The kernels' instance, made on first use. */
export function instance(): KernelExports {
  if (kernels === undefined) {
    const module = new WebAssembly.Module(decodeBase64(kernelsWasmBase64));
    kernels = new WebAssembly.Instance(module, {}).exports as unknown as KernelExports;
    heap = new Float32Array(kernels.memory.buffer);
  }
  return kernels;
}

/** Makes the module's memory at least `floats` long; returns the current view. */
export function reserve(k: KernelExports, floats: number): Float32Array {
  if (heap.length < floats) {
    const pages = Math.ceil((floats * 4 - k.memory.buffer.byteLength) / 65536);
    k.memory.grow(pages);
    heap = new Float32Array(k.memory.buffer);
  }
  return heap;
}

// Round up to a multiple of 16 (64-byte lines), 8 and 4 floats; arithmetic, as n may pass 2^31.
export const align = (n: number): number => Math.ceil(n / 16) * 16;
const align8 = (n: number): number => Math.ceil(n / 8) * 8;
const align4 = (n: number): number => Math.ceil(n / 4) * 4;

/**
 * Elements spanned by a 2-d view with non-negative strides, or -1 where the view must be gathered
 * first: a negative stride, or a span much larger than the view (a slice of something bigger).
 */
function spanOf(rows: number, sRow: number, cols: number, sCol: number): number {
  if (sRow < 0 || sCol < 0) return -1;
  const span = (rows - 1) * sRow + (cols - 1) * sCol + 1;
  return span <= 2 * rows * cols + 64 ? span : -1;
}

function checkView(
  name: string,
  x: ArrayLike<number>,
  off: number,
  rows: number,
  sRow: number,
  cols: number,
  sCol: number,
): void {
  const lo = off + Math.min(0, (rows - 1) * sRow) + Math.min(0, (cols - 1) * sCol);
  const hi = off + Math.max(0, (rows - 1) * sRow) + Math.max(0, (cols - 1) * sCol);
  if (!(lo >= 0 && hi < x.length)) {
    throw new RangeError(
      `matmulF32: ${name} view [${rows}, ${cols}] with strides [${sRow}, ${sCol}] at offset ${off} ` +
        `reaches elements ${lo}..${hi} of an array of ${x.length}`,
    );
  }
}

/** Copies a view's rows x cols elements, row-major, to heap[at..]. */
function gather(
  h: Float32Array,
  at: number,
  x: Float32Array,
  off: number,
  rows: number,
  sRow: number,
  cols: number,
  sCol: number,
): void {
  let d = at;
  for (let i = 0; i < rows; i++) {
    let s = off + i * sRow;
    for (let j = 0; j < cols; j++, s += sCol) h[d++] = x[s]!;
  }
}

/**
 * out[outOffset + i·N + j] = Σ_k a[aOffset + i·aStrideM + k·aStrideK] · b[bOffset + k·bStrideK + j·bStrideN]
 * for i < M, j < N, in float32 with WebAssembly SIMD. Strides are in elements and may be anything
 * (transposed views, broadcast with stride 0, negative); `out` is written as a contiguous row-major
 * M x N block. With `bias`, bias[biasOffset + j·biasStride] is added to column j as the result is
 * copied out (a linear layer's forward in one call). Synchronous; instantiates the module on first
 * use. Engines without WebAssembly SIMD (see `wasmSimdSupported`), and operands too large for 32-bit
 * wasm memory, get `matmulRef`.
 */
export function matmulF32(
  M: number,
  N: number,
  K: number,
  a: Float32Array,
  aOffset: number,
  aStrideM: number,
  aStrideK: number,
  b: Float32Array,
  bOffset: number,
  bStrideK: number,
  bStrideN: number,
  out: Float32Array,
  outOffset: number,
  bias?: Float32Array,
  biasOffset = 0,
  biasStride = 1,
): void {
  if (M <= 0 || N <= 0) return;
  if (!(outOffset >= 0 && outOffset + M * N <= out.length)) {
    throw new RangeError(
      `matmulF32: out needs ${M * N} elements from offset ${outOffset}, has ${out.length}`,
    );
  }
  if (bias) checkView('bias', bias, biasOffset, 1, 0, N, biasStride);
  if (K <= 0) {
    out.fill(0, outOffset, outOffset + M * N);
    if (bias) addBias(out, outOffset, M, N, bias, biasOffset, biasStride);
    return;
  }
  checkView('a', a, aOffset, M, aStrideM, K, aStrideK);
  checkView('b', b, bOffset, K, bStrideK, N, bStrideN);
  // (arguments spelt out, not spread from an array: no allocation per call)
  if (wasmSimdSupported()) {
    const at = runWasm(M, N, K, a, aOffset, aStrideM, aStrideK, b, bOffset, bStrideK, bStrideN); // prettier-ignore
    if (at >= 0) {
      if (bias) copyOutBias(heap, at, out, outOffset, M, N, bias, biasOffset, biasStride);
      else out.set(heap.subarray(at, at + M * N), outOffset);
      return;
    }
  }
  matmulRef(M, N, K, a, aOffset, aStrideM, aStrideK, b, bOffset, bStrideK, bStrideN, out, outOffset); // prettier-ignore
  if (bias) addBias(out, outOffset, M, N, bias, biasOffset, biasStride);
}

/** out[o + i·N + j] += bias[bo + j·bs]. */
function addBias(
  out: Float32Array,
  o: number,
  M: number,
  N: number,
  bias: Float32Array,
  bo: number,
  bs: number,
): void {
  for (let i = 0; i < M; i++)
    for (let j = 0, r = o + i * N; j < N; j++) out[r + j]! += bias[bo + j * bs]!;
}

/** out[o + i·N + j] = c[at + i·N + j] + bias[bo + j·bs]: the copy out of C with the bias added. */
function copyOutBias(
  c: Float32Array,
  at: number,
  out: Float32Array,
  o: number,
  M: number,
  N: number,
  bias: Float32Array,
  bo: number,
  bs: number,
): void {
  for (let i = 0; i < M; i++)
    for (let j = 0, r = i * N; j < N; j++) out[o + r + j] = c[at + r + j]! + bias[bo + j * bs]!;
}

/**
 * matmulF32 on the kernels, leaving C in the module's memory: returns where it starts (in floats of
 * `heap`), or -1 when the operands do not fit in 32-bit wasm memory.
 */
function runWasm(
  M: number,
  N: number,
  K: number,
  a: Float32Array,
  aOffset: number,
  aStrideM: number,
  aStrideK: number,
  b: Float32Array,
  bOffset: number,
  bStrideK: number,
  bStrideN: number,
): number {
  const k = instance();
  const aSpan = spanOf(M, aStrideM, K, aStrideK);
  const bSpan = spanOf(K, bStrideK, N, bStrideN);
  const aAt = FIRST;
  const bAt = align(aAt + (aSpan < 0 ? M * K : aSpan) + SLACK);
  const cAt = align(bAt + (bSpan < 0 ? K * N : bSpan) + SLACK);
  const workAt = align(cAt + M * N + SLACK);
  const kc = Math.min(K, KC);
  const end = workAt + (align8(N) + Math.min(align4(M), MC)) * kc + SLACK;
  if (end * 4 > 0xffff0000) return -1;
  let h: Float32Array;
  try {
    h = reserve(k, end);
  } catch {
    return -1; // the engine refused to grow the memory
  }
  if (aSpan < 0) {
    gather(h, aAt, a, aOffset, M, aStrideM, K, aStrideK);
    aStrideM = K;
    aStrideK = 1;
  } else {
    h.set(a.subarray(aOffset, aOffset + aSpan), aAt);
  }
  if (bSpan < 0) {
    gather(h, bAt, b, bOffset, K, bStrideK, N, bStrideN);
    bStrideK = N;
    bStrideN = 1;
  } else {
    h.set(b.subarray(bOffset, bOffset + bSpan), bAt);
  }
  k.matmul(M, N, K, aAt * 4, aStrideM, aStrideK, bAt * 4, bStrideK, bStrideN, cAt * 4, workAt * 4);
  return cAt;
}

/**
 * SGD without momentum on float32, in place: p[i] -= lr·(sign·g[i] + wd·p[i]) over n dense elements,
 * with f32x4 arithmetic in the module's memory (the copies in and out cost less than a scalar loop).
 */
export function sgdF32(
  p: Float32Array,
  po: number,
  g: Float32Array,
  go: number,
  n: number,
  lr: number,
  wd: number,
  sign: number,
): void {
  const k = instance();
  const at = FIRST;
  const gAt = align(at + n);
  const h = reserve(k, gAt + n + SLACK);
  h.set(p.subarray(po, po + n), at);
  h.set(g.subarray(go, go + n), gAt);
  k.sgd(at * 4, gAt * 4, n, lr, wd, sign);
  p.set(h.subarray(at, at + n), po);
}

/** The operands of one fused update, each a dense float32 run of `n` elements at an offset. */
export type Run = readonly [Float32Array, number];

/**
 * Adam (or AdamW) without amsgrad on float32, in place (see kernels.wat for the formula); p, m and v
 * are written back.
 */
export function adamF32(
  [p, po]: Run,
  [g, go]: Run,
  [m, mo]: Run,
  [v, vo]: Run,
  n: number,
  o: {
    sign: number;
    l2: number;
    beta1: number;
    beta2: number;
    shrink: number;
    stepSize: number;
    bias2Sqrt: number;
    eps: number;
  },
): void {
  // prettier-ignore
  const k = instance();
  const [ap, ag, am, av] = [0, 1, 2, 3].map((i) => FIRST + i * align(n + SLACK)) as [
    number,
    number,
    number,
    number,
  ];
  const h = reserve(k, av + n + SLACK);
  h.set(p.subarray(po, po + n), ap);
  h.set(g.subarray(go, go + n), ag);
  h.set(m.subarray(mo, mo + n), am);
  h.set(v.subarray(vo, vo + n), av);
  k.adam(
    ap * 4,
    ag * 4,
    am * 4,
    av * 4,
    n,
    o.sign,
    o.l2,
    1 - o.beta1, // in float64: see kernels.wat
    o.beta2,
    1 - o.beta2,
    o.shrink,
    o.stepSize,
    o.bias2Sqrt,
    o.eps,
  );
  p.set(h.subarray(ap, ap + n), po);
  m.set(h.subarray(am, am + n), mo);
  v.set(h.subarray(av, av + n), vo);
}
