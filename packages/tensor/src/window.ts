import { type DType, isFloat } from './dtype.js';
import { DTypeError, ShapeError, fmtShape } from './errors.js';
import { checkBackend, wrap } from './math.js';
import type { WindowGeometry } from './ops-window.js';
import { sameShape, sizeOf } from './shape.js';
import type { Tensor } from './tensor.js';

/** A size per spatial axis, or one number for all of them (PyTorch's `int or tuple`). */
export type SpatialArg = number | readonly number[];

/** Where the windows of `im2col`, `col2im` and the pooling ops lie (PyTorch's unfold arguments). */
export interface WindowOptions {
  /** The window's size per spatial axis; its length sets the number of spatial axes. */
  kernelSize: SpatialArg;
  /** The step between windows (default 1). */
  stride?: SpatialArg;
  /** Implicit padding on both sides of each spatial axis (default 0). */
  padding?: SpatialArg;
  /** The step between a window's elements (default 1). */
  dilation?: SpatialArg;
}

const fmtArg = (v: SpatialArg): string => (typeof v === 'number' ? String(v) : fmtShape(v));

/** `v` as `d` integers ≥ `min`, or a ShapeError naming `op` and the option. */
export function spatial(op: string, name: string, v: SpatialArg, d: number, min: number): number[] {
  const list = typeof v === 'number' ? new Array<number>(d).fill(v) : [...v];
  if (list.length !== d || list.some((x) => !Number.isInteger(x) || x < min))
    throw new ShapeError(
      op,
      `${name} ${fmtArg(v)} must be one integer ≥ ${min} or ${d} of them (one per spatial axis)`,
    );
  return list;
}

/** The number of spatial axes `opts` implies for an input of `rank`: kernelSize's length, or rank − 2. */
function spatialRank(opts: WindowOptions, rank: number): number {
  return typeof opts.kernelSize === 'number' ? rank - 2 : opts.kernelSize.length;
}

/**
 * Resolves window options against an input's spatial size `input`: every entry spelt out, the
 * output size computed as PyTorch does, and a ShapeError naming `op` when no window fits.
 */
export function windowGeometry(
  op: string,
  input: readonly number[],
  opts: WindowOptions,
): WindowGeometry {
  const d = input.length;
  if (d < 1 || d > 3)
    throw new ShapeError(op, `has 1 to 3 spatial axes, got ${d} (${fmtShape(input)})`);
  const kernel = spatial(op, 'kernelSize', opts.kernelSize, d, 1);
  const stride = spatial(op, 'stride', opts.stride ?? 1, d, 1);
  const padding = spatial(op, 'padding', opts.padding ?? 0, d, 0);
  const dilation = spatial(op, 'dilation', opts.dilation ?? 1, d, 1);
  const output = input.map(
    (n, i) =>
      Math.floor((n + 2 * padding[i]! - dilation[i]! * (kernel[i]! - 1) - 1) / stride[i]!) + 1,
  );
  if (output.some((o) => o < 1))
    throw new ShapeError(
      op,
      `no window fits: input ${fmtShape(input)} with kernel ${fmtShape(kernel)}, padding ${fmtShape(padding)}, dilation ${fmtShape(dilation)} gives output ${fmtShape(output)}`,
      'use a smaller kernel or dilation, or more padding',
    );
  return { input: [...input], output, kernel, stride, padding, dilation };
}

/** Checks that `shape` is [N, C, ...spatial] for the options' number of spatial axes. */
function checkBatched(op: string, shape: readonly number[], opts: WindowOptions): void {
  const d = spatialRank(opts, shape.length);
  if (d < 1 || d > 3 || shape.length !== d + 2)
    throw new ShapeError(
      op,
      `input ${fmtShape(shape)} is not [N, C, ...spatial] for kernelSize ${fmtArg(opts.kernelSize)}`,
      'batch and channel axes come first (NCHW); add a batch axis with unsqueeze(0)',
    );
}

/**
 * PyTorch's `F.unfold`: the windows of `x` [N, C, ...spatial] as columns, [N, C·∏kernel, L] with
 * L windows (row `c·K + k` is channel c at kernel offset k). A convolution is then a matmul with
 * the weight reshaped to [out, C·∏kernel]. Works for 1, 2 and 3 spatial axes.
 */
