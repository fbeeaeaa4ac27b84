import { type Variable, im2col, maxPool } from '@nablajs/autograd';
import {
  ShapeError,
  type SpatialArg,
  type Tensor,
  fmtShape,
  im2col as im2colTensor,
  ones,
  spatial,
  windowGeometry,
} from '@nablajs/tensor';
import { batched } from './functional-conv.js';
import { type Input, Module, asVariable } from './module.js';

/** Options of `maxPool1d` / `maxPool2d` and their modules (PyTorch's keywords; no ceil mode). */
export interface MaxPoolOptions {
  /** The step between windows (default: the kernel size, so windows tile the input). */
  stride?: SpatialArg;
  /** Implicit −∞ padding on both sides, at most half the kernel (default 0). */
  padding?: SpatialArg;
  /** The step between a window's elements (default 1). */
  dilation?: SpatialArg;
}

/** Options of `avgPool1d` / `avgPool2d` and their modules (PyTorch's keywords; no ceil mode). */
export interface AvgPoolOptions {
  /** The step between windows (default: the kernel size). */
  stride?: SpatialArg;
  /** Implicit zero padding on both sides, at most half the kernel (default 0). */
  padding?: SpatialArg;
  /** Count the padding in each window's divisor (default true, as in PyTorch). */
  countIncludePad?: boolean;
  /** Divide every window's sum by this instead. */
  divisorOverride?: number;
}

/** Kernel, stride (defaulting to the kernel) and padding (at most half the kernel) of a pooling. */
function poolWindow(
  op: string,
  d: number,
  kernelSize: SpatialArg,
  stride: SpatialArg | undefined,
  padding: SpatialArg | undefined,
) {
  const kernel = spatial(op, 'kernelSize', kernelSize, d, 1);
  const pad = spatial(op, 'padding', padding ?? 0, d, 0);
  if (pad.some((p, i) => 2 * p > kernel[i]!))
    throw new ShapeError(
      op,
      `padding ${fmtShape(pad)} is more than half of kernelSize ${fmtShape(kernel)}`,
      'PyTorch allows at most half the kernel on each side',
    );
  return {
    kernelSize: kernel,
    stride: spatial(op, 'stride', stride ?? kernel, d, 1),
    padding: pad,
  };
}

function maxPoolNd(
  op: string,
  d: number,
  input: Input,
  kernelSize: SpatialArg,
  opts: MaxPoolOptions,
): [Variable, Tensor] {
  const [x, unbatched] = batched(op, asVariable(input), d);
  const window = {
    ...poolWindow(op, d, kernelSize, opts.stride, opts.padding),
    dilation: spatial(op, 'dilation', opts.dilation ?? 1, d, 1),
  };
  const [y, indices] = maxPool(x, window);
  return unbatched ? [y.squeeze(0), indices.squeeze(0)] : [y, indices];
}

function avgPoolNd(
  op: string,
  d: number,
  input: Input,
  kernelSize: SpatialArg,
  opts: AvgPoolOptions,
): Variable {
  const [x, unbatched] = batched(op, asVariable(input), d);
  const window = poolWindow(op, d, kernelSize, opts.stride, opts.padding);
  const { output } = windowGeometry(op, x.shape.slice(2), window);
  const [N, C] = [x.shape[0]!, x.shape[1]!];
  const K = window.kernelSize.reduce((a, b) => a * b, 1);
  const sums = im2col(x, window).reshape([N, C, K, -1]).sum(2); // [N, C, L]
  let y: Variable;
  if (opts.divisorOverride !== undefined) {
    if (!Number.isInteger(opts.divisorOverride) || opts.divisorOverride === 0)
      throw new ShapeError(op, `divisorOverride must be a non-zero integer, got ${opts.divisorOverride}`); // prettier-ignore
    y = sums.div(opts.divisorOverride);
  } else if (opts.countIncludePad ?? true) y = sums.div(K);
  else {
    // each window's count of elements inside the input: the same windows over ones
    const one = ones([1, 1, ...x.shape.slice(2)], { dtype: x.dtype, backend: x.data.backend });
    y = sums.div(im2colTensor(one, window).sum(1));
  }
  y = y.reshape([N, C, ...output]);
  return unbatched ? y.squeeze(0) : y;
}

