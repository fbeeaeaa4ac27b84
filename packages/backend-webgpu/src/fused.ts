import { type AdamStep, type FusedKernels, type SgdStep, sizeOf } from '@nablajs/tensor';
import { type Activation, type TileChoice, matmul } from './matmul.js';
import { Params, words } from './params.js';
import { type GpuStorage, type Runtime, WG } from './runtime.js';
import { MATH, PRELUDE, type Ref, buffer, flagBadIndex, flagsBuffer, wgslType } from './wgsl.js';

/** The parameters of an in-place update: the element count, each view's offset, the scalars. */
const updateParams = (views: number, scalars: number) =>
  new Params({ n: 'u32', offsets: words('u32', views), scalars: words('f32', scalars) });

/**
 * One thread per element over dense views; `body` updates element i, with each view's index in
 * `<name>i` (`pi`, `gi`, …) and each of `scalars` as a WGSL `let` of its name.
 */
function inPlace(
  rt: Runtime,
  name: string,
  views: readonly Ref[],
  scalars: Readonly<Record<string, number>>,
  body: string,
): void {
  const n = sizeOf(views[0]!.shape);
  for (const v of views) wgslType(v.dtype, name);
  const names = ['p', 'g', 'm', 'v', 'vmax'].slice(0, views.length);
  const keys = Object.keys(scalars);
  const P = updateParams(views.length, keys.length);
  // bindings: the gradient (view 1), which is only read, then the views updated in place
  const order = [1, ...views.map((_, j) => j).filter((j) => j !== 1)];
  const decl = order.map((j, b) => buffer(b + 1, names[j]!, 'f32')).join('');
  const src = () => `${PRELUDE}${decl}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = gid(wg, li, ${WG}u);
  ${P.lets('n')}
  if (i >= n) { return; }
  ${names.map((x, j) => `let ${x}i = i + ${P.get('offsets', j)};`).join(' ')}
  ${keys.map((k, j) => `let ${k} = ${P.get('scalars', j)};`).join(' ')}
  ${body}
}`;
  const bufs = order.map((j) => views[j]!.storage);
  rt.dispatch(
    name,
    src,
    { read: bufs.slice(0, 1), write: bufs.slice(1) },
    P.pack({ n, offsets: views.map((v) => v.offset), scalars: Object.values(scalars) }),
    Math.ceil(n / WG),
  );
}

function sgd(rt: Runtime, p: Ref, g: Ref, buf: Ref | null, o: SgdStep): void {
  const d = `${o.maximize ? '-' : ''}g[gi] + wd * p[pi]`;
  const [lr, wd] = [o.lr, o.weightDecay];
  if (!buf || o.momentum === 0) {
    inPlace(rt, `sgd:${o.maximize}`, [p, g], { lr, wd }, `p[pi] = p[pi] - lr * (${d});`);
    return;
  }
  const m = o.init ? 'd' : 'mu * m[mi] + damp * d';
  inPlace(
    rt,
    `sgd:momentum:${o.init}:${o.nesterov}:${o.maximize}`,
    [p, g, buf],
    { lr, wd, mu: o.momentum, damp: 1 - o.dampening },
    `let d = ${d}; let mm = ${m}; m[mi] = mm; p[pi] = p[pi] - lr * ${o.nesterov ? '(d + mu * mm)' : 'mm'};`,
  );
}

function adam(rt: Runtime, p: Ref, g: Ref, m: Ref, v: Ref, vmax: Ref | null, o: AdamStep): void {
  const scalars = {
    l2: o.decoupled ? 0 : o.weightDecay,
    mix1: 1 - o.beta1,
    beta2: o.beta2,
    mix2: 1 - o.beta2,
    shrink: o.decoupled ? 1 - o.lr * o.weightDecay : 1,
    stepSize: o.lr / (1 - o.beta1 ** o.step),
    bias2Sqrt: Math.sqrt(1 - o.beta2 ** o.step),
    eps: o.eps,
  };
  inPlace(
    rt,
    `adam:${!!vmax}:${o.maximize}`,
    vmax ? [p, g, m, v, vmax] : [p, g, m, v],
    scalars,
    `let theta = p[pi];
  let gg = ${o.maximize ? '-' : ''}g[gi] + l2 * theta;
  let mm = m[mi] + mix1 * (gg - m[mi]);
  let vv = beta2 * v[vi] + mix2 * gg * gg;
  m[mi] = mm; v[vi] = vv;
  ${vmax ? 'let second = select(max(vmax[vmaxi], vv), nan(), isnan(vmax[vmaxi]) || isnan(vv)); vmax[vmaxi] = second;' : 'let second = vv;'}
  p[pi] = theta * shrink - stepSize * (mm / (sqrt(second) / bias2Sqrt + eps));`,
  );
}

