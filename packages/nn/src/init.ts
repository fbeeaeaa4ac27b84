import { Variable } from '@nablajs/autograd';
import { NablaError, ShapeError, Tensor, fmtShape, rand, randn } from '@nablajs/tensor';

/** A parameter (or any Variable) or a bare Tensor: initializers write into its tensor in place. */
export type Initializable = Variable | Tensor;

/** Which fan Kaiming initialization scales by; PyTorch's snake_case spellings work too. */
export type FanMode = 'fanIn' | 'fanOut' | 'fan_in' | 'fan_out';
/** The activations `calculateGain` knows; PyTorch's snake_case spellings work too. */
export type Nonlinearity =
  'linear' | 'identity' | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'leaky_relu' | 'selu';

/** Draw from the stream of `seed` (from its start) instead of the global generator (`manualSeed`). */
export interface SeedOption {
  /** The seed whose stream to draw from. */
  seed?: number;
}

function tensorOf(p: Initializable): Tensor {
  return p instanceof Variable ? p.data : p;
}

function shapeOf(x: Initializable | readonly number[]): readonly number[] {
  return Array.isArray(x) ? x : tensorOf(x as Initializable).shape;
}

function fans(op: string, x: Initializable | readonly number[]): [number, number] {
  const shape = shapeOf(x);
  if (shape.length < 2)
    throw new ShapeError(
      op,
      `fan in and fan out need a tensor of rank ≥ 2, got ${fmtShape(shape)}`,
      'initialize biases with uniform, normal or zeros',
    );
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return [shape[1]! * receptive, shape[0]! * receptive];
}

/** Inputs per output unit: `shape[1]·Π shape[2:]` (a Linear weight [out, in] has fan in `in`). */
export function fanIn(x: Initializable | readonly number[]): number {
  return fans('fanIn', x)[0];
}

/** Outputs per input unit: `shape[0]·Π shape[2:]`. */
export function fanOut(x: Initializable | readonly number[]): number {
  return fans('fanOut', x)[1];
}

/** PyTorch's `calculate_gain`: the std gain that keeps activations' variance through `nonlinearity`. */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'identity':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leakyRelu':
    case 'leaky_relu': {
      const a = param ?? 0.01;
      return Math.sqrt(2 / (1 + a * a));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new NablaError(
        'calculateGain',
        `unknown nonlinearity '${String(nonlinearity)}'`,
        "use 'linear', 'sigmoid', 'tanh', 'relu', 'leakyRelu' or 'selu'",
      );
  }
}

function fill<P extends Initializable>(
  p: P,
  make: (shape: readonly number[], t: Tensor) => Tensor,
): P {
  const t = tensorOf(p);
  const value = make(t.shape, t);
  t.assign(value);
  value.dispose();
  return p;
}

const floatOf = (t: Tensor) => (t.dtype === 'float64' ? 'float64' : 'float32');

/** Fills with N(mean, std²), in place. */
export function normal<P extends Initializable>(
  p: P,
  opts: { mean?: number; std?: number } & SeedOption = {},
): P {
  const { mean = 0, std = 1, seed } = opts;
  if (!(std >= 0)) throw new NablaError('init.normal', `std must be ≥ 0, got ${std}`);
  return fill(p, (shape, t) => {
    const z = randn(shape, {
      dtype: floatOf(t),
      backend: t.backend,
      ...(seed === undefined ? {} : { seed }),
    });
    const out = z.mul(std).add(mean);
    z.dispose();
    return out;
  });
}

/** Fills with U(low, high), in place. */
export function uniform<P extends Initializable>(
  p: P,
  opts: { low?: number; high?: number } & SeedOption = {},
): P {
  const { low = 0, high = 1, seed } = opts;
  if (!(high >= low))
    throw new NablaError('init.uniform', `needs low ≤ high, got low=${low}, high=${high}`);
  return fill(p, (shape, t) => {
    const u = rand(shape, {
      dtype: floatOf(t),
      backend: t.backend,
      ...(seed === undefined ? {} : { seed }),
    });
    const out = u.mul(high - low).add(low);
    u.dispose();
    return out;
  });
}

/** Fills with `value`, in place. */
export function constant<P extends Initializable>(p: P, value: number): P {
  tensorOf(p).assign(value);
  return p;
}

export const zeros = <P extends Initializable>(p: P): P => constant(p, 0);
export const ones = <P extends Initializable>(p: P): P => constant(p, 1);

/** Glorot & Bengio (2010): U(−b, b) with b = gain·√(6 / (fanIn + fanOut)). */
export function xavierUniform<P extends Initializable>(
  p: P,
  opts: { gain?: number } & SeedOption = {},
): P {
  const [fi, fo] = fans('init.xavierUniform', p);
  const bound = (opts.gain ?? 1) * Math.sqrt(6 / (fi + fo));
  return uniform(p, { low: -bound, high: bound, seed: opts.seed });
}

