import { type Variable, fusedLayerNorm } from '@nablajs/autograd';
import {
  type Backend,
  type DType,
  NablaError,
  ShapeError,
  fmtShape,
  getBackend,
  ones,
  zeros,
} from '@nablajs/tensor';
import { type Input, Module, Parameter, asVariable } from './module.js';

/** Where the parameters of a normalization layer live. */
export interface NormOptions {
  /** Learn a per-element scale `weight` (ones at first) and, for LayerNorm, shift `bias` (default true). */
  elementwiseAffine?: boolean;
  /** float32 (default) or float64 (CPU backend). */
  dtype?: DType;
  /** The backend of the parameters (default: the one chosen with `useBackend`). */
  backend?: Backend;
}

/** Options of `LayerNorm`. */
export interface LayerNormOptions extends NormOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Learn `bias` too (default true; only with `elementwiseAffine`). */
  bias?: boolean;
}

/** Options of `RMSNorm`. */
export interface RMSNormOptions extends NormOptions {
  /** Added to the mean square (default: the machine epsilon of the input's dtype, as PyTorch). */
  eps?: number;
}

/** Options of the functional `layerNorm`. */
export interface LayerNormFnOptions {
  /** Scale, of the normalized shape. */
  weight?: Variable;
  /** Shift, of the normalized shape. */
  bias?: Variable;
  /** Added to the variance (default 1e-5). */
  eps?: number;
}

/** Options of the functional `rmsNorm`. */
export interface RMSNormFnOptions {
  /** Scale, of the normalized shape. */
  weight?: Variable;
  /** Added to the mean square (default: the machine epsilon of the input's dtype). */
  eps?: number;
}

/** The machine epsilon of float32 and float64 (PyTorch's `torch.finfo(dtype).eps`). */
const MACHINE_EPS = {
  float32: 2 ** -23,
  float64: 2 ** -52,
  int32: 2 ** -23,
  bool: 2 ** -23,
} as const;

function shapeOf(op: string, normalizedShape: number | readonly number[]): number[] {
  const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  if (shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d < 1))
    throw new ShapeError(
      op,
      `normalizedShape must be positive integers, got ${fmtShape(shape)}`,
      'e.g. the size of the last axis, or the sizes of the last few',
    );
  return shape;
}

/** The last `shape.length` axes of `x`, checked to be `shape`. */
function trailingAxes(op: string, x: Variable, shape: readonly number[]): number[] {
  const k = shape.length;
  const tail = x.shape.slice(x.rank - k);
  if (x.rank < k || tail.some((d, i) => d !== shape[i]))
    throw new ShapeError(
      op,
      `input ${fmtShape(x.shape)} does not end in the normalized shape ${fmtShape(shape)}`,
      `the last ${k} axes are normalized together`,
    );
  return shape.map((_, i) => x.rank - k + i);
}

function checkEps(op: string, eps: number): number {
  if (typeof eps !== 'number' || !(eps >= 0) || !Number.isFinite(eps))
    throw new NablaError(op, `eps must be a finite number ≥ 0, got ${String(eps)}`);
  return eps;
}

/**
 * Layer normalization (Ba et al. 2016; PyTorch's `F.layer_norm`): over the last axes, the given
 * `normalizedShape`, (x − mean)/√(var + eps) with the biased variance, then `· weight + bias`.
 */
export function layerNorm(
  x: Input,
  normalizedShape: number | readonly number[],
  opts: LayerNormFnOptions = {},
): Variable {
  const v = asVariable(x);
  const axes = trailingAxes('layerNorm', v, shapeOf('layerNorm', normalizedShape));
  const eps = checkEps('layerNorm', opts.eps ?? 1e-5);
  // the normalized axes as one last axis: one kernel each way (fusedLayerNorm)
  const size = axes.reduce((n, a) => n * v.shape[a]!, 1);
  const flat = axes.length === 1 ? v : v.reshape([...v.shape.slice(0, axes[0]), size]);
  const y = fusedLayerNorm(flat, eps).reshape(v.shape);
  const scaled = opts.weight ? y.mul(opts.weight) : y;
  return opts.bias ? scaled.add(opts.bias) : scaled;
}

