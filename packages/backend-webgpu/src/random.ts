import type { DType, RandomDist } from '@nablajs/tensor';
import { Params } from './params.js';
import { type GpuStorage, type Runtime, WG } from './runtime.js';
import { MATH, PRELUDE, buffer, wgslType } from './wgsl.js';

/** The parameters of a fill: its size, the seed's and the offset's low and high words. */
const P = new Params({ n: 'u32', seedLo: 'u32', seedHi: 'u32', offsetLo: 'u32', offsetHi: 'u32' });

/** Philox 4x32-10 in WGSL, the stream `philox.ts` documents: one thread per counter (4 outputs).
 * WGSL has no 64-bit integers, so the high half of a 32×32 product is built from 16-bit halves. */
const PHILOX = /* wgsl */ `
fn mulhi(a: u32, b: u32) -> u32 {
  let aL = a & 0xffffu; let aH = a >> 16u; let bL = b & 0xffffu; let bH = b >> 16u;
  let t = aH * bL + ((aL * bL) >> 16u);
  let w1 = (t & 0xffffu) + aL * bH;
  return aH * bH + (t >> 16u) + (w1 >> 16u);
}
fn philox(c_in: vec4<u32>, k_in: vec2<u32>) -> vec4<u32> {
  var c = c_in; var k = k_in;
  for (var round = 0u; round < 10u; round = round + 1u) {
    if (round > 0u) { k = k + vec2<u32>(0x9e3779b9u, 0xbb67ae85u); }
    let hi0 = mulhi(0xd2511f53u, c.x); let lo0 = 0xd2511f53u * c.x;
    let hi1 = mulhi(0xcd9e8d57u, c.z); let lo1 = 0xcd9e8d57u * c.z;
    c = vec4<u32>(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0);
  }
  return c;
}
`;

function kernel(dist: RandomDist): () => string {
  const body =
    dist === 'uniform'
      ? `for (var j = 0u; j < 4u; j = j + 1u) { if (base + j < n) { y[base + j] = f32(r[j] >> 8u) * 5.9604644775390625e-8; } }`
      : `for (var p = 0u; p < 4u; p = p + 2u) {
      let u1 = f32((r[p] >> 8u) + 1u) * 5.9604644775390625e-8;
      let u2 = f32(r[p + 1u] >> 8u) * 5.9604644775390625e-8;
      let rad = sqrt(-2.0 * ln(u1));
      let th = 6.283185307179586 * u2;
      if (base + p < n) { y[base + p] = rad * sincos(th, 1u); }
      if (base + p + 1u < n) { y[base + p + 1u] = rad * sincos(th, 0u); }
    }`;
  return () => `${PRELUDE}${MATH}${PHILOX}${buffer(1, 'y', 'f32')}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let b = gid(wg, li, ${WG}u);
  ${P.lets('n', 'seedLo', 'seedHi', 'offsetLo', 'offsetHi')}
  let base = b * 4u;
  if (base >= n) { return; }
  let lo = offsetLo + b;
  let hi = offsetHi + select(0u, 1u, lo < b); // the 64-bit counter's carry
  let r = philox(vec4<u32>(lo, hi, 0u, 0u), vec2<u32>(seedLo, seedHi));
  ${body}
}`;
}

/** `size` numbers from the Philox stream keyed by (seed, offset), as on the CPU. */
export function random(
  rt: Runtime,
  dist: RandomDist,
  dtype: DType,
  size: number,
  seed: number,
  offset: number,
): GpuStorage {
  wgslType(dtype, 'random');
  const out = rt.alloc(size, 'random');
  const blocks = Math.ceil(size / 4);
  rt.dispatch(
    `random:${dist}`,
    kernel(dist),
    { read: [], write: [out] },
    P.pack({
      n: size,
      seedLo: seed >>> 0,
      seedHi: Math.floor(seed / 2 ** 32) >>> 0,
      offsetLo: offset >>> 0,
      offsetHi: Math.floor(offset / 2 ** 32) >>> 0,
    }),
    Math.ceil(blocks / WG),
  );
  return out;
}
