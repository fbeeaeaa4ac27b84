import { type DType, DTypeError, type TensorRef } from '@nablajs/tensor';
import type { GpuStorage } from './runtime.js';

export type Ref = TensorRef<GpuStorage>;

/** WGSL's scalar type for a dtype (WebGPU stores float32 and int32 only; bool as int32 0/1). */
export function wgslType(dtype: DType, op: string): 'f32' | 'i32' {
  if (dtype === 'float32') return 'f32';
  if (dtype === 'int32' || dtype === 'bool') return 'i32';
  throw new DTypeError(
    op,
    `the WebGPU backend has no ${dtype}`,
    'WGSL has no 64-bit floats: use float32 here, or the CPU backend for float64',
  );
}

/** Parameter words of one dispatch (its 256-byte slot of the batch's uniform buffer). */
export const PARAM_WORDS = 64;
/** The last word, which `Runtime.dispatch` sets to the workgroups per row of the grid (see `gid`);
 * a kernel's own parameters (`Params`) take the words before it. */
export const GROUPS_WORD = PARAM_WORDS - 1;
/** The parameter word that holds a flagging kernel's slot of the flags buffer (flags.ts). */
export const FLAG_WORD = GROUPS_WORD - 1;

/**
 * What every kernel starts with: the dispatch's parameter words `w(i)` (read as i32 by `wi`, as
 * float bits by `wf`; a kernel names them with `Params`), the workgroup's linear index `group_index()`
 * and the invocation's `gid()` over a grid wrapped into rows, and IEEE helpers that do not rely on
 * NaN comparisons (WGSL leaves those to the implementation).
 */
export const PRELUDE = /* wgsl */ `
@group(0) @binding(0) var<uniform> u: array<vec4<u32>, ${PARAM_WORDS / 4}>;
fn w(i: u32) -> u32 { return u[i / 4u][i % 4u]; }
fn wi(i: u32) -> i32 { return bitcast<i32>(w(i)); }
fn wf(i: u32) -> f32 { return bitcast<f32>(w(i)); }
fn group_index(wg: vec3<u32>) -> u32 { return wg.y * w(${GROUPS_WORD}u) + wg.x; }
fn gid(wg: vec3<u32>, lid: u32, size: u32) -> u32 { return group_index(wg) * size + lid; }
var<private> NAN_BITS: u32 = 0x7fc00000u;
var<private> INF_BITS: u32 = 0x7f800000u;
fn nan() -> f32 { return bitcast<f32>(NAN_BITS); }
fn inf() -> f32 { return bitcast<f32>(INF_BITS); }
fn isnan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn isinf(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }
`;

/**
 * log, sin and cos to a few float32 ulps. WGSL only promises 2^-21 absolute error for log and
 * 2^-11 for sin and cos, and software renderers (SwiftShader) are that coarse: these reduce the
 * argument exactly and evaluate short polynomials (Cephes' coefficients).
 */
export const MATH = /* wgsl */ `
fn ln(x: f32) -> f32 {
  // x = m·2^e with m in [√½, √2); log m = 2 atanh s, s = (m − 1)/(m + 1)
  let fe = frexp(x);
  var m = fe.fract * 2.0;
  var e = f32(fe.exp - 1);
  if (m > 1.41421356) { m = m * 0.5; e = e + 1.0; }
  let s = (m - 1.0) / (m + 1.0);
  let s2 = s * s;
  let p = s2 * (0.6666666666 + s2 * (0.4000000598 + s2 * (0.2857142857 + s2 * (0.2222219843 + s2 * 0.1818357216))));
  return e * 0.693145751953125 + (2.0 * s + s * p + e * 1.428606765330187e-6);
}
fn sin_poly(r: f32) -> f32 {
  let z = r * r;
  return r + r * z * (-1.6666654611e-1 + z * (8.3321608736e-3 + z * -1.9515295891e-4));
}
fn cos_poly(r: f32) -> f32 {
  let z = r * r;
  return 1.0 - 0.5 * z + z * z * (4.166664568298827e-2 + z * (-1.388731625493765e-3 + z * 2.443315711809948e-5));
}
/** sin(x) for shift 0, cos(x) for shift 1: x = j·π/2 + r in three exact parts, then a quadrant. */
fn sincos(x: f32, shift: u32) -> f32 {
  let j = round(x * 0.6366197723675814);
  let r = ((x - j * 1.5703125) - j * 4.837512969970703125e-4) - j * 7.54978995489188216e-8;
  let q = (u32(i32(j) & 3) + shift) & 3u;
  let v = select(sin_poly(r), cos_poly(r), (q & 1u) == 1u);
  return select(v, -v, q >= 2u);
}
`;

