import type { WindowGeometry, WindowOp } from '@nablajs/tensor';
import { type GpuStorage, type Runtime, WG } from './runtime.js';
import { PRELUDE, type Ref, buffer, sizeOf, wgslType } from './wgsl.js';

// The sliding-window kernels: one thread per output element, each written once, so there are no
// atomics and the sums run in a fixed order. col2im and maxPoolGrad gather: each input position
// visits the windows that contain it (o·stride − padding + j·dilation = position). 1-d and 2-d
// windows run as 3-d ones with leading unit axes.
//
// Parameter words: 0 the thread count, 1–18 the geometry as six triples (input, output, kernel,
// stride, padding, dilation; depth, height, width), 19 the channels C, then per view an offset
// and five strides (N, C, depth, height, width).
const C_WORD = 19;
const VIEW = (j: number) => 20 + 6 * j;

/** The geometry's words, unit axes in front. */
function geometryWords(g: WindowGeometry): number[] {
  const three = (v: readonly number[], unit: number) => [
    ...new Array<number>(3 - v.length).fill(unit),
    ...v,
  ];
  return [
    ...three(g.input, 1),
    ...three(g.output, 1),
    ...three(g.kernel, 1),
    ...three(g.stride, 1),
    ...three(g.padding, 0),
    ...three(g.dilation, 1),
  ];
}

/** A view's words: offset, then the strides of N, C and the three spatial axes (0 for unit ones). */
function viewWords(x: Ref): number[] {
  const s = x.strides.slice(2);
  return [x.offset, x.strides[0]!, x.strides[1]!, ...new Array<number>(3 - s.length).fill(0), ...s];
}

/** WGSL helpers: the geometry's triples, and the element index of view `j` at (n, c, d, h, w). */
const WINDOW_FNS = /* wgsl */ `
fn g3(t: u32) -> vec3<i32> { return vec3<i32>(wi(1u + 3u * t), wi(2u + 3u * t), wi(3u + 3u * t)); }
fn input3() -> vec3<i32> { return g3(0u); }
fn output3() -> vec3<i32> { return g3(1u); }
fn kernel3() -> vec3<i32> { return g3(2u); }
fn stride3() -> vec3<i32> { return g3(3u); }
fn pad3() -> vec3<i32> { return g3(4u); }
fn dil3() -> vec3<i32> { return g3(5u); }
fn at(v: u32, n: i32, c: i32, p: vec3<i32>) -> u32 {
  return u32(wi(v) + n * wi(v + 1u) + c * wi(v + 2u) + p.x * wi(v + 3u) + p.y * wi(v + 4u) + p.z * wi(v + 5u));
}
fn unravel3(i: i32, s: vec3<i32>) -> vec3<i32> { return vec3<i32>(i / (s.y * s.z), (i / s.z) % s.y, i % s.z); }
fn inside(p: vec3<i32>, n: vec3<i32>) -> bool { return all(p >= vec3<i32>(0)) && all(p < n); }
`;

/** The body shared by col2im and maxPoolGrad: for each window holding input position `p` (of
 * plane (n, c)), with its kernel offset `kk` and flat window index `l`, runs `visit`. */
const FOR_WINDOWS = (visit: string) => `
  let K = kernel3(); let S = stride3(); let P = pad3(); let D = dil3(); let O = output3();
  for (var kd = 0; kd < K.x; kd++) { for (var kh = 0; kh < K.y; kh++) { for (var kw = 0; kw < K.z; kw++) {
    let kk = vec3<i32>(kd, kh, kw);
    let q = p + P - kk * D; // = o·S for the window o that reads p at kk
    if (any(q < vec3<i32>(0)) || any(q % S != vec3<i32>(0))) { continue; }
    let o = q / S;
    if (any(o >= O)) { continue; }
    let k = (kd * K.y + kh) * K.z + kw;
    let l = (o.x * O.y + o.y) * O.z + o.z;
    ${visit}
  } } }`;

function im2col(rt: Runtime, x: Ref, g: WindowGeometry): GpuStorage {
  const t = wgslType(x.dtype, 'im2col');
  const [N, C] = [x.shape[0]!, x.shape[1]!];
  const [K, L] = [sizeOf(g.kernel), sizeOf(g.output)];
  const n = N * C * K * L;
  const out = rt.alloc(n, 'im2col');
  const src = () => `${PRELUDE}${WINDOW_FNS}${buffer(1, 'x', t)}${buffer(2, 'y', t)}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = gid(wg, li, ${WG}u);
  if (i >= w(0u)) { return; }
  let K = kernel3(); let O = output3();
  let L = O.x * O.y * O.z; let KK = K.x * K.y * K.z; let C = wi(${C_WORD}u);
  let l = i32(i % u32(L)); let r = i32((i / u32(L)) % u32(C * KK)); let n = i32(i / u32(L * C * KK));
  let p = unravel3(l, O) * stride3() - pad3() + unravel3(r % KK, K) * dil3();
  var v = ${t}(0);
  if (inside(p, input3())) { v = x[at(${VIEW(0)}u, n, r / KK, p)]; }
  y[i] = v;
}`;
  rt.dispatch(
    `im2col:${t}`,
    src,
    { read: [x.storage], write: [out] },
    [n, ...geometryWords(g), C, ...viewWords(x)],
    Math.ceil(n / WG),
  );
  return out;
}