/** The parameters of the cross-entropy kernels: the logits' size, offset and strides, the labels'
 * offset and stride, and the incoming gradient's (for the gradient kernel). */
const CROSS_ENTROPY_PARAMS = new Params({
  N: 'u32',
  C: 'u32',
  xOffset: 'i32',
  xRow: 'i32',
  xCol: 'i32',
  labelsOffset: 'i32',
  labelsStride: 'i32',
  gOffset: 'i32',
  gStride: 'i32',
});

/** Softmax cross-entropy kernels: one thread per row of logits [N, C] (strided), labels [N]. */
function crossEntropy(rt: Runtime, logits: Ref, labels: Ref, g: Ref | null): GpuStorage {
  const [N, C] = logits.shape as [number, number];
  const out = rt.alloc(g ? N * C : N, 'softmaxCrossEntropy');
  const t = wgslType(logits.dtype, 'softmaxCrossEntropy');
  const P = CROSS_ENTROPY_PARAMS;
  const nanRow = g
    ? 'for (var c = 0u; c < C; c = c + 1u) { y[i * C + c] = nan(); }'
    : 'y[i] = nan();';
  const src =
    () => `${PRELUDE}${MATH}${buffer(1, 'x', t)}${buffer(2, 'labels', 'i32')}${g ? buffer(3, 'g', t) : ''}${buffer(g ? 4 : 3, 'y', t)}${flagsBuffer(g ? 5 : 4)}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = gid(wg, li, ${WG}u);
  ${P.lets('N', 'C', 'xOffset', 'xRow', 'xCol', 'labelsOffset', 'labelsStride')}
  if (i >= N) { return; }
  let row = xOffset + i32(i) * xRow;
  var mx = -inf();
  var bad = false; // WGSL's max() may drop a NaN: a NaN logit makes its row NaN, as on the CPU
  for (var c = 0u; c < C; c = c + 1u) { let xc = x[u32(row + i32(c) * xCol)]; bad = bad || isnan(xc); mx = max(mx, xc); }
  var z = 0.0;
  for (var c = 0u; c < C; c = c + 1u) { z = z + exp(x[u32(row + i32(c) * xCol)] - mx); }
  let label = labels[u32(labelsOffset + i32(i) * labelsStride)];
  if (label < 0 || u32(label) >= C) {
    ${flagBadIndex('softmaxCrossEntropy', 'label', 'C')}
    ${nanRow}
    return;
  }
  if (bad) {
    ${nanRow}
    return;
  }
  ${
    g
      ? `${P.lets('gOffset', 'gStride')}
  let gi = g[u32(gOffset + i32(i) * gStride)];
  let scale = gi / z;
  for (var c = 0u; c < C; c = c + 1u) {
    var v = exp(x[u32(row + i32(c) * xCol)] - mx) * scale;
    if (i32(c) == label) { v = v - gi; }
    y[i * C + c] = v;
  }`
      : `y[i] = (mx - x[u32(row + label * xCol)]) + ln(z);`
  }
}`;
  const read = [logits.storage, labels.storage, ...(g ? [g.storage] : [])];
  rt.dispatch(
    `softmaxCrossEntropy:${t}:${!!g}`,
    src,
    { read, write: [out] },
    P.pack({
      N,
      C,
      xOffset: logits.offset,
      xRow: logits.strides[0]!,
      xCol: logits.strides[1]!,
      labelsOffset: labels.offset,
      labelsStride: labels.strides[0]!,
      gOffset: g?.offset ?? 0,
      gStride: g?.strides[0] ?? 0,
    }),
    Math.ceil(N / WG),
    true,
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
