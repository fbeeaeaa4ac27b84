import { sizeOf } from '@nablajs/tensor';
import { Params, strided, words } from './params.js';
import { type GpuStorage, type Runtime, WG } from './runtime.js';
import {
  PRELUDE,
  type Ref,
  buffer,
  coalesce,
  flagBadIndex,
  flagsBuffer,
  wgslType,
} from './wgsl.js';

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
  // dim: the size of x's axis; stride: x's stride along it (its view xr has stride 0 there)
  const P = new Params({ n: 'u32', dim: 'u32', stride: 'i32', layout: strided(rank, 2) });
  const src =
    () => `${PRELUDE}${buffer(1, 'x', t)}${buffer(2, 'index', 'i32')}${buffer(3, 'y', t)}${flagsBuffer(4)}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = gid(wg, li, ${WG}u);
  ${P.lets('n', 'dim', 'stride')}
  if (i >= n) { return; }
  ${P.index('layout', ['ii', 'ix'], 'i')}
  let k = index[ii];
  if (k < 0 || u32(k) >= dim) { ${flagBadIndex('gather', 'k', 'dim')} y[i] = ${t}(0); return; }
  y[i] = x[u32(i32(ix) + k * stride)];
}`;
  rt.dispatch(
    `gather:${t}:${rank}`,
    src,
    { read: [x.storage, index.storage], write: [out] },
    P.pack({ n, dim: x.shape[axis]!, stride: x.strides[axis]!, layout: l }),
    Math.ceil(n / WG),
    true,
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
  const P = new Params({
    n: 'u32',
    /** The index's length along the axis: the entries each output element looks through. */
    J: 'u32',
    /** The output's size along the axis: indices at or past it are out of range. */
    dim: 'u32',
    shape: words('u32', R),
    indexShape: words('u32', R),
    indexOffset: 'i32',
    indexStrides: words('i32', R),
    srcOffset: 'i32',
    srcStrides: words('i32', R),
  });
  const dims = [...Array(R).keys()];
  const coords = dims
    .slice()
    .reverse()
    .map((d) =>
      d === 0
        ? `let c0 = rem;`
        : `let c${d} = rem % ${P.get('shape', d)}; rem = rem / ${P.get('shape', d)};`,
    )
    .join('\n  ');
  const inside = dims.filter((d) => d !== axis).map((d) => `c${d} >= ${P.get('indexShape', d)}`);
  const base = (view: 'index' | 'src') =>
    dims
      .filter((d) => d !== axis)
      .reduce(
        (e, d) => `${e} + i32(c${d}) * ${P.get(`${view}Strides`, d)}`,
        P.get(`${view}Offset`),
      );
  const code =
    () => `${PRELUDE}${buffer(1, 'src', t)}${buffer(2, 'index', 'i32')}${buffer(3, 'y', t)}${flagsBuffer(4)}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = gid(wg, li, ${WG}u);
  ${P.lets('n', 'J', 'dim')}
  if (i >= n) { return; }
  var rem = i;
  ${coords}
  var acc = ${t}(0);
  if (!(${inside.length ? inside.join(' || ') : 'false'})) {
    let ib = ${base('index')};
    let sb = ${base('src')};
    let want = i32(c${axis});
    for (var j = 0; j < i32(J); j = j + 1) {
      let k = index[u32(ib + j * ${P.get('indexStrides', axis)})];
      if (k == want) { acc = acc + src[u32(sb + j * ${P.get('srcStrides', axis)})]; }
      if (want == 0 && (k < 0 || u32(k) >= dim)) { ${flagBadIndex('scatterAdd', 'k', 'dim')} }
    }
  }
  y[i] = acc;
}`;
  rt.dispatch(
    `scatterAdd:${t}:${R}:${axis}`,
    code,
    { read: [src.storage, index.storage], write: [out] },
    P.pack({
      n,
      J: index.shape[axis]!,
      dim: shape[axis]!,
      shape,
      indexShape: index.shape,
      indexOffset: index.offset,
      indexStrides: index.strides,
      srcOffset: src.offset,
      srcStrides: src.strides,
    }),
    Math.ceil(n / WG),
    true,
  );
  return out;
}
