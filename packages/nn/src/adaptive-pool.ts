import { Variable } from '@nablajs/autograd';
import {
  type Backend,
  type DType,
  ShapeError,
  type Tensor,
  fmtShape,
  tensor,
} from '@nablajs/tensor';
import { type Input, Module, asVariable } from './module.js';

/** An output size: one number for both axes, or [height, width] where null keeps the input's. */
export type AdaptiveSize = number | readonly [number | null, number | null];

/** PyTorch's bin of output cell `i` along an axis of `n` cells pooled to `out`: [⌊i·n/out⌋, ⌈(i+1)·n/out⌉). */
export function adaptiveBin(i: number, n: number, out: number): [number, number] {
  return [Math.floor((i * n) / out), Math.ceil(((i + 1) * n) / out)];
}

/** [out, n] averaging matrices, one per backend, dtype and size (they are small and reused every step). */
const matrices = new WeakMap<Backend, Map<string, Tensor>>();

function averaging(n: number, out: number, dtype: DType, backend: Backend): Tensor {
  const key = `${dtype} ${n} ${out}`;
  let cache = matrices.get(backend);
  if (!cache) matrices.set(backend, (cache = new Map()));
  let m = cache.get(key);
  if (!m) {
    const a = new Float64Array(out * n);
    for (let i = 0; i < out; i++) {
      const [s, e] = adaptiveBin(i, n, out);
      for (let j = s; j < e; j++) a[i * n + j] = 1 / (e - s);
    }
    m = tensor(a, { shape: [out, n], dtype, backend });
    cache.set(key, m);
  }
  return m;
}

/**
 * The average of each of `outputSize`'s bins of `input` ([N, C, H, W] or [C, H, W]), PyTorch's
 * `F.adaptive_avg_pool2d`: output cell (i, j) averages rows [⌊iH/h⌋, ⌈(i+1)H/h⌉) and the columns
 * alike, so bins may differ in size and overlap. Computed as A_h · x · A_wᵀ with averaging matrices
 * (a mean when an output axis has size 1, nothing when it keeps the input's size); differentiable.
 */
export function adaptiveAvgPool2d(input: Input, outputSize: AdaptiveSize, name?: string): Variable {
  const v = asVariable(input);
  const op = name ?? 'adaptiveAvgPool2d';
  const [oh, ow] = typeof outputSize === 'number' ? [outputSize, outputSize] : outputSize;
  if (v.rank !== 3 && v.rank !== 4)
    throw new ShapeError(op, `expected input [N, C, H, W] or [C, H, W], got ${fmtShape(v.shape)}`);
  const [H, W] = v.shape.slice(-2) as [number, number];
  const h = oh ?? H;
  const w = ow ?? W;
  for (const [what, s] of [
    ['height', h],
    ['width', w],
  ] as const)
    if (!Number.isInteger(s) || s < 1)
      throw new ShapeError(op, `output ${what} must be a positive integer, got ${s}`);
  if (H < 1 || W < 1)
    throw new ShapeError(op, `input ${fmtShape(v.shape)} has an empty spatial axis`);
  const rows = (x: Variable): Variable => {
    if (h === H) return x;
    if (h === 1) return x.mean(-2, true);
    return new Variable(averaging(H, h, x.dtype, x.data.backend)).matmul(x);
  };
  const cols = (x: Variable): Variable => {
    if (w === W) return x;
    if (w === 1) return x.mean(-1, true);
    return x.matmul(averaging(W, w, x.dtype, x.data.backend).transpose());
  };
  return rows(cols(v));
}

/**
 * Average pooling to a fixed output size whatever the input's (PyTorch's `nn.AdaptiveAvgPool2d`):
 * `new AdaptiveAvgPool2d(1)` is global average pooling, [N, C, H, W] → [N, C, 1, 1]. See
 * `adaptiveAvgPool2d` for the bins.
 */
export class AdaptiveAvgPool2d extends Module {
  constructor(
    /** The output's [height, width], or one number for both; null keeps that axis's input size. */
    readonly outputSize: AdaptiveSize,
  ) {
    super();
  }

  /** [N, C, H, W] (or [C, H, W]) → [N, C, h, w] bin averages. */
  forward(x: Input): Variable {
    return adaptiveAvgPool2d(x, this.outputSize, `AdaptiveAvgPool2d(${this.extraRepr()})`);
  }

  protected override extraRepr(): string {
    const s = this.outputSize;
    return `outputSize=${typeof s === 'number' ? s : `[${s.map(String).join(', ')}]`}`;
  }
}
