import type { Variable } from '@nablajs/autograd';
import {
  type Backend,
  type DType,
  ShapeError,
  type SpatialArg,
  fmtShape,
  getBackend,
  spatial,
  zeros,
} from '@nablajs/tensor';
import {
  type ConvOptions,
  type ConvTransposeOptions,
  conv1d,
  conv2d,
  convTranspose2d,
} from './functional-conv.js';
import { uniform } from './init.js';
import { type Input, Module, Parameter, asVariable } from './module.js';

/** Where a layer's parameters live and what they hold. */
interface ParamOptions {
  /** Learn an additive bias per output channel (default true). */
  bias?: boolean;
  /** float32 (default) or float64 (CPU backend). */
  dtype?: DType;
  /** The backend of the parameters (default: the one chosen with `useBackend`). */
  backend?: Backend;
}

/** Options of `Conv1d` and `Conv2d`: the functional options plus the parameters'. */
export interface ConvLayerOptions extends ConvOptions, ParamOptions {}
/** Options of `ConvTranspose2d`. */
export interface ConvTransposeLayerOptions extends ConvTransposeOptions, ParamOptions {}

/** `3` for a square kernel, `3×5` otherwise. */
const fmtKernel = (k: readonly number[]): string =>
  k.every((v) => v === k[0]) ? String(k[0]) : k.join('×');

/**
 * What the convolution layers share: PyTorch's parameters and their default initialisation, and
 * the channel check that names the layer (`Conv2d(3→16, k=3): input [8,1,28,28] has 1 channel,
 * expected 3`).
 */
abstract class ConvBase extends Module {
  /** The kernel's size per spatial axis. */
  readonly kernelSize: readonly number[];
  /** The learned filters: [out, in/groups, ...k] (Conv) or [in, out/groups, ...k] (ConvTranspose). */
  readonly weight: Parameter;
  /** One bias per output channel, [out]; null with `{ bias: false }`. */
  readonly bias: Parameter | null;

  constructor(
    op: string,
    d: number,
    /** The channels of the input. */
    readonly inChannels: number,
    /** The channels of the output. */
    readonly outChannels: number,
    kernelSize: SpatialArg,
    /** Independent groups of channels. */
    readonly groups: number,
    transposed: boolean,
    opts: ParamOptions,
  ) {
    super();
    for (const [what, n] of [
      ['inChannels', inChannels],
      ['outChannels', outChannels],
      ['groups', groups],
    ] as const)
      if (!Number.isInteger(n) || n < 1)
        throw new ShapeError(op, `${what} must be a positive integer, got ${n}`);
    if (inChannels % groups || outChannels % groups)
      throw new ShapeError(
        op,
        `groups ${groups} must divide inChannels ${inChannels} and outChannels ${outChannels}`,
      );
    this.kernelSize = spatial(op, 'kernelSize', kernelSize, d, 1);
    const dtype = opts.dtype ?? 'float32';
    const backend = opts.backend ?? getBackend(op);
    const shape = transposed
      ? [inChannels, outChannels / groups, ...this.kernelSize]
      : [outChannels, inChannels / groups, ...this.kernelSize];
    // PyTorch: kaiming_uniform_(a=√5) is U(±1/√fanIn), fanIn = shape[1]·∏k; the bias uses it too
    const fanIn = shape.slice(1).reduce((a, b) => a * b, 1);
    const bound = 1 / Math.sqrt(fanIn);
    this.weight = new Parameter(zeros(shape, { dtype, backend }), true, 'weight');
    uniform(this.weight, { low: -bound, high: bound });
    this.bias = null;
    if (opts.bias ?? true) {
      this.bias = new Parameter(zeros([outChannels], { dtype, backend }), true, 'bias');
      uniform(this.bias, { low: -bound, high: bound });
    }
  }

  /** `Conv2d(3→16, k=3)`: how errors name the layer. */
  protected label(): string {
    return `${this.constructor.name}(${this.inChannels}→${this.outChannels}, k=${fmtKernel(this.kernelSize)})`;
  }

