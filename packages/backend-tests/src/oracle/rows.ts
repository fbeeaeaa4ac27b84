/**
 * The oracle of the row kernels (`FusedKernels.softmax`, `softmaxGrad`, `layerNorm`,
 * `layerNormGrad`): their definitions over the last axis, in float64 with the oracle's own `exp`
 * and `sqrt`, naive loops over rows. softmax: a row of −∞ gives zeros, a NaN makes its row NaN.
 * Each result comes with its scale, Σ|terms| per element (see `ExpectOptions.scale`).
 */
import { type Nd, fromValues } from '../nd.js';
import type { Result } from '../reference.js';
import { exp, sqrt } from './elementary.js';

const abs = (x: number): number => (x < 0 ? -x : x);

/** The rows of x [..., C]: (N, C, row i's values). */
function rowsOf(x: Nd): [number, number, (i: number) => number[]] {
  const C = x.shape[x.shape.length - 1] ?? 1;
  const N = C === 0 ? 0 : x.data.length / C;
  return [N, C, (i) => Array.from({ length: C }, (_, c) => x.data[i * C + c]!)];
}

function result(like: Nd, out: Float64Array, scale: Float64Array): Result {
  return { out: fromValues(like.dtype, like.shape, out), scale };
}

/** exp(x − max)/Σ exp(x − max) per row. */
export function softmax(x: Nd): Result {
  const [N, C, row] = rowsOf(x);
  const out = new Float64Array(N * C);
  const scale = new Float64Array(N * C).fill(1);
  for (let i = 0; i < N; i++) {
    const r = row(i);
    const m = r.reduce((a, v) => (a !== a || v !== v ? NaN : v > a ? v : a), -Infinity);
    if (m === -Infinity) continue; // nothing to attend to: zeros
    const e = r.map((v) => exp(v - m)); // NaN stays NaN
    const z = e.reduce((a, b) => a + b, 0);
    e.forEach((v, c) => (out[i * C + c] = v / z));
  }
  return result(x, out, scale);
}

/** y·(g − Σ g·y) per row. */
export function softmaxGrad(y: Nd, g: Nd): Result {
  const [N, C, row] = rowsOf(y);
  const gRow = rowsOf(g)[2];
  const out = new Float64Array(N * C);
  const scale = new Float64Array(N * C);
  for (let i = 0; i < N; i++) {
    const [yr, gr] = [row(i), gRow(i)];
    const s = yr.reduce((a, v, c) => a + v * gr[c]!, 0);
    const sAbs = yr.reduce((a, v, c) => a + abs(v * gr[c]!), 0);
    yr.forEach((v, c) => {
      out[i * C + c] = v * (gr[c]! - s);
      scale[i * C + c] = abs(v) * (abs(gr[c]!) + sAbs);
    });
  }
  return result(y, out, scale);
}

/** Mean, 1/√(biased variance + eps) and x̂ of one row. */
function normalize(r: number[], eps: number): { mean: number; rstd: number; xhat: number[] } {
  const mean = r.reduce((a, b) => a + b, 0) / r.length;
  const v = r.reduce((a, b) => a + (b - mean) * (b - mean), 0) / r.length;
  const rstd = 1 / sqrt(v + eps);
  return { mean, rstd, xhat: r.map((b) => (b - mean) * rstd) };
}

/** (x − mean)/√(var + eps) per row. */
export function layerNorm(x: Nd, eps: number): Result {
  const [N, C, row] = rowsOf(x);
  const out = new Float64Array(N * C);
  const scale = new Float64Array(N * C);
  for (let i = 0; i < N; i++) {
    const r = row(i);
    const { mean, rstd, xhat } = normalize(r, eps);
    xhat.forEach((v, c) => {
      out[i * C + c] = v;
      scale[i * C + c] = (abs(r[c]!) + abs(mean)) * rstd + 1;
    });
  }
  return result(x, out, scale);
}

/** rstd·(g − mean(g) − x̂·mean(g·x̂)) per row. */
export function layerNormGrad(x: Nd, g: Nd, eps: number): Result {
  const [N, C, row] = rowsOf(x);
  const gRow = rowsOf(g)[2];
  const out = new Float64Array(N * C);
  const scale = new Float64Array(N * C);
  for (let i = 0; i < N; i++) {
    const [r, gr] = [row(i), gRow(i)];
    const { mean, rstd, xhat } = normalize(r, eps);
    const mg = gr.reduce((a, b) => a + b, 0) / C;
    const mgx = gr.reduce((a, b, c) => a + b * xhat[c]!, 0) / C;
    const mgAbs = gr.reduce((a, b) => a + abs(b), 0) / C;
    const mgxAbs = gr.reduce((a, b, c) => a + abs(b * xhat[c]!), 0) / C;
    xhat.forEach((v, c) => {
      out[i * C + c] = rstd * (gr[c]! - mg - v * mgx);
      scale[i * C + c] =
        rstd *
        (abs(gr[c]!) + mgAbs + (abs(v) + 1) * mgxAbs) *
        (1 + (abs(r[c]!) + abs(mean)) * rstd);
    });
  }
  return result(x, out, scale);
}