export function im2col(x: Tensor, opts: WindowOptions): Tensor {
  checkBackend('im2col', [x]);
  checkBatched('im2col', x.shape, opts);
  const g = windowGeometry('im2col', x.shape.slice(2), opts);
  const rows = x.shape[1]! * sizeOf(g.kernel);
  return wrap(x.backend, x.backend.im2col(x, g), x.dtype, [x.shape[0]!, rows, sizeOf(g.output)]);
}

/**
 * PyTorch's `F.fold`, the adjoint of `im2col`: columns [N, C·∏kernel, L] summed back into
 * [N, C, ...outputSize], where `outputSize` is the spatial size im2col's input had.
 */
export function col2im(cols: Tensor, outputSize: readonly number[], opts: WindowOptions): Tensor {
  checkBackend('col2im', [cols]);
  const g = windowGeometry('col2im', outputSize, opts);
  const K = sizeOf(g.kernel);
  const L = sizeOf(g.output);
  if (cols.rank !== 3 || cols.shape[1]! % K !== 0 || cols.shape[2] !== L)
    throw new ShapeError(
      'col2im',
      `columns ${fmtShape(cols.shape)} do not fit kernel ${fmtShape(g.kernel)} and output ${fmtShape(outputSize)}: expected [N, C·${K}, ${L}]`,
      `the windows of ${fmtShape(outputSize)} number ${fmtShape(g.output)}`,
    );
  const shape = [cols.shape[0]!, cols.shape[1]! / K, ...outputSize];
  return wrap(cols.backend, cols.backend.col2im(cols, g), cols.dtype, shape);
}

/** Geometry of a max pooling, with PyTorch's limit on padding (so every window has an element). */
function poolGeometry(
  op: string,
  shape: readonly number[],
  dtype: DType,
  opts: WindowOptions,
): WindowGeometry {
  checkBatched(op, shape, opts);
  if (!isFloat(dtype))
    throw new DTypeError(op, `needs a float input, got ${dtype}`, "cast it with x.cast('float32')");
  const g = windowGeometry(op, shape.slice(2), opts);
  if (g.padding.some((p, i) => 2 * p > g.kernel[i]!))
    throw new ShapeError(
      op,
      `padding ${fmtShape(g.padding)} is more than half of kernelSize ${fmtShape(g.kernel)}`,
      'PyTorch allows at most half the kernel on each side',
    );
  return g;
}

/**
 * Max pooling over the windows of float `x` [N, C, ...spatial], giving the maxima and their int32
 * indices [N, C, ...output], an index being the flat position in its (n, c) plane (PyTorch's
 * `return_indices`). Ties go to the first maximum; NaN propagates; padding never wins.
 */
export function maxPool(x: Tensor, opts: WindowOptions): [Tensor, Tensor] {
  checkBackend('maxPool', [x]);
  const g = poolGeometry('maxPool', x.shape, x.dtype, opts);
  const [v, i] = x.backend.maxPool(x, g);
  const shape = [x.shape[0]!, x.shape[1]!, ...g.output];
  return [wrap(x.backend, v, x.dtype, shape), wrap(x.backend, i, 'int32', shape)];
}

/**
 * The gradient of `maxPool` with respect to its input [N, C, ...inputSize]: `grad` [N, C, ...output]
 * added at the positions `indices` (maxPool's) name.
 */
export function maxPoolGrad(
  grad: Tensor,
  indices: Tensor,
  inputSize: readonly number[],
  opts: WindowOptions,
): Tensor {
  checkBackend('maxPoolGrad', [grad, indices]);
  const shape = [grad.shape[0] ?? 0, grad.shape[1] ?? 0, ...inputSize];
  const g = poolGeometry('maxPoolGrad', shape, grad.dtype, opts);
  const out = [shape[0]!, shape[1]!, ...g.output];
  if (indices.dtype !== 'int32' || !sameShape(grad.shape, out) || !sameShape(indices.shape, out))
    throw new ShapeError(
      'maxPoolGrad',
      `grad ${fmtShape(grad.shape)} and indices ${fmtShape(indices.shape)} ${indices.dtype} must both be ${fmtShape(out)}, indices int32`,
    );
  return wrap(grad.backend, grad.backend.maxPoolGrad(grad, indices, g), grad.dtype, shape);
}
