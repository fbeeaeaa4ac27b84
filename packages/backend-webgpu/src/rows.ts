import type { FusedKernels } from '@nablajs/tensor';
import { Params } from './params.js';
import { type GpuStorage, type Runtime, WG } from './runtime.js';
import { MATH, PRELUDE, type Ref, buffer, wgslType } from './wgsl.js';

/** The parameters of a row kernel over dense [N, C] views: sizes, offsets, eps. */
const ROW_PARAMS = new Params({ N: 'u32', C: 'u32', xOffset: 'u32', gOffset: 'u32', eps: 'f32' });

type RowOp = 'softmax' | 'softmaxGrad' | 'layerNorm' | 'layerNormGrad';

// One thread per row, reading the row a few times (the CPU's loops, rows.ts there). Rows of
// attention scores or of a model's features are short enough that a thread per row keeps a GPU busy.
const BODIES: Record<RowOp, string> = {
  softmax: `
  var m = -inf();
  var bad = false; // WGSL's max() may drop a NaN: a NaN makes its row NaN, as on the CPU
  for (var c = 0u; c < C; c = c + 1u) { let v = x[a + c]; bad = bad || isnan(v); m = max(m, v); }
  if (bad || m == -inf()) {
    let fillv = select(0.0, nan(), bad); // a row of −∞ (nothing to attend to) gives zeros
    for (var c = 0u; c < C; c = c + 1u) { y[o + c] = fillv; }
    return;
  }
  var z = 0.0;
  for (var c = 0u; c < C; c = c + 1u) { let e = exp(x[a + c] - m); y[o + c] = e; z = z + e; }
  let r = 1.0 / z;
  for (var c = 0u; c < C; c = c + 1u) { y[o + c] = y[o + c] * r; }`,
  softmaxGrad: `
  var s = 0.0;
  for (var c = 0u; c < C; c = c + 1u) { s = s + g[b + c] * x[a + c]; }
  for (var c = 0u; c < C; c = c + 1u) { y[o + c] = x[a + c] * (g[b + c] - s); }`,
  layerNorm: `
  let st = stats(a, C, eps);
  for (var c = 0u; c < C; c = c + 1u) { y[o + c] = (x[a + c] - st.x) * st.y; }`,
  layerNormGrad: `
  let st = stats(a, C, eps);
  var sg = 0.0;
  var sgx = 0.0;
  for (var c = 0u; c < C; c = c + 1u) { let gc = g[b + c]; sg = sg + gc; sgx = sgx + gc * (x[a + c] - st.x) * st.y; }
  let mg = sg / f32(C);
  let mgx = sgx / f32(C);
  for (var c = 0u; c < C; c = c + 1u) { y[o + c] = st.y * (g[b + c] - mg - (x[a + c] - st.x) * st.y * mgx); }`,
};

/** A row's mean and 1/√(biased variance + eps), from the deviations (two passes). */
const STATS = `
fn stats(a: u32, C: u32, eps: f32) -> vec2<f32> {
  var s = 0.0;
  for (var c = 0u; c < C; c = c + 1u) { s = s + x[a + c]; }
  let mean = s / f32(C);
  var v = 0.0;
  for (var c = 0u; c < C; c = c + 1u) { let d = x[a + c] - mean; v = v + d * d; }
  return vec2<f32>(mean, inverseSqrt(v / f32(C) + eps));
}`;

function rowKernel(rt: Runtime, op: RowOp, x: Ref, g: Ref | null, eps: number): GpuStorage {
  const [N, C] = x.shape as [number, number];
  const out = rt.alloc(N * C, op);
  const t = wgslType(x.dtype, op);
  const P = ROW_PARAMS;
  const src =
    () => `${PRELUDE}${MATH}${buffer(1, 'x', t)}${g ? buffer(2, 'g', t) : ''}${buffer(g ? 3 : 2, 'y', t)}
${op.startsWith('layerNorm') ? STATS : ''}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = gid(wg, li, ${WG}u);
  ${P.lets('N', 'C', 'xOffset', 'gOffset', 'eps')}
  if (i >= N) { return; }
  let a = xOffset + i * C;
  let b = gOffset + i * C;
  let o = i * C;
  ${BODIES[op]}
}`;
  rt.dispatch(
    `rows:${op}:${t}`,
    src,
    { read: g ? [x.storage, g.storage] : [x.storage], write: [out] },
    P.pack({ N, C, xOffset: x.offset, gOffset: g?.offset ?? 0, eps }),
    Math.ceil(N / WG),
  );
  return out;
}

/** softmax, softmaxGrad, layerNorm and layerNormGrad of `FusedKernels`, on WebGPU. */
export function rowKernels(rt: Runtime): Pick<Required<FusedKernels<GpuStorage>>, RowOp> {
  return {
    softmax: (x) => rowKernel(rt, 'softmax', x, null, 0),
    softmaxGrad: (y, g) => rowKernel(rt, 'softmaxGrad', y, g, 0),
    layerNorm: (x, eps) => rowKernel(rt, 'layerNorm', x, null, eps),
    layerNormGrad: (x, g, eps) => rowKernel(rt, 'layerNormGrad', x, g, eps),
  };
}