  /** The input as a Variable, its channel axis checked against `inChannels`. */
  protected checked(x: Input): Variable {
    const v = asVariable(x);
    const d = this.kernelSize.length;
    const axis = v.rank === d + 1 ? 0 : 1; // unbatched [C, ...] or [N, C, ...]
    if (v.rank !== d + 1 && v.rank !== d + 2)
      throw new ShapeError(
        this.label(),
        `input ${fmtShape(v.shape)} has rank ${v.rank}, expected ${d + 2} ([N, C, ...spatial]) or ${d + 1}`,
      );
    const c = v.shape[axis]!;
    if (c !== this.inChannels)
      throw new ShapeError(
        this.label(),
        `input ${fmtShape(v.shape)} has ${c} channel${c === 1 ? '' : 's'}, expected ${this.inChannels}`,
      );
    return v;
  }
}

/** Conv1d and Conv2d: a convolution with its options. */
abstract class Conv extends ConvBase {
  /** Stride, padding, dilation and groups, as given. */
  readonly options: ConvOptions;
  constructor(
    op: string,
    d: number,
    inChannels: number,
    outChannels: number,
    kernelSize: SpatialArg,
    opts: ConvLayerOptions,
  ) {
    super(op, d, inChannels, outChannels, kernelSize, opts.groups ?? 1, false, opts);
    const { stride, padding, dilation, groups } = opts;
    if (padding === 'same' && spatial(op, 'stride', stride ?? 1, d, 1).some((s) => s !== 1))
      throw new ShapeError(op, `padding 'same' needs stride 1, got ${JSON.stringify(stride)}`);
    this.options = { stride, padding, dilation, groups };
  }
  protected override extraRepr(): string {
    const extra = Object.entries(this.options)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `, ${k}=${JSON.stringify(v)}`);
    return `${this.inChannels}, ${this.outChannels}, kernelSize=${fmtShape(this.kernelSize)}${extra.join('')}, bias=${this.bias !== null}`;
  }
}

/**
 * PyTorch's `nn.Conv1d`: [N, inChannels, L] → [N, outChannels, L'], with `weight`
 * [out, in/groups, k] and `bias` [out], both from U(±1/√(in/groups·k)) as in PyTorch.
 */
export class Conv1d extends Conv {
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: SpatialArg,
    opts: ConvLayerOptions = {},
  ) {
    super('Conv1d', 1, inChannels, outChannels, kernelSize, opts);
  }
  /** The convolution of `x` [N, C, L] (or [C, L]). */
  forward(x: Input): Variable {
    return conv1d(this.checked(x), this.weight, this.bias, this.options);
  }
}

/**
 * PyTorch's `nn.Conv2d`: [N, inChannels, H, W] → [N, outChannels, H', W'], with `weight`
 * [out, in/groups, kH, kW] and `bias` [out], both from U(±1/√(in/groups·kH·kW)) as in PyTorch.
 */
export class Conv2d extends Conv {
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: SpatialArg,
    opts: ConvLayerOptions = {},
  ) {
    super('Conv2d', 2, inChannels, outChannels, kernelSize, opts);
  }
  /** The convolution of `x` [N, C, H, W] (or [C, H, W]). */
  forward(x: Input): Variable {
    return conv2d(this.checked(x), this.weight, this.bias, this.options);
  }
}

/**
 * PyTorch's `nn.ConvTranspose2d` (a "deconvolution", the gradient of a Conv2d with respect to its
 * input): [N, in, H, W] → [N, out, H', W'], with `weight` [in, out/groups, kH, kW] and `bias` [out],
 * both from U(±1/√(out/groups·kH·kW)) as in PyTorch.
 */
export class ConvTranspose2d extends ConvBase {
  /** Stride, padding, outputPadding, dilation and groups, as given. */
  readonly options: ConvTransposeOptions;
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: SpatialArg,
    opts: ConvTransposeLayerOptions = {},
  ) {
    super('ConvTranspose2d', 2, inChannels, outChannels, kernelSize, opts.groups ?? 1, true, opts);
    const { stride, padding, outputPadding, dilation, groups } = opts;
    this.options = { stride, padding, outputPadding, dilation, groups };
  }
  /** The transposed convolution of `x` [N, C, H, W] (or [C, H, W]). */
  forward(x: Input): Variable {
    return convTranspose2d(this.checked(x), this.weight, this.bias, this.options);
  }
  protected override extraRepr(): string {
    const extra = Object.entries(this.options)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `, ${k}=${JSON.stringify(v)}`);
    return `${this.inChannels}, ${this.outChannels}, kernelSize=${fmtShape(this.kernelSize)}${extra.join('')}, bias=${this.bias !== null}`;
  }
}
