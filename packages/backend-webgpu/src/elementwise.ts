import {
  type BinaryForms,
  type BinaryOp,
  type DType,
  type UnaryForms,
  type UnaryOp,
  binaryResultDType,
  contiguousStrides,
  formFor,
  isContiguous,
  sizeOf,
} from '@nablajs/tensor';
import { Params, strided } from './params.js';
import type { GpuStorage, Runtime } from './runtime.js';
import { WG } from './runtime.js';
import { MATH, PRELUDE, type Ref, buffer, coalesce, wgslType } from './wgsl.js';

/** Float helpers the unary and binary tables call (IEEE edge cases spelled out, since WGSL leaves
 * NaN, infinities and negative bases to the implementation). */
const FLOAT_FNS = /* wgsl */ `
fn sign_f(x: f32) -> f32 { return select(select(x, -1.0, x < 0.0), 1.0, x > 0.0); }
fn sqrt_f(x: f32) -> f32 { return select(sqrt(x), nan(), x < 0.0); }
fn log_f(x: f32) -> f32 {
  if (isnan(x) || x < 0.0) { return nan(); }
  if (x == 0.0) { return -inf(); }
  if (isinf(x)) { return x; }
  return ln(x);
}
fn exp_f(x: f32) -> f32 {
  if (isnan(x)) { return x; }
  if (x > 88.73) { return inf(); }
  if (x < -104.0) { return 0.0; }
  return exp(x);
}
fn sigmoid_f(x: f32) -> f32 {
  if (isnan(x)) { return x; }
  if (x >= 0.0) { return 1.0 / (1.0 + exp_f(-x)); }
  let e = exp_f(x);
  return e / (1.0 + e);
}
fn tanh_f(x: f32) -> f32 {
  if (isnan(x)) { return x; }
  if (abs(x) > 10.0) { return sign(x); }
  if (abs(x) < 0.0004) { return x; } // tanh x = x − x³/3: below float32's ulp here
  return tanh(x);
}
fn trig_ok(x: f32) -> bool { return !(isnan(x) || isinf(x)); }
fn log1p_f(x: f32) -> f32 {
  if (isnan(x) || x == inf()) { return x; }
  if (x < -1.0) { return nan(); }
  if (x == -1.0) { return -inf(); }
  let u = 1.0 + x;
  if (u == 1.0) { return x; }
  return ln(u) * (x / (u - 1.0)); // Kahan: the rounding of 1 + x cancels
}
fn expm1_f(x: f32) -> f32 {
  if (isnan(x)) { return x; }
  if (x > 88.73) { return inf(); }
  if (x < -20.0) { return -1.0; }
  let u = exp(x);
  if (u == 1.0) { return x; }
  let um1 = u - 1.0;
  if (um1 == -1.0) { return -1.0; }
  return um1 * (x / ln(u)); // Kahan: the rounding of exp(x) cancels
}
fn odd_f(b: f32) -> bool { return b == floor(b) && abs(b) < 16777216.0 && (i32(b) & 1) == 1; }
fn pow_f(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (isnan(a) || isnan(b)) { return nan(); }
  if (isinf(b)) {
    let m = abs(a);
    if (m == 1.0) { return nan(); } // JavaScript's Math.pow; IEEE says 1
    return select(0.0, inf(), (m > 1.0) == (b > 0.0));
  }
  let neg = bitcast<u32>(a) >= 0x80000000u; // includes −0
  if (a == 0.0 || isinf(a)) {
    let big = (a == 0.0) == (b < 0.0); // 0^negative and inf^positive are infinite
    let r = select(0.0, inf(), big);
    return select(r, -r, neg && odd_f(b));
  }
  if (a < 0.0) {
    if (b != floor(b)) { return nan(); }
    let r = exp2(b * log2(-a));
    return select(r, -r, odd_f(b));
  }
  return exp2(b * log2(a));
}
fn pow_i(a: i32, b: i32) -> i32 {
  if (b < 0) { return select(select(0, select(1, -1, (b & 1) == 1), a == -1), 1, a == 1); }
  var r = 1; var x = a; var e = b;
  loop {
    if (e == 0) { break; }
    if ((e & 1) == 1) { r = r * x; }
    x = x * x; e = e >> 1u;
  }
  return r;
}
fn max_f(a: f32, b: f32) -> f32 { if (isnan(a) || isnan(b)) { return nan(); } return select(b, a, a > b); }
fn min_f(a: f32, b: f32) -> f32 { if (isnan(a) || isnan(b)) { return nan(); } return select(b, a, a < b); }
`;

