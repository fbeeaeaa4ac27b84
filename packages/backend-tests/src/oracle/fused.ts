/**
 * The oracle of the fused kernels (`FusedKernels` in `@nablajs/tensor`): the compositions they
 * replace, written out in float64 with the oracle's own scalar functions. SGD and Adam follow
 * PyTorch 1.13's `_single_tensor_sgd` / `_single_tensor_adam` line by line (what `@nablajs/optim`
 * composes when a backend has no fused update); softmax cross-entropy is `tensor/src/fused.ts`'s
 * composition (log-softmax, gather, negate); linear is x·wᵀ + b.
 *
 * Every result comes with its scale, Σ|terms| per element, against which the float rounding of a
 * backend is measured (see `ExpectOptions.scale`).
 */
import type { AdamStep, SgdStep } from '@nablajs/tensor';
import { type Nd, fromValues } from '../nd.js';
import { type Result, matmul } from '../reference.js';
import { exp, log, sqrt } from './elementary.js';
import { pow } from './pow.js';

const abs = (x: number): number => (x < 0 ? -x : x);

/** An Nd of `like`'s dtype and shape holding `values` (rounded as the backend stores them). */
const result = (like: Nd, values: Float64Array, scale: Float64Array): Result => ({
  out: fromValues(like.dtype, like.shape, values),
  scale,
});

/** One SGD step: the new param and momentum buffer (unchanged without momentum). */
export function sgd(p: Nd, g: Nd, buf: Nd | null, o: SgdStep): { p: Result; buf: Result | null } {
  const n = p.data.length;
  const f = () => new Float64Array(n);
  const [P, sP, B, sB] = [f(), f(), f(), f()];
  const sign = o.maximize ? -1 : 1;
  const { lr, momentum: mu, weightDecay: wd } = o;
  const damp = 1 - o.dampening;
  const withMomentum = buf !== null && mu !== 0;
  for (let i = 0; i < n; i++) {
    const [pi, gi] = [p.data[i]!, g.data[i]!];
    // d_p = ±grad, then + weight_decay·param
    const d = sign * gi + wd * pi;
    const dMag = abs(gi) + wd * abs(pi);
    let step = d;
    let stepMag = dMag;
    if (withMomentum) {
      const bi = buf.data[i]!;
      // buf = clone(d_p) on the first step, else momentum·buf + (1 − dampening)·d_p
      const b = o.init ? d : mu * bi + damp * d;
      const bMag = o.init ? dMag : mu * abs(bi) + abs(damp) * dMag;
      [B[i], sB[i]] = [b, bMag];
      step = o.nesterov ? d + mu * b : b;
      stepMag = o.nesterov ? dMag + mu * bMag : bMag;
    }
    P[i] = pi - lr * step;
    sP[i] = abs(pi) + lr * stepMag;
  }
  return { p: result(p, P, sP), buf: withMomentum ? result(buf, B, sB) : null };
}

/** One Adam/AdamW step: the new param, moments m, v and (AMSGrad) the running maximum of v. */
export function adam(
  p: Nd,
  g: Nd,
  m: Nd,
  v: Nd,
  vmax: Nd | null,
  o: AdamStep,
): { p: Result; m: Result; v: Result; vmax: Result | null } {
  const n = p.data.length;
  const f = () => new Float64Array(n);
  const [P, sP, M, sM, V, sV, X, sX] = [f(), f(), f(), f(), f(), f(), f(), f()];
  const { lr, beta1, beta2, eps, weightDecay: wd } = o;
  const sign = o.maximize ? -1 : 1;
  const stepSize = lr / (1 - pow(beta1, o.step));
  const bias2Sqrt = sqrt(1 - pow(beta2, o.step));
  for (let i = 0; i < n; i++) {
    const [pi, mi, vi] = [p.data[i]!, m.data[i]!, v.data[i]!];
    // grad = ±grad (+ weight_decay·param for Adam); AdamW shrinks param by 1 − lr·weight_decay
    const gi = sign * g.data[i]! + (o.decoupled ? 0 : wd * pi);
    const gMag = abs(g.data[i]!) + (o.decoupled ? 0 : wd * abs(pi));
    const theta = o.decoupled ? pi * (1 - lr * wd) : pi;
    const m1 = beta1 * mi + (1 - beta1) * gi;
    const v1 = beta2 * vi + (1 - beta2) * gi * gi;
    [M[i], sM[i]] = [m1, beta1 * abs(mi) + (1 - beta1) * gMag];
    [V[i], sV[i]] = [v1, beta2 * abs(vi) + (1 - beta2) * gMag * gMag];
    let second = v1;
    if (vmax) {
      const xi = vmax.data[i]!;
      second = xi !== xi || v1 !== v1 ? NaN : xi > v1 ? xi : v1; // torch.maximum
      [X[i], sX[i]] = [second, abs(second)];
    }
    const denom = sqrt(second) / bias2Sqrt + eps;
    P[i] = theta - stepSize * (m1 / denom);
    sP[i] = abs(theta) + stepSize * (sM[i]! / denom);
  }
  return {
    p: result(p, P, sP),
    m: result(m, M, sM),
    v: result(v, V, sV),
    vmax: vmax ? result(vmax, X, sX) : null,
  };
}

