import { type Variable, col2im, conv as convVar, im2col } from '@nablajs/autograd';
import {
  ShapeError,
  type SpatialArg,
  fmtShape,
  isFloat,
  spatial,
  windowGeometry,
} from '@nablajs/tensor';
import { type Input, asVariable } from './module.js';

/** Options of `conv1d` and `conv2d` (PyTorch's `F.conv2d` keywords). */
export interface ConvOptions {
  /** The step between windows (default 1). */
  stride?: SpatialArg;
  /**
   * Zero padding on both sides (default 0); `'valid'` is 0, `'same'` keeps the spatial size (stride
   * 1 only; an odd total goes one more to the right, as in PyTorch).
   */
  padding?: SpatialArg | 'same' | 'valid';
  /** The step between a window's elements (default 1). */
  dilation?: SpatialArg;
  /** Channels split into `groups` independent convolutions (default 1); both channel counts must divide. */
  groups?: number;
}

/** Options of `convTranspose2d` (PyTorch's `F.conv_transpose2d` keywords). */
export interface ConvTransposeOptions {
  /** The stride of the convolution this one transposes (default 1). */
  stride?: SpatialArg;
  /** The padding of the convolution this one transposes: trimmed from the output (default 0). */
  padding?: SpatialArg;
  /** Extra size added to one side of the output, to reach sizes a stride skips (default 0, < stride). */
  outputPadding?: SpatialArg;
  /** Independent groups of channels (default 1). */
  groups?: number;
  /** The dilation of the kernel (default 1). */
  dilation?: SpatialArg;
}

const NAMES = ['', 'L', 'H, W', 'D, H, W'];

/** `x` as a batch [N, C, ...spatial] (an unbatched [C, ...spatial] gains N = 1) and whether it did. */
export function batched(op: string, x: Variable, d: number): [Variable, boolean] {
  if (x.rank === d + 2) return [x, false];
  if (x.rank === d + 1) return [x.unsqueeze(0), true];
  throw new ShapeError(
    op,
    `input ${fmtShape(x.shape)} is not [N, C, ${NAMES[d]}] (or unbatched [C, ${NAMES[d]}])`,
    'channels come before the spatial axes (NCHW)',
  );
}

function checkGroups(op: string, groups: number, inC: number, outC: number): void {
  if (!Number.isInteger(groups) || groups < 1 || inC % groups || outC % groups)
    throw new ShapeError(
      op,
      `groups ${groups} must be a positive integer dividing both channel counts (${inC} in, ${outC} out)`,
    );
}

function checkBias(op: string, b: Variable | undefined, outC: number): void {
  if (b && (b.rank !== 1 || b.shape[0] !== outC))
    throw new ShapeError(op, `bias ${fmtShape(b.shape)} must be [${outC}], one per output channel`);
}

/** Adds a per-channel bias to [N, C, ...spatial]. */
function addBias(y: Variable, b: Variable | undefined): Variable {
  if (!b) return y;
  return y.add(b.reshape([b.shape[0]!, ...y.shape.slice(2).map(() => 1)]));
}

/**
 * A convolution with `d` spatial axes: one node (autograd's `conv`: the fused conv of @nablajs/tensor) for
 * one group; im2col, a grouped batched matmul with the weight and the bias otherwise.
 */
function convNd(
  op: string,
  d: number,
  input: Input,
  weight: Input,
  bias: Input | null | undefined,
  opts: ConvOptions,
): Variable {
  const [x, unbatched] = batched(op, asVariable(input), d);
  const w = asVariable(weight);
  const b = bias ? asVariable(bias) : undefined;
  const groups = opts.groups ?? 1;
  if (w.rank !== d + 2)
    throw new ShapeError(
      op,
      `weight ${fmtShape(w.shape)} is not [out, in/groups, ${NAMES[d]!.replace(/[A-Z]/g, (c) => 'k' + c.toLowerCase())}]`,
    );
  const [N, C] = [x.shape[0]!, x.shape[1]!];
  const O = w.shape[0]!;
  checkGroups(op, groups, C, O);
  if (w.shape[1]! * groups !== C)
    throw new ShapeError(
      op,
      `input ${fmtShape(x.shape)} has ${C} channel${C === 1 ? '' : 's'}, weight ${fmtShape(w.shape)} with groups ${groups} expects ${w.shape[1]! * groups}`,
    );
  checkBias(op, b, O);
  const kernel = w.shape.slice(2);
  const stride = spatial(op, 'stride', opts.stride ?? 1, d, 1);
  const dilation = spatial(op, 'dilation', opts.dilation ?? 1, d, 1);
  const pad = opts.padding ?? 0;
  // 'same': total padding dilation·(k − 1) per axis; an odd total pads one more on the right,
  // done as one more on both sides and the first output dropped
  let padding: number[];
  let trim: boolean[] = kernel.map(() => false);
  if (pad === 'same') {
    if (stride.some((s) => s !== 1))
      throw new ShapeError(op, `padding 'same' needs stride 1, got ${fmtShape(stride)}`);
    const total = kernel.map((k, i) => dilation[i]! * (k - 1));
    padding = total.map((t) => Math.ceil(t / 2));
    trim = total.map((t) => t % 2 === 1);
  } else padding = pad === 'valid' ? kernel.map(() => 0) : spatial(op, 'padding', pad, d, 0);
  const window = { kernelSize: kernel, stride, padding, dilation };
  const { output } = windowGeometry(op, x.shape.slice(2), window);
  let y: Variable;
  if (groups === 1 && isFloat(x.dtype) && w.dtype === x.dtype && (!b || b.dtype === x.dtype))
    y = convVar(x, w, b, window); // one node, the bias included
  else {
    const cols = im2col(x, window); // [N, C·K, L]
    y = w.reshape([groups, O / groups, -1]).matmul(cols.reshape([N, groups, -1, cols.shape[2]!]));
    y = addBias(y.reshape([N, O, ...output]), b);
  }
  if (trim.some(Boolean))
    y = y.slice([null, null, ...trim.map((t) => (t ? ([1] as const) : null))]);
  return unbatched ? y.squeeze(0) : y;
}

