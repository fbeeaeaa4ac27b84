import type { AdamStep, FusedKernels, SgdStep } from '@nablajs/tensor';
import { flagCode } from './flags.js';
import { type Activation, type TileChoice, matmul } from './matmul.js';
import { type GpuStorage, type Runtime, WG } from './runtime.js';
import { MATH, PRELUDE, type Ref, buffer, fbits, sizeOf, wgslType } from './wgsl.js';

/** One thread per element over dense views whose offsets are words 1…; `body` updates element i. */
function inPlace(
  rt: Runtime,
  name: string,
  views: readonly Ref[],
  scalars: readonly number[],
  body: string,
): void {
  const n = sizeOf(views[0]!.shape);
  for (const v of views) wgslType(v.dtype, name);
  const names = ['p', 'g', 'm', 'v', 'vmax'].slice(0, views.length);
  // bindings: the gradient (view 1), which is only read, then the views updated in place
  const order = [1, ...views.map((_, j) => j).filter((j) => j !== 1)];
  const decl = order.map((j, b) => buffer(b + 1, names[j]!, 'f32')).join('');
  const src = () => `${PRELUDE}${decl}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = gid(wg, li, ${WG}u);
  if (i >= w(0u)) { return; }
  ${names.map((x, j) => `let ${x}i = i + w(${1 + j}u);`).join(' ')}
  ${body}
}`;
  const bufs = order.map((j) => views[j]!.storage);
  rt.dispatch(
    name,
    src,
    { read: bufs.slice(0, 1), write: bufs.slice(1) },
    [
      n,
      ...views.map((v) => v.offset),
      ...[0, 0, 0, 0, 0].slice(views.length),
      ...scalars.map(fbits),
    ],
    Math.ceil(n / WG),
  );
}

/** Scalars of the update kernels start at word 6. */
const s = (k: number) => `wf(${6 + k}u)`;

function sgd(rt: Runtime, p: Ref, g: Ref, buf: Ref | null, o: SgdStep): void {
  const d = `${o.maximize ? '-' : ''}g[gi] + ${s(1)} * p[pi]`;
  if (!buf || o.momentum === 0) {
    inPlace(
      rt,
      `sgd:${o.maximize}`,
      [p, g],
      [o.lr, o.weightDecay],
      `p[pi] = p[pi] - ${s(0)} * (${d});`,
    );
    return;
  }
  const m = o.init ? 'd' : `${s(2)} * m[mi] + ${s(3)} * d`;
  inPlace(
    rt,
    `sgd:momentum:${o.init}:${o.nesterov}:${o.maximize}`,
    [p, g, buf],
    [o.lr, o.weightDecay, o.momentum, 1 - o.dampening],
    `let d = ${d}; let mm = ${m}; m[mi] = mm; p[pi] = p[pi] - ${s(0)} * ${o.nesterov ? `(d + ${s(2)} * mm)` : 'mm'};`,
  );
}

function adam(rt: Runtime, p: Ref, g: Ref, m: Ref, v: Ref, vmax: Ref | null, o: AdamStep): void {
  const stepSize = o.lr / (1 - o.beta1 ** o.step);
  const bias2Sqrt = Math.sqrt(1 - o.beta2 ** o.step);
  const shrink = o.decoupled ? 1 - o.lr * o.weightDecay : 1;
  const l2 = o.decoupled ? 0 : o.weightDecay;
  // scalars: 0 l2, 1 1−β1, 2 β2, 3 1−β2, 4 shrink, 5 step size, 6 √(1−β2^t), 7 eps
  inPlace(
    rt,
    `adam:${!!vmax}:${o.maximize}`,
    vmax ? [p, g, m, v, vmax] : [p, g, m, v],
    [l2, 1 - o.beta1, o.beta2, 1 - o.beta2, shrink, stepSize, bias2Sqrt, o.eps],
    `let theta = p[pi];
  let gg = ${o.maximize ? '-' : ''}g[gi] + ${s(0)} * theta;
  let mm = m[mi] + ${s(1)} * (gg - m[mi]);
  let vv = ${s(2)} * v[vi] + ${s(3)} * gg * gg;
  m[mi] = mm; v[vi] = vv;
  ${vmax ? 'let second = max(vmax[vmaxi], vv); vmax[vmaxi] = second;' : 'let second = vv;'}
  p[pi] = theta * ${s(4)} - ${s(5)} * (mm / (sqrt(second) / ${s(6)} + ${s(7)}));`,
  );
}