/** Glorot & Bengio (2010): N(0, σ²) with σ = gain·√(2 / (fanIn + fanOut)). */
export function xavierNormal<P extends Initializable>(
  p: P,
  opts: { gain?: number } & SeedOption = {},
): P {
  const [fi, fo] = fans('init.xavierNormal', p);
  return normal(p, { std: (opts.gain ?? 1) * Math.sqrt(2 / (fi + fo)), seed: opts.seed });
}

/** Options of `kaimingUniform` and `kaimingNormal` (PyTorch's `a`, `mode`, `nonlinearity`). */
export interface KaimingOptions extends SeedOption {
  /** The negative slope of the leaky ReLU that follows (only with `nonlinearity: 'leakyRelu'`). */
  a?: number;
  /** `fanIn` (default) keeps the forward pass's variance, `fanOut` the backward pass's. */
  mode?: FanMode;
  /** Default `leakyRelu` with `a = 0`, i.e. ReLU's gain √2, as in PyTorch. */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(op: string, p: Initializable, opts: KaimingOptions): number {
  const { a = 0, mode = 'fanIn', nonlinearity = 'leakyRelu' } = opts;
  const [fi, fo] = fans(op, p);
  if (!['fanIn', 'fan_in', 'fanOut', 'fan_out'].includes(mode))
    throw new NablaError(op, `unknown mode '${mode}'`, "use 'fanIn' or 'fanOut'");
  const fan = mode === 'fanIn' || mode === 'fan_in' ? fi : fo;
  return calculateGain(nonlinearity, a) / Math.sqrt(fan);
}

/** He et al. (2015): U(−b, b) with b = gain·√(3 / fan). */
export function kaimingUniform<P extends Initializable>(p: P, opts: KaimingOptions = {}): P {
  const bound = Math.sqrt(3) * kaimingStd('init.kaimingUniform', p, opts);
  return uniform(p, { low: -bound, high: bound, seed: opts.seed });
}

/** He et al. (2015): N(0, σ²) with σ = gain / √fan. */
export function kaimingNormal<P extends Initializable>(p: P, opts: KaimingOptions = {}): P {
  return normal(p, { std: kaimingStd('init.kaimingNormal', p, opts), seed: opts.seed });
}

/**
 * Nielsen's initialization (neuralnetworksanddeeplearning.com, chapter 3): a weight (rank ≥ 2) gets
 * N(0, 1/fanIn), i.e. σ = 1/√fanIn; a bias (rank 1 or 0) gets N(0, 1), as in his `network2.py`.
 */
export function nielsen<P extends Initializable>(p: P, opts: SeedOption = {}): P {
  const shape = shapeOf(p);
  const std = shape.length >= 2 ? 1 / Math.sqrt(fanIn(p)) : 1;
  return normal(p, { std, seed: opts.seed });
}

/**
 * Parameter initializers, PyTorch's `torch.nn.init`. Each writes into the parameter's tensor in place
 * and returns it. Random ones draw from the Philox generator: `manualSeed(s)` or `{ seed }` reproduces.
 */
export const init = {
  /** Fills with N(mean, std²), in place. */
  normal,
  /** Fills with U(low, high), in place. */
  uniform,
  /** Fills with `value`, in place. */
  constant,
  /** Fills with 0, in place. */
  zeros,
  /** Fills with 1, in place. */
  ones,
  /** Glorot & Bengio (2010): U(−b, b) with b = gain·√(6 / (fanIn + fanOut)). */
  xavierUniform,
  /** Glorot & Bengio (2010): N(0, σ²) with σ = gain·√(2 / (fanIn + fanOut)). */
  xavierNormal,
  /** `xavierUniform` under its other name. */
  glorotUniform: xavierUniform,
  /** `xavierNormal` under its other name. */
  glorotNormal: xavierNormal,
  /** He et al. (2015): U(−b, b) with b = gain·√(3 / fan). */
  kaimingUniform,
  /** He et al. (2015): N(0, σ²) with σ = gain / √fan. */
  kaimingNormal,
  /** `kaimingUniform` under its other name. */
  heUniform: kaimingUniform,
  /** `kaimingNormal` under its other name. */
  heNormal: kaimingNormal,
  /** Nielsen's: N(0, 1/fanIn) for a weight, N(0, 1) for a bias. */
  nielsen,
  /** Inputs per output unit: `shape[1]·Π shape[2:]`. */
  fanIn,
  /** Outputs per input unit: `shape[0]·Π shape[2:]`. */
  fanOut,
  /** PyTorch's `calculate_gain` for a nonlinearity. */
  calculateGain,
};
