import { flagCode } from './flags.js';
import { type GpuStorage, type Runtime, WG } from './runtime.js';
import {
  PRELUDE,
  type Ref,
  buffer,
  coalesce,
  indexCode,
  layoutWords,
  sizeOf,
  wgslType,
} from './wgsl.js';

/** Binding of the flags buffer, after the kernel's own (see flags.ts). */
const FLAG = (binding: number) => buffer(binding, 'flags', 'i32');

/** out[i] = x[… index[i] …] along `axis`: a view of x with stride 0 on the axis walks beside the
 * index, and the index value adds k·stride. Out-of-range indices give 0 and are reported. */
export function gather(rt: Runtime, x: Ref, axis: number, index: Ref): GpuStorage {
  const t = wgslType(x.dtype, 'gather');
  const n = sizeOf(index.shape);
  const out = rt.alloc(n, 'gather');
  const xr: Ref = {
    ...x,
    shape: index.shape,
    strides: x.strides.map((s, i) => (i === axis ? 0 : s)),
  };
  const l = coalesce(index.shape, [index, xr]);
  const rank = l.shape.length;
  const src =
    () => `${PRELUDE}${buffer(1, 'x', t)}${buffer(2, 'index', 'i32')}${buffer(3, 'y', t)}${FLAG(4)}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = gid(wg, li, ${WG}u);
  if (i >= w(0u)) { return; }
  ${indexCode(rank, 2, 3, ['ii', 'ix'], 'i')}
  let k = index[ii];
  if (k < 0 || u32(k) >= w(1u)) { ${flagCode('k', 'i32(w(1u))')} y[i] = ${t}(0); return; }
  y[i] = x[u32(i32(ix) + k * wi(2u))];
}`;
  rt.dispatch(
    `gather:${t}:${rank}`,
    src,
    { read: [x.storage, index.storage], write: [out] },
    [n, x.shape[axis]!, x.strides[axis]!, ...layoutWords(l)],
    Math.ceil(n / WG),
    { op: 'gather', axis },
  );
  return out;
}

/**
 * The adjoint of gather without atomics (WGSL has none for floats): each output element sums, in
 * index order, the src entries of its slice whose index names it — deterministic, and the same
 * order as the CPU's. The index may be smaller than the output on every axis, as in PyTorch.
 */
export function scatterAdd(
  rt: Runtime,
  src: Ref,
  axis: number,
  index: Ref,
  shape: readonly number[],
): GpuStorage {
  const t = wgslType(src.dtype, 'scatterAdd');
  const R = shape.length;
  const n = sizeOf(shape);
  const out = rt.alloc(n, 'scatterAdd');
  // words: n, J, dim, then shape (R), index shape (R), index offset + strides, src offset + strides
  const S = 3, IS = S + R, IV = IS + R, SV = IV + R + 1; // prettier-ignore
  const dims = [...Array(R).keys()];
  const coords = dims
    .slice()
    .reverse()
    .map((d) =>
      d === 0 ? `let c0 = rem;` : `let c${d} = rem % w(${S + d}u); rem = rem / w(${S + d}u);`,
    )
    .join('\n  ');
  const inside = dims.filter((d) => d !== axis).map((d) => `c${d} >= w(${IS + d}u)`);
  const base = (v: number) =>
    dims
      .filter((d) => d !== axis)
      .reduce((e, d) => `${e} + i32(c${d}) * wi(${v + 1 + d}u)`, `wi(${v}u)`);
  const code =
    () => `${PRELUDE}${buffer(1, 'src', t)}${buffer(2, 'index', 'i32')}${buffer(3, 'y', t)}${FLAG(4)}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = gid(wg, li, ${WG}u);
  if (i >= w(0u)) { return; }
  var rem = i;
  ${coords}
  var acc = ${t}(0);
  if (!(${inside.length ? inside.join(' || ') : 'false'})) {
    let ib = ${base(IV)};
    let sb = ${base(SV)};
    let want = i32(c${axis});
    for (var j = 0; j < i32(w(1u)); j = j + 1) {
      let k = index[u32(ib + j * wi(${IV + 1 + axis}u))];
      if (k == want) { acc = acc + src[u32(sb + j * wi(${SV + 1 + axis}u))]; }
      if (want == 0 && (k < 0 || u32(k) >= w(2u))) { ${flagCode('k', 'i32(w(2u))')} }
    }
  }
  y[i] = acc;
}`;
  rt.dispatch(
    `scatterAdd:${t}:${R}:${axis}`,
    code,
    { read: [src.storage, index.storage], write: [out] },
    [
      n,
      index.shape[axis]!,
      shape[axis]!,
      ...shape,
      ...index.shape,
      index.offset,
      ...index.strides,
      src.offset,
      ...src.strides,
    ],
    Math.ceil(n / WG),
    { op: 'scatterAdd', axis },
  );
  return out;
}
