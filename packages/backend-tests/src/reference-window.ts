// The float64 reference of the sliding-window primitives (ops-window.ts), written from their
// definitions over multi-indices: for each output element, which input elements it reads. No loop
// order, stride or range trick is shared with a backend's kernels.
import type { WindowGeometry } from '@nablajs/tensor';
import { type Nd, fill, ravel, sizeOf, unravel } from './nd.js';
import type { Result } from './reference.js';

/** PyTorch's output size per axis, spelt out again. */
export function windowGeometry(
  input: readonly number[],
  kernel: readonly number[],
  o: { stride?: readonly number[]; padding?: readonly number[]; dilation?: readonly number[] } = {},
): WindowGeometry {
  const stride = o.stride ?? kernel.map(() => 1);
  const padding = o.padding ?? kernel.map(() => 0);
  const dilation = o.dilation ?? kernel.map(() => 1);
  const output = input.map(
    (n, i) =>
      Math.floor((n + 2 * padding[i]! - dilation[i]! * (kernel[i]! - 1) - 1) / stride[i]!) + 1,
  );
  return { input, output, kernel, stride, padding, dilation };
}

/**
 * The input position that window `win` (a multi-index over g.output) reads at kernel offset
 * `off` (a multi-index over g.kernel), or null when it falls in the padding.
 */
function source(
  g: WindowGeometry,
  win: readonly number[],
  off: readonly number[],
): number[] | null {
  const pos = win.map((o, i) => o * g.stride[i]! - g.padding[i]! + off[i]! * g.dilation[i]!);
  return pos.every((p, i) => p >= 0 && p < g.input[i]!) ? pos : null;
}

/** F.unfold: out[n, c·K + k, l] = x[n, c, source(l, k)], 0 in the padding. */
export function im2col(x: Nd, g: WindowGeometry): Nd {
  const [N, C] = x.shape as [number, number];
  const K = sizeOf(g.kernel);
  const L = sizeOf(g.output);
  return fill(x.dtype, [N, C * K, L], ([n, r, l]) => {
    const c = Math.floor(r! / K);
    const pos = source(g, unravel(l!, g.output), unravel(r! % K, g.kernel));
    return pos ? x.data[ravel([n!, c, ...pos], x.shape)]! : 0;
  });
}

/** F.fold: out[n, c, p] = Σ cols[n, c·K + k, l] over the (k, l) whose source is p. */
export function col2im(cols: Nd, g: WindowGeometry): Result {
  const [N, CK, L] = cols.shape as [number, number, number];
  const K = sizeOf(g.kernel);
  const shape = [N, CK / K, ...g.input];
  const acc = new Float64Array(sizeOf(shape));
  const scale = new Float64Array(sizeOf(shape));
  for (let f = 0; f < cols.data.length; f++) {
    const [n, r, l] = unravel(f, [N, CK, L]) as [number, number, number];
    const pos = source(g, unravel(l, g.output), unravel(r % K, g.kernel));
    if (!pos) continue;
    const at = ravel([n, Math.floor(r / K), ...pos], shape);
    acc[at]! += cols.data[f]!;
    scale[at]! += Math.abs(cols.data[f]!);
  }
  return { out: fill(cols.dtype, shape, (idx) => acc[ravel(idx, shape)]!), scale };
}

/**
 * Max pooling as PyTorch's CPU kernel defines it: the window's elements inside the input in
 * row-major kernel order; the first starts the search, and a larger one or a NaN replaces it (ties
 * keep the first maximum, the last NaN wins). Indices are flat positions in the input plane.
 */
export function maxPool(x: Nd, g: WindowGeometry): { values: Nd; indices: Nd } {
  const [N, C] = x.shape as [number, number];
  const shape = [N, C, ...g.output];
  const best = new Float64Array(sizeOf(shape));
  const arg = new Float64Array(sizeOf(shape));
  for (let f = 0; f < best.length; f++) {
    const [n, c, ...win] = unravel(f, shape) as [number, number, ...number[]];
    let found = false;
    for (let k = 0; k < sizeOf(g.kernel); k++) {
      const pos = source(g, win, unravel(k, g.kernel));
      if (!pos) continue;
      const v = x.data[ravel([n, c, ...pos], x.shape)]!;
      if (!found || v > best[f]! || Number.isNaN(v)) {
        best[f] = v;
        arg[f] = ravel(pos, g.input);
        found = true;
      }
    }
    if (!found) throw new Error(`reference maxPool: window ${win} lies in the padding`);
  }
  return {
    values: fill(x.dtype, shape, (idx) => best[ravel(idx, shape)]!),
    indices: fill('int32', shape, (idx) => arg[ravel(idx, shape)]!),
  };
}

/** maxPool's gradient: zeros [N, C, ...input], grad[n, c, w] added at indices[n, c, w]. */
export function maxPoolGrad(grad: Nd, indices: Nd, g: WindowGeometry): Result {
  const [N, C] = grad.shape as [number, number];
  const shape = [N, C, ...g.input];
  const plane = sizeOf(g.input);
  const acc = new Float64Array(sizeOf(shape));
  const scale = new Float64Array(sizeOf(shape));
  for (let f = 0; f < grad.data.length; f++) {
    const [n, c] = unravel(f, grad.shape) as [number, number];
    const at = (n * C + c) * plane + indices.data[f]!;
    acc[at]! += grad.data[f]!;
    scale[at]! += Math.abs(grad.data[f]!);
  }
  return { out: fill(grad.dtype, shape, (idx) => acc[ravel(idx, shape)]!), scale };
}