/**
 * Root-mean-square normalization (Zhang & Sennrich 2019; PyTorch 2.4's `F.rms_norm`): over the last
 * axes, x/√(mean(x²) + eps), then `· weight`.
 */
export function rmsNorm(
  x: Input,
  normalizedShape: number | readonly number[],
  opts: RMSNormFnOptions = {},
): Variable {
  const v = asVariable(x);
  const axes = trailingAxes('rmsNorm', v, shapeOf('rmsNorm', normalizedShape));
  const eps = checkEps('rmsNorm', opts.eps ?? MACHINE_EPS[v.dtype]);
  const y = v.div(v.square().mean(axes, true).add(eps).sqrt());
  return opts.weight ? y.mul(opts.weight) : y;
}

function affine(
  op: string,
  shape: readonly number[],
  opts: NormOptions,
  init: typeof ones,
  name: string,
): Parameter {
  const backend = opts.backend ?? getBackend(op);
  return new Parameter(init(shape, { dtype: opts.dtype ?? 'float32', backend }), true, name);
}

/**
 * Layer normalization over the last axes (PyTorch's `nn.LayerNorm`): `weight` (ones) and `bias`
 * (zeros) of the normalized shape, as in PyTorch's state dicts.
 */
export class LayerNorm extends Module {
  /** The sizes of the normalized trailing axes. */
  readonly normalizedShape: readonly number[];
  /** Added to the variance before the square root. */
  readonly eps: number;
  /** The per-element scale; null without `elementwiseAffine`. */
  readonly weight: Parameter | null;
  /** The per-element shift; null without `elementwiseAffine` or with `bias: false`. */
  readonly bias: Parameter | null;

  constructor(normalizedShape: number | readonly number[], opts: LayerNormOptions = {}) {
    super();
    this.normalizedShape = shapeOf('LayerNorm', normalizedShape);
    this.eps = checkEps('LayerNorm', opts.eps ?? 1e-5);
    const learn = opts.elementwiseAffine ?? true;
    this.weight = learn ? affine('LayerNorm', this.normalizedShape, opts, ones, 'weight') : null;
    this.bias =
      learn && (opts.bias ?? true)
        ? affine('LayerNorm', this.normalizedShape, opts, zeros, 'bias')
        : null;
  }

  /** Normalizes `x` over its last axes, then scales and shifts. */
  forward(x: Input): Variable {
    return layerNorm(x, this.normalizedShape, {
      eps: this.eps,
      ...(this.weight && { weight: this.weight }),
      ...(this.bias && { bias: this.bias }),
    });
  }

  protected override extraRepr(): string {
    return `[${this.normalizedShape.join(', ')}], eps=${this.eps}, elementwiseAffine=${this.weight !== null}`;
  }
}

/**
 * Root-mean-square normalization over the last axes (PyTorch 2.4's `nn.RMSNorm`): `weight` (ones)
 * of the normalized shape; `eps` defaults to the input dtype's machine epsilon.
 */
export class RMSNorm extends Module {
  /** The sizes of the normalized trailing axes. */
  readonly normalizedShape: readonly number[];
  /** Added to the mean square; undefined: the machine epsilon of the input's dtype. */
  readonly eps: number | undefined;
  /** The per-element scale; null without `elementwiseAffine`. */
  readonly weight: Parameter | null;

  constructor(normalizedShape: number | readonly number[], opts: RMSNormOptions = {}) {
    super();
    this.normalizedShape = shapeOf('RMSNorm', normalizedShape);
    this.eps = opts.eps === undefined ? undefined : checkEps('RMSNorm', opts.eps);
    this.weight =
      (opts.elementwiseAffine ?? true)
        ? affine('RMSNorm', this.normalizedShape, opts, ones, 'weight')
        : null;
  }

  /** Divides `x` by its root mean square over the last axes, then scales. */
  forward(x: Input): Variable {
    return rmsNorm(x, this.normalizedShape, {
      ...(this.eps !== undefined && { eps: this.eps }),
      ...(this.weight && { weight: this.weight }),
    });
  }

  protected override extraRepr(): string {
    return `[${this.normalizedShape.join(', ')}], eps=${this.eps ?? 'machine epsilon'}, elementwiseAffine=${this.weight !== null}`;
  }
}