/** Each unary op as a WGSL expression of `x`: the float form, and the int32 form exactly where the
 * op takes int32 (the float-only ops arrive cast to float32). */
export const UNARY_WGSL: UnaryForms<string> = {
  neg: { f: '-x', i: '-x' },
  exp: { f: 'exp_f(x)' },
  log: { f: 'log_f(x)' },
  sqrt: { f: 'sqrt_f(x)' },
  abs: { f: 'abs(x)', i: 'abs(x)' },
  sign: { f: 'sign_f(x)', i: 'sign(x)' },
  sigmoid: { f: 'sigmoid_f(x)' },
  tanh: { f: 'tanh_f(x)' },
  relu: { f: 'select(select(0.0, x, isnan(x)), x, x > 0.0)', i: 'max(x, 0)' },
  step: { f: 'select(select(0.0, x, isnan(x)), 1.0, x > 0.0)', i: 'select(0, 1, x > 0)' },
  reciprocal: { f: '1.0 / x' },
  square: { f: 'x * x', i: 'x * x' },
  sin: { f: 'select(nan(), sincos(x, 0u), trig_ok(x))' },
  cos: { f: 'select(nan(), sincos(x, 1u), trig_ok(x))' },
  floor: { f: 'floor(x)', i: 'x' },
  ceil: { f: 'ceil(x)', i: 'x' },
  log1p: { f: 'log1p_f(x)' },
  expm1: { f: 'expm1_f(x)' },
  softsign: { f: 'select(x / (1.0 + abs(x)), nan(), isinf(x))' },
};

/** Each binary op as a WGSL expression of `a` and `b`; comparisons give an i32 0/1. */
export const BINARY_WGSL: BinaryForms<string> = {
  add: { f: 'a + b', i: 'a + b' },
  sub: { f: 'a - b', i: 'a - b' },
  mul: { f: 'a * b', i: 'a * b' },
  div: { f: 'a / b' },
  pow: { f: 'pow_f(a, b)', i: 'pow_i(a, b)' },
  maximum: { f: 'max_f(a, b)', i: 'max(a, b)' },
  minimum: { f: 'min_f(a, b)', i: 'min(a, b)' },
  eq: { f: 'i32(a == b)', i: 'i32(a == b)' },
  ne: { f: 'i32(!(a == b))', i: 'i32(a != b)' },
  lt: { f: 'i32(a < b)', i: 'i32(a < b)' },
  le: { f: 'i32(a <= b)', i: 'i32(a <= b)' },
  gt: { f: 'i32(a > b)', i: 'i32(a > b)' },
  ge: { f: 'i32(a >= b)', i: 'i32(a >= b)' },
};

/** The parameters of an elementwise map: the element count, then the views' strided layout. */
const mapParams = (rank: number, views: number) =>
  new Params({ n: 'u32', layout: strided(rank, views) });

/**
 * One kernel for every elementwise map: inputs are strided views (read with `indexCode`), the
 * output is written row-major, or through a strided view when `stridedOut` (copy, concat).
 * `expr` computes `y` from the loaded values `v0…`.
 */
function mapKernel(
  rank: number,
  inTypes: readonly string[],
  outType: string,
  expr: string,
  stridedOut: boolean,
): () => string {
  return () => {
    const n = inTypes.length;
    const names = inTypes.map((_, j) => `i${j}`);
    if (stridedOut) names.push('io');
    const P = mapParams(rank, names.length);
    let src = PRELUDE + MATH + FLOAT_FNS;
    inTypes.forEach((t, j) => (src += buffer(j + 1, `x${j}`, t)));
    src += buffer(n + 1, 'y', outType);
    src += `@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = gid(wg, li, ${WG}u);
  if (i >= ${P.get('n')}) { return; }
  ${P.index('layout', names, 'i')}
  ${inTypes.map((_, j) => `let v${j} = x${j}[i${j}];`).join(' ')}
  ${ALIASES[inTypes.length] ?? ''}
  ${stridedOut ? 'y[io]' : 'y[i]'} = ${expr};
}`;
    return src;
  };
}