/**
 * PyTorch's `F.conv1d`: `input` [N, C, L] (or [C, L]) with `weight` [out, C/groups, k] and an
 * optional `bias` [out] gives [N, out, L'] (cross-correlation, as every deep-learning library).
 */
export function conv1d(
  input: Input,
  weight: Input,
  bias?: Input | null,
  opts: ConvOptions = {},
): Variable {
  return convNd('conv1d', 1, input, weight, bias, opts);
}

/**
 * PyTorch's `F.conv2d`: `input` [N, C, H, W] (or [C, H, W]) with `weight` [out, C/groups, kH, kW]
 * and an optional `bias` [out] gives [N, out, H', W']. One node of the graph (im2col and a matmul
 * in one kernel where the backend has it), differentiable in all three, to any order.
 */
export function conv2d(
  input: Input,
  weight: Input,
  bias?: Input | null,
  opts: ConvOptions = {},
): Variable {
  return convNd('conv2d', 2, input, weight, bias, opts);
}

/**
 * PyTorch's `F.conv_transpose2d` (the gradient of `conv2d` with respect to its input): `input`
 * [N, C, H, W] with `weight` [C, out/groups, kH, kW] gives [N, out, H', W'] with
 * H' = (H − 1)·stride − 2·padding + dilation·(kH − 1) + outputPadding + 1.
 */
export function convTranspose2d(
  input: Input,
  weight: Input,
  bias?: Input | null,
  opts: ConvTransposeOptions = {},
): Variable {
  const op = 'convTranspose2d';
  const d = 2;
  const [x, unbatched] = batched(op, asVariable(input), d);
  const w = asVariable(weight);
  const b = bias ? asVariable(bias) : undefined;
  const groups = opts.groups ?? 1;
  if (w.rank !== d + 2)
    throw new ShapeError(op, `weight ${fmtShape(w.shape)} is not [in, out/groups, kH, kW]`);
  const [N, C] = [x.shape[0]!, x.shape[1]!];
  const O = w.shape[1]! * groups;
  checkGroups(op, groups, C, O);
  if (w.shape[0] !== C)
    throw new ShapeError(
      op,
      `input ${fmtShape(x.shape)} has ${C} channel${C === 1 ? '' : 's'}, weight ${fmtShape(w.shape)} expects ${w.shape[0]}`,
    );
  checkBias(op, b, O);
  const kernel = w.shape.slice(2);
  const stride = spatial(op, 'stride', opts.stride ?? 1, d, 1);
  const padding = spatial(op, 'padding', opts.padding ?? 0, d, 0);
  const dilation = spatial(op, 'dilation', opts.dilation ?? 1, d, 1);
  const outPad = spatial(op, 'outputPadding', opts.outputPadding ?? 0, d, 0);
  if (outPad.some((p, i) => p >= stride[i]!))
    throw new ShapeError(
      op,
      `outputPadding ${fmtShape(outPad)} must be smaller than stride ${fmtShape(stride)}`,
    );
  const inS = x.shape.slice(2);
  const size = inS.map(
    (n, i) =>
      (n - 1) * stride[i]! - 2 * padding[i]! + dilation[i]! * (kernel[i]! - 1) + outPad[i]! + 1,
  );
  if (size.some((s) => s < 1))
    throw new ShapeError(op, `input ${fmtShape(x.shape)} gives an empty output ${fmtShape(size)}`);
  const L = inS.reduce((a, v) => a * v, 1);
  // columns [N, out·K, L] = weightᵀ per group @ input, then summed into place by col2im
  const wg = w.reshape([groups, C / groups, -1]).transpose(); // [g, (out/g)·K, C/g]
  const cols = wg.matmul(x.reshape([N, groups, C / groups, L])).reshape([N, -1, L]);
  const y = addBias(col2im(cols, size, { kernelSize: kernel, stride, padding, dilation }), b);
  return unbatched ? y.squeeze(0) : y;
}