function col2im(rt: Runtime, cols: Ref, g: WindowGeometry): GpuStorage {
  const t = wgslType(cols.dtype, 'col2im');
  const K = sizeOf(g.kernel);
  const [N, C] = [cols.shape[0]!, cols.shape[1]! / K];
  const n = N * C * sizeOf(g.input);
  const out = rt.alloc(n, 'col2im');
  // the columns [N, C·K, L] as a view of (n, c·K + k, l): words offset, N, C·K stride, l stride
  const [s0, s1, s2] = cols.strides as [number, number, number];
  const src = () => `${PRELUDE}${WINDOW_FNS}${buffer(1, 'cols', t)}${buffer(2, 'y', t)}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = gid(wg, li, ${WG}u);
  if (i >= w(0u)) { return; }
  let I = input3(); let plane = I.x * I.y * I.z; let C = wi(${C_WORD}u);
  let n = i32(i) / (C * plane); let c = (i32(i) / plane) % C;
  let p = unravel3(i32(i) % plane, I);
  let KK = kernel3().x * kernel3().y * kernel3().z;
  var acc = ${t}(0);
  ${FOR_WINDOWS(`acc = acc + cols[u32(wi(${VIEW(0)}u) + n * wi(${VIEW(0) + 1}u) + (c * KK + k) * wi(${VIEW(0) + 2}u) + l * wi(${VIEW(0) + 3}u))];`)}
  y[i] = acc;
}`;
  rt.dispatch(
    `col2im:${t}`,
    src,
    { read: [cols.storage], write: [out] },
    [n, ...geometryWords(g), C, cols.offset, s0, s1, s2],
    Math.ceil(n / WG),
  );
  return out;
}

function maxPool(rt: Runtime, x: Ref, g: WindowGeometry): [GpuStorage, GpuStorage] {
  wgslType(x.dtype, 'maxPool');
  const [N, C] = [x.shape[0]!, x.shape[1]!];
  const n = N * C * sizeOf(g.output);
  const values = rt.alloc(n, 'maxPool');
  const indices = rt.alloc(n, 'maxPool');
  // PyTorch's CPU loop: the first element inside starts the search; a larger value or a NaN
  // replaces it (ties keep the first maximum, the last NaN wins)
  const src =
    () => `${PRELUDE}${WINDOW_FNS}${buffer(1, 'x', 'f32')}${buffer(2, 'y', 'f32')}${buffer(3, 'arg', 'i32')}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = gid(wg, li, ${WG}u);
  if (i >= w(0u)) { return; }
  let O = output3(); let I = input3(); let K = kernel3(); let C = wi(${C_WORD}u);
  let L = O.x * O.y * O.z;
  let n = i32(i) / (C * L); let c = (i32(i) / L) % C;
  let p0 = unravel3(i32(i) % L, O) * stride3() - pad3();
  var best = -inf();
  var found = -1;
  for (var kd = 0; kd < K.x; kd++) { for (var kh = 0; kh < K.y; kh++) { for (var kw = 0; kw < K.z; kw++) {
    let p = p0 + vec3<i32>(kd, kh, kw) * dil3();
    if (!inside(p, I)) { continue; }
    let v = x[at(${VIEW(0)}u, n, c, p)];
    if (found < 0 || v > best || isnan(v)) { best = v; found = (p.x * I.y + p.y) * I.z + p.z; }
  } } }
  y[i] = best;
  arg[i] = found;
}`;
  rt.dispatch(
    'maxPool',
    src,
    { read: [x.storage], write: [values, indices] },
    [n, ...geometryWords(g), C, ...viewWords(x)],
    Math.ceil(n / WG),
  );
  return [values, indices];
}

function maxPoolGrad(rt: Runtime, grad: Ref, indices: Ref, g: WindowGeometry): GpuStorage {
  wgslType(grad.dtype, 'maxPoolGrad');
  const [N, C] = [grad.shape[0]!, grad.shape[1]!];
  const n = N * C * sizeOf(g.input);
  const out = rt.alloc(n, 'maxPoolGrad');
  const src =
    () => `${PRELUDE}${WINDOW_FNS}${buffer(1, 'g', 'f32')}${buffer(2, 'arg', 'i32')}${buffer(3, 'y', 'f32')}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = gid(wg, li, ${WG}u);
  if (i >= w(0u)) { return; }
  let I = input3(); let plane = I.x * I.y * I.z; let C = wi(${C_WORD}u);
  let n = i32(i) / (C * plane); let c = (i32(i) / plane) % C;
  let own = i32(i) % plane;
  let p = unravel3(own, I);
  var acc = 0.0;
  ${FOR_WINDOWS(`let ol = unravel3(l, O);
    if (arg[at(${VIEW(1)}u, n, c, ol)] == own) { acc = acc + g[at(${VIEW(0)}u, n, c, ol)]; }`)}
  y[i] = acc;
}`;
  rt.dispatch(
    'maxPoolGrad',
    src,
    { read: [grad.storage, indices.storage], write: [out] },
    [n, ...geometryWords(g), C, ...viewWords(grad), ...viewWords(indices)],
    Math.ceil(n / WG),
  );
  return out;
}

/** The sliding-window kernels on WebGPU, keyed by op. */
export function windowKernels(rt: Runtime): {
  im2col(x: Ref, g: WindowGeometry): GpuStorage;
  col2im(cols: Ref, g: WindowGeometry): GpuStorage;
  maxPool(x: Ref, g: WindowGeometry): [GpuStorage, GpuStorage];
  maxPoolGrad(grad: Ref, indices: Ref, g: WindowGeometry): GpuStorage;
} {
  const kernels = {
    im2col: (x: Ref, g: WindowGeometry) => im2col(rt, x, g),
    col2im: (cols: Ref, g: WindowGeometry) => col2im(rt, cols, g),
    maxPool: (x: Ref, g: WindowGeometry) => maxPool(rt, x, g),
    maxPoolGrad: (grad: Ref, indices: Ref, g: WindowGeometry) => maxPoolGrad(rt, grad, indices, g),
  };
  return kernels satisfies Record<WindowOp, unknown>;
}