/** Runs an elementwise map over `shape` and returns its new row-major storage (or writes `dst`). */
export function map(
  rt: Runtime,
  name: string,
  inputs: readonly Ref[],
  outDtype: DType,
  shape: readonly number[],
  expr: string,
  dst?: Ref,
): GpuStorage {
  const n = sizeOf(shape);
  const out = dst?.storage ?? rt.alloc(n, name);
  const views = dst ? [...inputs, dst] : inputs;
  const l = coalesce(shape, views);
  const inTypes = inputs.map((x) => wgslType(x.dtype, name));
  const outType = wgslType(outDtype, name);
  const key = `map:${expr}:${inTypes.join(',')}>${outType}:r${l.shape.length}${dst ? ':so' : ''}`;
  rt.dispatch(
    key,
    mapKernel(l.shape.length, inTypes, outType, expr, !!dst),
    { read: inputs.map((x) => x.storage), write: [out] },
    mapParams(l.shape.length, views.length).pack({ n, layout: l }),
    Math.ceil(n / WG),
  );
  return out;
}

/** The names the unary (`x`) and binary (`a`, `b`) tables use for the loaded values. */
const ALIASES: Record<number, string> = { 1: 'let x = v0;', 2: 'let a = v0; let b = v1;' };

export function unary(rt: Runtime, op: UnaryOp, x: Ref): GpuStorage {
  return map(rt, op, [x], x.dtype, x.shape, formFor(op, UNARY_WGSL[op], x.dtype));
}

export function binary(rt: Runtime, op: BinaryOp, a: Ref, b: Ref): GpuStorage {
  const e = formFor(op, BINARY_WGSL[op], a.dtype);
  return map(rt, op, [a, b], binaryResultDType(op, a.dtype), a.shape, e);
}

export function where(rt: Runtime, c: Ref, a: Ref, b: Ref): GpuStorage {
  return map(rt, 'where', [c, a, b], a.dtype, a.shape, 'select(v2, v1, v0 != 0)');
}

export function cast(rt: Runtime, x: Ref, dtype: DType): GpuStorage {
  const t = wgslType(dtype, 'cast');
  return map(rt, 'cast', [x], dtype, x.shape, `${t}(v0)`);
}

/** Writes `src` into the view `dst` (copy, and each part of concat). */
export function copyInto(rt: Runtime, src: Ref, dst: Ref, op = 'copy'): void {
  map(rt, op, [src], dst.dtype, src.shape, 'v0', dst);
}

/** A row-major copy of a view (what reads and kernels that want dense input use). */
export function dense(rt: Runtime, x: Ref): Ref {
  const storage = map(rt, 'contiguous', [x], x.dtype, x.shape, 'v0');
  return {
    storage,
    dtype: x.dtype,
    shape: x.shape,
    strides: contiguousStrides(x.shape),
    offset: 0,
  };
}

/** Whether a view is row-major from its offset (it can be read or bound as it is). */
export const isDense = (x: Ref): boolean => isContiguous(x.shape, x.strides);

/** `fill`'s parameters: the element count and the value's bits. */
const FILL_PARAMS = new Params({ n: 'u32', bits: 'u32' });

/** New storage of `n` elements, all `bits` (a float32 or int32 bit pattern). */
export function fill(rt: Runtime, dtype: DType, n: number, bits: number): GpuStorage {
  const t = wgslType(dtype, 'zeros');
  const out = rt.alloc(n, 'zeros');
  const params = FILL_PARAMS.pack({ n, bits });
  rt.dispatch(`fill:${t}`, fillKernel(t), { read: [], write: [out] }, params, Math.ceil(n / WG));
  return out;
}

function fillKernel(t: string): () => string {
  return () => `${PRELUDE}${buffer(1, 'y', t)}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = gid(wg, li, ${WG}u);
  if (i < ${FILL_PARAMS.get('n')}) { y[i] = bitcast<${t}>(${FILL_PARAMS.get('bits')}); }
}`;
}
