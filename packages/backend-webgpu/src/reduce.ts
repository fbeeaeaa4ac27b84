import { type ReduceOp, sizeOf } from '@nablajs/tensor';
import { Params, strided } from './params.js';
import { type GpuStorage, type Runtime, WG } from './runtime.js';
import { PRELUDE, buffer, coalesce, type Ref, wgslType } from './wgsl.js';

/** Threads that share one output element when its reduction is long. */
const RW = 64;

/** WGSL deciding whether value `v` at position `r` replaces the running (`acc`, `at`): NaN wins
 * (the first one), then the larger (max) or smaller (min) value, then the earlier position. */
function better(op: ReduceOp, t: string): string {
  const cmp = op === 'max' || op === 'argmax' ? '>' : '<';
  const nan =
    t === 'f32'
      ? 'if (isnan(acc)) { return isnan(v) && r < at; } if (isnan(v)) { return true; }'
      : '';
  return `fn better(v: ${t}, r: i32, acc: ${t}, at: i32) -> bool {
  if (at < 0) { return true; }
  ${nan}
  return v ${cmp} acc || (v == acc && r < at);
}\n`;
}

/** The parameters of a reduction: output elements, the length R of each one's reduction, and the
 * layouts of x over the kept axes (from x's offset) and over the reduced ones (from 0). */
const reduceParams = (rk: number, rr: number) =>
  new Params({ n: 'u32', R: 'u32', keep: strided(rk, 1), red: strided(rr, 1) });

function reduceKernel(
  op: ReduceOp,
  t: string,
  rk: number,
  rr: number,
  shared: boolean,
): () => string {
  const sum = op === 'sum';
  const arg = op === 'argmax' || op === 'argmin';
  const outT = arg ? 'i32' : t;
  const P = reduceParams(rk, rr);
  const step = shared ? `${RW}u` : '1u';
  const fold = (v: string, r: string) =>
    sum ? `acc = acc + ${v};` : `if (better(${v}, ${r}, acc, at)) { acc = ${v}; at = ${r}; }`;
  return () => `${PRELUDE}${sum ? '' : better(op, t)}${buffer(1, 'x', t)}${buffer(2, 'y', outT)}
var<workgroup> sacc: array<${t}, ${RW}>;
var<workgroup> sat: array<i32, ${RW}>;
@compute @workgroup_size(${shared ? RW : WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let k = ${shared ? 'group_index(wg)' : `gid(wg, li, ${WG}u)`};
  ${P.lets('n', 'R')}
  if (k >= n) { return; }
  ${P.index('keep', ['base'], 'k')}
  var acc = ${t}(0);
  var at = -1;
  for (var r = ${shared ? 'li' : '0u'}; r < R; r = r + ${step}) {
    ${P.index('red', ['off'], 'r')}
    let v = x[base + off];
    ${fold('v', 'i32(r)')}
  }
  ${
    shared
      ? `sacc[li] = acc; sat[li] = at;
  workgroupBarrier();
  for (var s = ${RW / 2}u; s > 0u; s = s >> 1u) {
    if (li < s) {
      let v = sacc[li + s]; let r = sat[li + s];
      ${sum ? 'sacc[li] = sacc[li] + v;' : `acc = sacc[li]; at = sat[li]; if (r >= 0 && better(v, r, acc, at)) { sacc[li] = v; sat[li] = r; }`}
    }
    workgroupBarrier();
  }
  if (li == 0u) { y[k] = ${arg ? 'sat[0]' : 'sacc[0]'}; }`
      : `y[k] = ${arg ? 'at' : 'acc'};`
  }
}`;
}

/** Reduces the sorted `axes` of `x` away: one thread per output element, or a workgroup of 64
 * per element with a tree in shared memory when the reduction is long. */
export function reduce(rt: Runtime, op: ReduceOp, x: Ref, axes: readonly number[]): GpuStorage {
  const t = wgslType(x.dtype, op);
  const keepAxes = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const pick = (ax: readonly number[], offset: number) =>
    coalesce(
      ax.map((i) => x.shape[i]!),
      [{ ...x, offset, shape: ax.map((i) => x.shape[i]!), strides: ax.map((i) => x.strides[i]!) }],
    );
  const keep = pick(keepAxes, x.offset);
  const red = pick(axes, 0);
  const nOut = sizeOf(keepAxes.map((i) => x.shape[i]!));
  const R = sizeOf(axes.map((i) => x.shape[i]!));
  const out = rt.alloc(nOut, op);
  const shared = R > 64;
  const [rk, rr] = [keep.shape.length, red.shape.length];
  rt.dispatch(
    `reduce:${op}:${t}:${rk}:${rr}:${shared}`,
    reduceKernel(op, t, rk, rr, shared),
    { read: [x.storage], write: [out] },
    reduceParams(rk, rr).pack({ n: nOut, R, keep, red }),
    shared ? nOut : Math.ceil(nOut / WG),
  );
  return out;
}
