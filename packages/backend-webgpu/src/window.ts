import { type WindowGeometry, type WindowOp, sizeOf } from '@nablajs/tensor';
import { Params, type Words, words } from './params.js';
import { type GpuStorage, type Runtime, WG } from './runtime.js';
import { PRELUDE, type Ref, buffer, wgslType } from './wgsl.js';

// The sliding-window kernels: one thread per output element, each written once, so there are no
// atomics and the sums run in a fixed order. col2im and maxPoolGrad gather: each input position
// visits the windows that contain it (o·stride − padding + j·dilation = position). 1-d and 2-d
// windows run as 3-d ones with leading unit axes.

const TRIPLES = ['input', 'output', 'kernel', 'stride', 'padding', 'dilation'] as const;
type Triple = (typeof TRIPLES)[number];

/** The parameters every window kernel takes: the thread count, the geometry as six triples (depth,
 * height, width), the channels, then per view an offset and the strides of N, C and the three
 * spatial axes. */
function params<V extends string>(...views: V[]) {
  const fields = {
    n: 'u32' as const,
    C: 'i32' as const,
    ...(Object.fromEntries(TRIPLES.map((t) => [t, words('i32', 3)])) as Record<Triple, Words>),
    ...(Object.fromEntries(views.map((v) => [v, words('i32', 6)])) as Record<V, Words>),
  };
  return new Params(fields);
}

/** The geometry's triples, unit axes in front. */
function geometry(g: WindowGeometry): Record<Triple, number[]> {
  const three = (v: readonly number[], unit: number) => [
    ...new Array<number>(3 - v.length).fill(unit),
    ...v,
  ];
  return {
    input: three(g.input, 1),
    output: three(g.output, 1),
    kernel: three(g.kernel, 1),
    stride: three(g.stride, 1),
    padding: three(g.padding, 0),
    dilation: three(g.dilation, 1),
  };
}

/** A view's words: offset, then the strides of N, C and the three spatial axes (0 for unit ones). */
function view(x: Ref): number[] {
  const s = x.strides.slice(2);
  return [x.offset, x.strides[0]!, x.strides[1]!, ...new Array<number>(3 - s.length).fill(0), ...s];
}

/** WGSL helpers over the parameters: the geometry's triples as vec3s, and for each view the
 * function `<view>At(n, c, p)` giving its element index at (n, c, depth, height, width). */
function helpers<V extends string>(P: ReturnType<typeof params<V>>, views: V[]): string {
  const vec = (t: Triple) => `vec3<i32>(${P.get(t, 0)}, ${P.get(t, 1)}, ${P.get(t, 2)})`;
  const triples = TRIPLES.map((t) => `fn ${t}3() -> vec3<i32> { return ${vec(t)}; }`).join('\n');
  const at = views
    .map(
      (v) =>
        `fn ${v}At(n: i32, c: i32, p: vec3<i32>) -> u32 { return u32(${P.get(v, 0)} + n * ${P.get(v, 1)} + c * ${P.get(v, 2)} + p.x * ${P.get(v, 3)} + p.y * ${P.get(v, 4)} + p.z * ${P.get(v, 5)}); }`,
    )
    .join('\n');
  return `${triples}
${at}
fn unravel3(i: i32, s: vec3<i32>) -> vec3<i32> { return vec3<i32>(i / (s.y * s.z), (i / s.z) % s.y, i % s.z); }
fn inside(p: vec3<i32>, n: vec3<i32>) -> bool { return all(p >= vec3<i32>(0)) && all(p < n); }
`;
}

/** The body shared by col2im and maxPoolGrad: for each window holding input position `p` (of
 * plane (n, c)), with its kernel offset `kk` and flat window index `l`, runs `visit`. */
const FOR_WINDOWS = (visit: string) => `
  let K = kernel3(); let S = stride3(); let P = padding3(); let D = dilation3(); let O = output3();
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

const HEAD = `@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = gid(wg, li, ${WG}u);`;

function im2col(rt: Runtime, x: Ref, g: WindowGeometry): GpuStorage {
  const t = wgslType(x.dtype, 'im2col');
  const [N, C] = [x.shape[0]!, x.shape[1]!];
  const [K, L] = [sizeOf(g.kernel), sizeOf(g.output)];
  const n = N * C * K * L;
  const out = rt.alloc(n, 'im2col');
  const P = params('x');
  const src = () => `${PRELUDE}${helpers(P, ['x'])}${buffer(1, 'x', t)}${buffer(2, 'y', t)}
