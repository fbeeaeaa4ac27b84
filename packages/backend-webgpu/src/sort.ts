import { type ScanOp, contiguousStrides, sizeOf } from '@nablajs/tensor';
import { Params, strided } from './params.js';
import { type GpuStorage, type Runtime, WG } from './runtime.js';
import { flagCode } from './flags.js';
import { PRELUDE, type Ref, buffer, coalesce, flagsBuffer, wgslType } from './wgsl.js';

/**
 * The lines of `x` along `axis`: the layout of their first elements in x and in a row-major
 * output (the other axes, coalesced), the line length and the strides along it.
 */
function lines(x: Ref, axis: number) {
  const out = contiguousStrides(x.shape);
  const others = x.shape.map((_, i) => i).filter((i) => i !== axis);
  const shape = others.map((i) => x.shape[i]!);
  const view = (offset: number, strides: readonly number[]): Ref => ({
    ...x,
    offset,
    shape,
    strides: others.map((i) => strides[i]!),
  });
  return {
    layout: coalesce(shape, [view(x.offset, x.strides), view(0, out)]),
    count: sizeOf(shape),
    len: x.shape[axis]!,
    xs: x.strides[axis]!,
    os: out[axis]!,
  };
}

const lineParams = (rank: number) =>
  new Params({ n: 'u32', len: 'u32', xs: 'i32', os: 'i32', layout: strided(rank, 2) });

/**
 * The running sum or product along `axis`, one thread per line, in order (the CPU's order too). An
 * int32 cumsum counts its wraps, as `sum` does, and flags a result that does not fit.
 */
export function scan(rt: Runtime, op: ScanOp, x: Ref, axis: number): GpuStorage {
  const t = wgslType(x.dtype, op);
  const out = rt.alloc(sizeOf(x.shape), op);
  const l = lines(x, axis);
  const rank = l.layout.shape.length;
  const P = lineParams(rank);
  const exact = t === 'i32';
  const step =
    op === 'cumsum'
      ? exact
        ? 'let s = acc + v; if ((v > 0 && s < acc) || (v < 0 && s > acc)) { wrapped = true; } acc = s;'
        : 'acc = acc + v;'
      : 'acc = acc * v;';
  const src =
    () => `${PRELUDE}${buffer(1, 'x', t)}${buffer(2, 'y', t)}${exact ? flagsBuffer(3) : ''}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let k = gid(wg, li, ${WG}u);
  ${P.lets('n', 'len', 'xs', 'os')}
  if (k >= n) { return; }
  ${P.index('layout', ['bx', 'bo'], 'k')}
  var acc = ${t}(${op === 'cumsum' ? 0 : 1});
  var wrapped = false;
  for (var i = 0u; i < len; i = i + 1u) {
    let v = x[u32(i32(bx) + i32(i) * xs)];
    ${step}
    y[u32(i32(bo) + i32(i) * os)] = acc;
  }
  ${exact ? `if (wrapped) ${flagCode('0', '0')}` : ''}
}`;
  rt.dispatch(
    `scan:${op}:${t}:${rank}`,
    src,
    { read: [x.storage], write: [out] },
    P.pack({ n: l.count, len: l.len, xs: l.xs, os: l.os, layout: l.layout }),
    Math.ceil(l.count / WG),
    exact ? { op, axis, overflow: true } : undefined,
  );
  return out;
}

/**
 * Stable sort positions along `axis`, one thread per element: its rank in its line is the number of
 * elements that sort before it (strictly, or equal and earlier), and it writes its own position
 * there. O(len²) per line, fully parallel. NaN sorts after every number (first, descending).
 */
export function argsort(rt: Runtime, x: Ref, axis: number, descending: boolean): GpuStorage {
  const t = wgslType(x.dtype, 'argsort');
  const out = rt.alloc(sizeOf(x.shape), 'argsort');
  const l = lines(x, axis);
  const rank = l.layout.shape.length;
  const P = lineParams(rank);
  const nan = (v: string) => (t === 'f32' ? `isnan(${v})` : 'false');
  const [p, q] = descending ? ['b', 'a'] : ['a', 'b'];
  const src = () => `${PRELUDE}${buffer(1, 'x', t)}${buffer(2, 'y', 'i32')}
fn before(a: ${t}, b: ${t}) -> bool {
  if (${nan(p)}) { return false; }
  if (${nan(q)}) { return true; }
  return ${p} < ${q};
}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let e = gid(wg, li, ${WG}u);
  ${P.lets('n', 'len', 'xs', 'os')}
  if (e >= n * len) { return; }
  let k = e / len;
  let i = e % len;
  ${P.index('layout', ['bx', 'bo'], 'k')}
  let v = x[u32(i32(bx) + i32(i) * xs)];
  var r = 0;
  for (var j = 0u; j < len; j = j + 1u) {
    let u = x[u32(i32(bx) + i32(j) * xs)];
    if (before(u, v) || (j < i && !before(v, u))) { r = r + 1; }
  }
  y[u32(i32(bo) + r * os)] = i32(i);
}`;
  rt.dispatch(
    `argsort:${t}:${rank}:${descending}`,
    src,
    { read: [x.storage], write: [out] },
    P.pack({ n: l.count, len: l.len, xs: l.xs, os: l.os, layout: l.layout }),
    Math.ceil((l.count * l.len) / WG),
  );
  return out;
}
