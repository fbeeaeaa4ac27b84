// The fused optimizer updates on the WebAssembly kernels (kernels.wat): the operands are copied into
// the module's memory, updated with f32x4 arithmetic and copied back, as matmul.ts does for matmuls.
import { FIRST, SLACK, align } from './layout.js';
import { instance, reserve } from './matmul.js';

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