/** PyTorch's `F.max_pool1d` on [N, C, L] (or [C, L]); with `returnIndices`, also the int32 argmax. */
export function maxPool1d(
  input: Input,
  kernelSize: SpatialArg,
  opts: MaxPoolOptions & { returnIndices: true },
): [Variable, Tensor];
export function maxPool1d(
  input: Input,
  kernelSize: SpatialArg,
  opts?: MaxPoolOptions & { returnIndices?: false },
): Variable;
export function maxPool1d(
  input: Input,
  kernelSize: SpatialArg,
  opts: MaxPoolOptions & { returnIndices?: boolean } = {},
): Variable | [Variable, Tensor] {
  const out = maxPoolNd('maxPool1d', 1, input, kernelSize, opts);
  return opts.returnIndices ? out : out[0];
}

/**
 * PyTorch's `F.max_pool2d` on [N, C, H, W] (or [C, H, W]): the maximum of each window, the gradient
 * going to its argmax (ties: the first maximum; NaN propagates). With `returnIndices`, also the
 * int32 argmax, each the flat position h·W + w in its input plane.
 */
export function maxPool2d(
  input: Input,
  kernelSize: SpatialArg,
  opts: MaxPoolOptions & { returnIndices: true },
): [Variable, Tensor];
export function maxPool2d(
  input: Input,
  kernelSize: SpatialArg,
  opts?: MaxPoolOptions & { returnIndices?: false },
): Variable;
export function maxPool2d(
  input: Input,
  kernelSize: SpatialArg,
  opts: MaxPoolOptions & { returnIndices?: boolean } = {},
): Variable | [Variable, Tensor] {
  const out = maxPoolNd('maxPool2d', 2, input, kernelSize, opts);
  return opts.returnIndices ? out : out[0];
}

/** PyTorch's `F.avg_pool1d` on [N, C, L] (or [C, L]). */
export function avgPool1d(
  input: Input,
  kernelSize: SpatialArg,
  opts: AvgPoolOptions = {},
): Variable {
  return avgPoolNd('avgPool1d', 1, input, kernelSize, opts);
}

/**
 * PyTorch's `F.avg_pool2d` on [N, C, H, W] (or [C, H, W]): the mean of each window, padding counted
 * as zeros in the divisor unless `countIncludePad: false`.
 */
export function avgPool2d(
  input: Input,
  kernelSize: SpatialArg,
  opts: AvgPoolOptions = {},
): Variable {
  return avgPoolNd('avgPool2d', 2, input, kernelSize, opts);
}

/** What the pooling modules share: the window, in PyTorch's text form. */
abstract class Pool<O extends MaxPoolOptions | AvgPoolOptions> extends Module {
  constructor(
    /** The window's size. */
    readonly kernelSize: SpatialArg,
    /** The options (stride defaults to kernelSize). */
    readonly options: O = {} as O,
  ) {
    super();
  }
  protected override extraRepr(): string {
    const o = Object.entries(this.options).map(([k, v]) => `, ${k}=${JSON.stringify(v)}`);
    return `kernelSize=${JSON.stringify(this.kernelSize)}${o.join('')}`;
  }
}

/** PyTorch's `nn.MaxPool1d`: `maxPool1d` over [N, C, L]. */
export class MaxPool1d extends Pool<MaxPoolOptions> {
  /** The maxima of the windows. */
  forward(x: Input): Variable {
    return maxPool1d(x, this.kernelSize, this.options);
  }
}

/** PyTorch's `nn.MaxPool2d`: `maxPool2d` over [N, C, H, W] (`new MaxPool2d(2)` halves H and W). */
export class MaxPool2d extends Pool<MaxPoolOptions> {
  /** The maxima of the windows. */
  forward(x: Input): Variable {
    return maxPool2d(x, this.kernelSize, this.options);
  }
}

/** PyTorch's `nn.AvgPool1d`: `avgPool1d` over [N, C, L]. */
export class AvgPool1d extends Pool<AvgPoolOptions> {
  /** The means of the windows. */
  forward(x: Input): Variable {
    return avgPool1d(x, this.kernelSize, this.options);
  }
}

/** PyTorch's `nn.AvgPool2d`: `avgPool2d` over [N, C, H, W]. */
export class AvgPool2d extends Pool<AvgPoolOptions> {
  /** The means of the windows. */
  forward(x: Input): Variable {
    return avgPool2d(x, this.kernelSize, this.options);
  }
}