/** Softmax cross-entropy kernels: one thread per row of logits [N, C] (strided), labels [N]. */
function crossEntropy(rt: Runtime, logits: Ref, labels: Ref, g: Ref | null): GpuStorage {
  const [N, C] = logits.shape as [number, number];
  const out = rt.alloc(g ? N * C : N, 'softmaxCrossEntropy');
  const t = wgslType(logits.dtype, 'softmaxCrossEntropy');
  const src =
    () => `${PRELUDE}${MATH}${buffer(1, 'x', t)}${buffer(2, 'labels', 'i32')}${g ? buffer(3, 'g', t) : ''}${buffer(g ? 4 : 3, 'y', t)}${buffer(g ? 5 : 4, 'flags', 'i32')}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = gid(wg, li, ${WG}u);
  let C = w(1u);
  if (i >= w(0u)) { return; }
  let row = wi(2u) + i32(i) * wi(3u);
  let sc = wi(4u);
  var mx = -inf();
  for (var c = 0u; c < C; c = c + 1u) { mx = max(mx, x[u32(row + i32(c) * sc)]); }
  var z = 0.0;
  for (var c = 0u; c < C; c = c + 1u) { z = z + exp(x[u32(row + i32(c) * sc)] - mx); }
  let label = labels[u32(wi(5u) + i32(i) * wi(6u))];
  if (label < 0 || u32(label) >= C) {
    ${flagCode('label', 'i32(C)')}
    ${g ? 'for (var c = 0u; c < C; c = c + 1u) { y[i * C + c] = nan(); }' : 'y[i] = nan();'}
    return;
  }
  ${
    g
      ? `let gi = g[u32(wi(7u) + i32(i) * wi(8u))];
  let scale = gi / z;
  for (var c = 0u; c < C; c = c + 1u) {
    var v = exp(x[u32(row + i32(c) * sc)] - mx) * scale;
    if (i32(c) == label) { v = v - gi; }
    y[i * C + c] = v;
  }`
      : `y[i] = (mx - x[u32(row + label * sc)]) + ln(z);`
  }
}`;
  const read = [logits.storage, labels.storage, ...(g ? [g.storage] : [])];
  rt.dispatch(
    `softmaxCrossEntropy:${t}:${!!g}`,
    src,
    { read, write: [out] },
    [
      N,
      C,
      logits.offset,
      logits.strides[0]!,
      logits.strides[1]!,
      labels.offset,
      labels.strides[0]!,
      g?.offset ?? 0,
      g?.strides[0] ?? 0,
    ],
    Math.ceil(N / WG),
    { op: 'softmaxCrossEntropy', axis: -1 },
  );
  return out;
}

/** The fused kernels of `Backend.fused` on WebGPU; views are dense as the interface promises. */
export function fusedKernels(rt: Runtime, tile?: TileChoice): FusedKernels<GpuStorage> {
  return {
    sgd: (p, g, buf, o) => sgd(rt, p, g, buf, o),
    adam: (p, g, m, v, vmax, o) => adam(rt, p, g, m, v, vmax, o),
    softmaxCrossEntropy: (logits, labels) => crossEntropy(rt, logits, labels, null),
    softmaxCrossEntropyGrad: (logits, labels, g) => crossEntropy(rt, logits, labels, g),
    linear: (x, w, b) => linear(rt, x, w, b, 'none', tile),
  };
}

/** x·wᵀ + b (then an activation) in one matmul kernel: the bias and activation are its epilogue. */
function linear(
  rt: Runtime,
  x: Ref,
  w: Ref,
  b: Ref | null,
  act: Activation,
  tile?: TileChoice,
): GpuStorage {
  const wt: Ref = {
    ...w,
    shape: [w.shape[1]!, w.shape[0]!],
    strides: [w.strides[1]!, w.strides[0]!],
  };
  return matmul(rt, x, wt, b, act, tile);
}
