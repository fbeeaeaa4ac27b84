// The fused optimizer updates on the WebAssembly kernels (kernels/elementwise.wat): the operands
// are copied into the module's memory, updated with f32x4 arithmetic and copied back, as matmul.ts
// does for matmuls.
import { CHUNK, FIRST, SLACK, align } from './layout.js';
import { type KernelExports, instance, reserve } from './instance.js';
import { homeOf } from './state.js';

/** Elements from which an update goes through these kernels (below, a loop in place costs less
 * than the copies). */
export const UPDATE_WASM_MIN = 4096;

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
  const c = Math.min(n, CHUNK); // in chunks, as adamF32 does
  const at = FIRST;
  const gAt = align(at + c);
  const h = reserve(k, gAt + c + SLACK);
  for (let s = 0; s < n; s += c) {
    const len = Math.min(c, n - s);
    h.set(p.subarray(po + s, po + s + len), at);
    h.set(g.subarray(go + s, go + s + len), gAt);
    k.sgd(at * 4, gAt * 4, len, lr, wd, sign);
    p.set(h.subarray(at, at + len), po + s);
  }
}

/** The operands of one fused update, each a dense float32 run of `n` elements at an offset. */
export type Run = readonly [Float32Array, number];
type Quad = [number, number, number, number];

/** Adam's constants for one step (see kernels/elementwise.wat). */
export interface AdamConstants {
  sign: number;
  l2: number;
  beta1: number;
  beta2: number;
  shrink: number;
  stepSize: number;
  bias2Sqrt: number;
  eps: number;
}

/** The kernel on `len` floats at float addresses p, g, m, v of `k`'s memory. */
function adamAt(
  k: KernelExports,
  p: number,
  g: number,
  m: number,
  v: number,
  len: number,
  o: AdamConstants,
) {
  // prettier-ignore
  k.adam(p * 4, g * 4, m * 4, v * 4, len, o.sign, o.l2,
    1 - o.beta1, // in float64: see kernels/elementwise.wat
    o.beta2, 1 - o.beta2, o.shrink, o.stepSize, o.bias2Sqrt, o.eps);
}

/**
 * Adam (or AdamW) without amsgrad on float32, in place (see kernels/elementwise.wat for the
 * formula); p, m and v are written back. Moments made by `stateF32` are updated where they lie,
 * only p and g copied.
 */
export function adamF32(
  [p, po]: Run,
  [g, go]: Run,
  [m, mo]: Run,
  [v, vo]: Run,
  n: number,
  o: AdamConstants,
): void {
  // in chunks (layout.ts): the update is elementwise, so the result is the same
  const c = Math.min(n, CHUNK);
  const home = mo === 0 && vo === 0 && m.length === n && v.length === n ? homeOf(m, v) : undefined;
  if (home) {
    const { slab, mAt, vAt } = home;
    for (let s = 0; s < n; s += c) {
      const len = Math.min(c, n - s);
      slab.h.set(p.subarray(po + s, po + s + len), slab.pAt);
      slab.h.set(g.subarray(go + s, go + s + len), slab.gAt);
      adamAt(slab.k, slab.pAt, slab.gAt, mAt + s, vAt + s, len, o);
      p.set(slab.h.subarray(slab.pAt, slab.pAt + len), po + s);
    }
    return;
  }
  const k = instance();
  const [ap, ag, am, av] = [0, 1, 2, 3].map((i) => FIRST + i * align(c + SLACK)) as Quad;
  const h = reserve(k, av + c + SLACK);
  for (let s = 0; s < n; s += c) {
    const len = Math.min(c, n - s);
    h.set(p.subarray(po + s, po + s + len), ap);
    h.set(g.subarray(go + s, go + s + len), ag);
    h.set(m.subarray(mo + s, mo + s + len), am);
    h.set(v.subarray(vo + s, vo + s + len), av);
    adamAt(k, ap, ag, am, av, len, o);
    p.set(h.subarray(ap, ap + len), po + s);
    m.set(h.subarray(am, am + len), mo + s);
    v.set(h.subarray(av, av + len), vo + s);
  }
}