/** Each row's max m (NaN if any), its Σ exp(x − m), and ln of that sum. */
function rowStats(x: Nd, i: number): { m: number; z: number; lse: number; row: number[] } {
  const C = x.shape[1]!;
  const row = Array.from({ length: C }, (_, c) => x.data[i * C + c]!);
  let m = -Infinity;
  for (const v of row) m = v !== v || m !== m ? NaN : v > m ? v : m;
  let z = 0;
  for (const v of row) z += exp(v - m);
  return { m, z, lse: log(z), row };
}

/** −log softmax(x)[i, labels[i]] per row: x [N, C], labels int32 [N] → [N]. */
export function softmaxCrossEntropy(x: Nd, labels: Nd): Result {
  const N = x.shape[0]!;
  const [out, scale] = [new Float64Array(N), new Float64Array(N)];
  for (let i = 0; i < N; i++) {
    const { m, lse, row } = rowStats(x, i);
    const picked = row[labels.data[i]!]!;
    // log_softmax = x − m − ln Σ exp(x − m); the loss negates the picked entry
    out[i] = m + lse - picked;
    scale[i] = abs(m) + abs(lse) + abs(picked);
  }
  return { out: fromValues(x.dtype, [N], out), scale };
}

/** (softmax(x) − onehot(labels))·g[:, None]: x [N, C], labels int32 [N], g [N] → [N, C]. */
export function softmaxCrossEntropyGrad(x: Nd, labels: Nd, g: Nd): Result {
  const [N, C] = x.shape as [number, number];
  const [out, scale] = [new Float64Array(N * C), new Float64Array(N * C)];
  for (let i = 0; i < N; i++) {
    const { m, z, row } = rowStats(x, i);
    const gi = g.data[i]!;
    for (let c = 0; c < C; c++) {
      out[i * C + c] = (exp(row[c]! - m) / z - (c === labels.data[i] ? 1 : 0)) * gi;
      scale[i * C + c] = abs(gi);
    }
  }
  return { out: fromValues(x.dtype, [N, C], out), scale };
}

/** x·wᵀ + b: x [N, K], w [O, K], b [O] or none → [N, O]. */
export function linear(x: Nd, w: Nd, b: Nd | null): Result {
  const [O, K] = w.shape as [number, number];
  const wt = new Float64Array(K * O);
  for (let o = 0; o < O; o++) for (let k = 0; k < K; k++) wt[k * O + o] = w.data[o * K + k]!;
  // in float64, so that x·wᵀ + b is rounded to the dtype once
  const y = matmul({ ...x, dtype: 'float64' }, { dtype: 'float64', shape: [K, O], data: wt });
  const [N] = x.shape as [number];
  const out = new Float64Array(N * O);
  const scale = new Float64Array(N * O);
  for (let i = 0; i < N * O; i++) {
    const bias = b ? b.data[i % O]! : 0;
    out[i] = y.out.data[i]! + bias;
    scale[i] = y.scale![i]! + abs(bias);
  }
  return { out: fromValues(x.dtype, [N, O], out), scale };
}