${HEAD}
  ${P.lets('n', 'C')}
  if (i >= n) { return; }
  let K = kernel3(); let O = output3();
  let L = O.x * O.y * O.z; let KK = K.x * K.y * K.z;
  let l = i32(i % u32(L)); let r = i32((i / u32(L)) % u32(C * KK)); let b = i32(i / u32(L * C * KK));
  let p = unravel3(l, O) * stride3() - padding3() + unravel3(r % KK, K) * dilation3();
  var v = ${t}(0);
  if (inside(p, input3())) { v = x[xAt(b, r / KK, p)]; }
  y[i] = v;
}`;
  rt.dispatch(
    `im2col:${t}`,
    src,
    { read: [x.storage], write: [out] },
    P.pack({ n, C, ...geometry(g), x: view(x) }),
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
  // the columns [N, C·K, L]: offset, then the strides of n, of the row c·K + k, and of l
  const P = params('cols');
  const [s0, s1, s2] = cols.strides as [number, number, number];
  const at = (e: string) => `u32(${P.get('cols', 0)} + b * ${P.get('cols', 1)} + (c * KK + k) * ${P.get('cols', 2)} + ${e} * ${P.get('cols', 3)})`; // prettier-ignore
  const src = () => `${PRELUDE}${helpers<'cols'>(P, [])}${buffer(1, 'cols', t)}${buffer(2, 'y', t)}
${HEAD}
  ${P.lets('n', 'C')}
  if (i >= n) { return; }
  let I = input3(); let plane = I.x * I.y * I.z;
  let b = i32(i) / (C * plane); let c = (i32(i) / plane) % C;
  let p = unravel3(i32(i) % plane, I);
  let KK = kernel3().x * kernel3().y * kernel3().z;
  var acc = ${t}(0);
  ${FOR_WINDOWS(`acc = acc + cols[${at('l')}];`)}
  y[i] = acc;
}`;
  rt.dispatch(
    `col2im:${t}`,
    src,
    { read: [cols.storage], write: [out] },
    P.pack({ n, C, ...geometry(g), cols: [cols.offset, s0, s1, s2] }),
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
  const P = params('x');
  // PyTorch's CPU loop: the first element inside starts the search; a larger value or a NaN
  // replaces it (ties keep the first maximum, the last NaN wins)
  const src =
    () => `${PRELUDE}${helpers(P, ['x'])}${buffer(1, 'x', 'f32')}${buffer(2, 'y', 'f32')}${buffer(3, 'arg', 'i32')}
${HEAD}
  ${P.lets('n', 'C')}
  if (i >= n) { return; }
  let O = output3(); let I = input3(); let K = kernel3();
  let L = O.x * O.y * O.z;
  let b = i32(i) / (C * L); let c = (i32(i) / L) % C;
  let p0 = unravel3(i32(i) % L, O) * stride3() - padding3();
  var best = -inf();
  var found = -1;
  for (var kd = 0; kd < K.x; kd++) { for (var kh = 0; kh < K.y; kh++) { for (var kw = 0; kw < K.z; kw++) {
    let p = p0 + vec3<i32>(kd, kh, kw) * dilation3();
    if (!inside(p, I)) { continue; }
    let v = x[xAt(b, c, p)];
    if (found < 0 || v > best || isnan(v)) { best = v; found = (p.x * I.y + p.y) * I.z + p.z; }
  } } }
  y[i] = best;
  arg[i] = found;
}`;
  rt.dispatch(
    'maxPool',
    src,
    { read: [x.storage], write: [values, indices] },
    P.pack({ n, C, ...geometry(g), x: view(x) }),
    Math.ceil(n / WG),
  );
  return [values, indices];
}

function maxPoolGrad(rt: Runtime, grad: Ref, indices: Ref, g: WindowGeometry): GpuStorage {
  wgslType(grad.dtype, 'maxPoolGrad');
  const [N, C] = [grad.shape[0]!, grad.shape[1]!];
  const n = N * C * sizeOf(g.input);
  const out = rt.alloc(n, 'maxPoolGrad');
  const P = params('grad', 'indices');
  const src =
    () => `${PRELUDE}${helpers(P, ['grad', 'indices'])}${buffer(1, 'g', 'f32')}${buffer(2, 'arg', 'i32')}${buffer(3, 'y', 'f32')}
${HEAD}
  ${P.lets('n', 'C')}
  if (i >= n) { return; }
  let I = input3(); let plane = I.x * I.y * I.z;
  let b = i32(i) / (C * plane); let c = (i32(i) / plane) % C;
  let own = i32(i) % plane;
  let p = unravel3(own, I);
  var acc = 0.0;
  ${FOR_WINDOWS(`let ol = unravel3(l, O);
    if (arg[indicesAt(b, c, ol)] == own) { acc = acc + g[gradAt(b, c, ol)]; }`)}
  y[i] = acc;
}`;
  rt.dispatch(
    'maxPoolGrad',
    src,
    { read: [grad.storage, indices.storage], write: [out] },
    P.pack({ n, C, ...geometry(g), grad: view(grad), indices: view(indices) }),
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