/** Declares storage binding `b` (1-based after the params) as an array of `type`. Every binding is
 * read_write, inputs too: small tensors share slab buffers, and WebGPU forbids one buffer bound
 * read-only and writable in the same dispatch (see `Runtime.alloc`). */
export function buffer(b: number, name: string, type: string): string {
  return `@group(0) @binding(${b}) var<storage, read_write> ${name}: array<${type}>;\n`;
}

/**
 * Strided views in parameter words. A layout of rank r takes r shape words and, per view, an
 * offset and r strides; `indexCode` turns the linear id `i` of a row-major walk into each view's
 * element index. Axes are coalesced first (`coalesce`), so dense views cost one multiply.
 */
export interface Layout {
  shape: number[];
  /** Per view: [offset, ...strides]. */
  views: number[][];
}

/** Merges axes that every view walks contiguously, and drops size-1 axes. */
export function coalesce(shape: readonly number[], views: readonly Ref[]): Layout {
  const dims: number[] = [];
  const strides: number[][] = views.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d]!;
    if (n === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && views.every((v, j) => strides[j]![last] === v.strides[d]! * n)) {
      dims[last]! *= n;
      views.forEach((v, j) => (strides[j]![last] = v.strides[d]!));
    } else {
      dims.push(n);
      views.forEach((v, j) => strides[j]!.push(v.strides[d]!));
    }
  }
  return { shape: dims, views: views.map((v, j) => [v.offset, ...strides[j]!]) };
}

/** Parameter words of a layout: the shape, then each view's offset and strides. */
export function layoutWords(l: Layout): number[] {
  return [...l.shape, ...l.views.flat()];
}

/**
 * WGSL that sets `let <name_j>: u32` to view j's element index for the linear id in `idVar`,
 * for a layout of `rank` axes whose words start at `base` (see `layoutWords`).
 */
export function indexCode(
  rank: number,
  nViews: number,
  base: number,
  names: string[],
  idVar: string,
): string {
  let code = `var rem_${names[0]} = ${idVar};\n`;
  const c: string[] = [];
  for (let d = rank - 1; d >= 0; d--) {
    if (d === 0) code += `let c${d}_${names[0]} = rem_${names[0]};\n`;
    else
      code += `let c${d}_${names[0]} = rem_${names[0]} % w(${base + d}u); rem_${names[0]} = rem_${names[0]} / w(${base + d}u);\n`;
    c[d] = `c${d}_${names[0]}`;
  }
  for (let j = 0; j < nViews; j++) {
    const v = base + rank + j * (rank + 1);
    let e = `wi(${v}u)`;
    for (let d = 0; d < rank; d++) e += ` + i32(${c[d]}) * wi(${v + 1 + d}u)`;
    code += `let ${names[j]} = u32(${e});\n`;
  }
  return code;
}

/** A float's bits as a parameter word. */
const f32bits = new Float32Array(1);
const u32bits = new Uint32Array(f32bits.buffer);
export function fbits(x: number): number {
  f32bits[0] = x;
  return u32bits[0]!;
}

/** Declares the flags buffer at binding `b` (bound last by `Runtime.dispatch` for a kernel that
 * can flag; see flags.ts). */
export const flagsBuffer = (b: number): string => buffer(b, 'flags', 'i32');
