import { type Variable, linear, where } from '@nablajs/autograd';
import {
  type DType,
  NablaError,
  ShapeError,
  fmtShape,
  getBackend,
  zeros,
  type Backend,
} from '@nablajs/tensor';
import { uniform } from './init.js';
import { type Input, Module, Parameter, asVariable } from './module.js';

/** Options of `Linear`. */
export interface LinearOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** float32 (default) or float64 (CPU backend). */
  dtype?: DType;
  /** The backend of the weights (default: the one chosen with `useBackend`). */
  backend?: Backend;
}

/**
 * A fully connected layer, `y = x·Wᵀ + b`, with `weight` [out, in] and `bias` [out] as in PyTorch.
 * Both start from PyTorch's default, U(−1/√in, 1/√in) (Kaiming-uniform with a = √5); re-initialize
 * with `init` (e.g. `init.nielsen(layer.weight)`).
 */
export class Linear extends Module {
  /** The weight W, [outFeatures, inFeatures]. */
  readonly weight: Parameter;
  /** The bias b, [outFeatures]; null with `{ bias: false }`. */
  readonly bias: Parameter | null;

  constructor(
    /** The size of each input (its last axis). */
    readonly inFeatures: number,
    /** The size of each output. */
    readonly outFeatures: number,
    opts: LinearOptions = {},
  ) {
    super();
    for (const [what, n] of [
      ['inFeatures', inFeatures],
      ['outFeatures', outFeatures],
    ] as const)
      if (!Number.isInteger(n) || n < 0)
        throw new ShapeError('Linear', `${what} must be a non-negative integer, got ${n}`);
    const dtype = opts.dtype ?? 'float32';
    const backend = opts.backend ?? getBackend('Linear');
    const bound = inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0;
    this.weight = new Parameter(
      zeros([outFeatures, inFeatures], { dtype, backend }),
      true,
      'weight',
    );
    uniform(this.weight, { low: -bound, high: bound });
    this.bias = null;
    if (opts.bias ?? true) {
      this.bias = new Parameter(zeros([outFeatures], { dtype, backend }), true, 'bias');
      uniform(this.bias, { low: -bound, high: bound });
    }
  }

  /** x·Wᵀ + b for `x` of shape [..., inFeatures], as one `linear` node. */
  forward(x: Input): Variable {
    const v = asVariable(x);
    if (v.rank === 0 || v.shape[v.rank - 1] !== this.inFeatures)
      throw new ShapeError(
        'Linear',
        `input ${fmtShape(v.shape)} does not end in ${this.inFeatures} features (${this.toString()})`,
        `the last axis holds the features, e.g. [batch, ${this.inFeatures}]`,
      );
    return linear(v, this.weight, this.bias ?? undefined);
  }

  protected override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}

/**
 * Modules applied one after the other (a feed-forward container). Children are named '0', '1', …,
 * so a state dict matches PyTorch's `nn.Sequential`; `seq[i]` is the i-th module.
 */
export class Sequential extends Module {
  readonly [index: number]: Module;
  /** The modules in order, for `forward` (a private field: discovery still goes by the indices). */
  readonly #modules: readonly Module[];

  constructor(...modules: Module[]) {
    super();
    this.#modules = [...modules];
    modules.forEach((m, i) => {
      if (!(m instanceof Module))
        throw new NablaError('Sequential', `argument ${i} is not a Module`);
      // integer keys enumerate first and in ascending order, whatever the order of definition
      Object.defineProperty(this, i, { value: m, enumerable: true });
    });
  }

  /** The number of modules. */
  get length(): number {
    return this.namedChildren().length;
  }

  /** Applies each module in turn to the output of the one before. */
  forward(x: Input): Variable {
    let v = asVariable(x);
    // the fixed indices (non-writable), not children(): that walks and checks every property
    for (const m of this.#modules) v = m.forward(v);
    return v;
  }

  /** The modules, in order (`for (const m of seq)`). */
  [Symbol.iterator](): Iterator<Module> {
    return this.children()[Symbol.iterator]();
  }
}

/** Applies a function of one Variable: the base of the parameter-free activation layers. */
export abstract class Activation extends Module {
  /** The function itself, on a Variable. */
  protected abstract activate(x: Variable): Variable;
  /** The function applied to `x` (a Tensor is taken as a constant input). */
  forward(x: Input): Variable {
    return this.activate(asVariable(x));
  }
}

/** Returns its input: a placeholder where a layer is optional. */
export class Identity extends Activation {
  protected activate(x: Variable): Variable {
    return x;
  }
}

/** σ(x) = 1 / (1 + e^−x). */
export class Sigmoid extends Activation {
  protected activate(x: Variable): Variable {
    return x.sigmoid();
  }
}

/** tanh(x), the hyperbolic tangent. */
export class Tanh extends Activation {
  protected activate(x: Variable): Variable {
    return x.tanh();
  }
}

/** max(x, 0). */
export class ReLU extends Activation {
  protected activate(x: Variable): Variable {
    return x.relu();
  }
}

/** x for x > 0, `negativeSlope`·x otherwise (gradient `negativeSlope` at 0, as in PyTorch). */
export class LeakyReLU extends Activation {
  constructor(
    /** The slope for x < 0 (default 0.01). */
    readonly negativeSlope = 0.01,
  ) {
    super();
  }
  protected activate(x: Variable): Variable {
    return where(x.data.gt(0), x, x.mul(this.negativeSlope));
  }
  protected override extraRepr(): string {
    return `negativeSlope=${this.negativeSlope}`;
  }
}

/** exp(x) / Σ exp(x) along `axis` (shifted by the maximum, so large inputs stay finite). */
export class Softmax extends Activation {
  constructor(
    /** The axis the probabilities sum to 1 along (default the last). */
    readonly axis = -1,
  ) {
    super();
  }
  protected activate(x: Variable): Variable {
    return x.softmax(this.axis);
  }
  protected override extraRepr(): string {
    return `axis=${this.axis}`;
  }
}

/** log softmax along `axis`, computed stably (x − max − log Σ exp(x − max)). */
export class LogSoftmax extends Activation {
  constructor(
    /** The axis to normalize along (default the last). */
    readonly axis = -1,
  ) {
    super();
  }
  protected activate(x: Variable): Variable {
    return x.logSoftmax(this.axis);
  }
  protected override extraRepr(): string {
    return `axis=${this.axis}`;
  }
}

/**
 * Merges axes `startDim..endDim` (inclusive) into one (PyTorch's `nn.Flatten`): by default every
 * axis after the batch, so [N, 16, 5, 5] becomes [N, 400] between the convolutions and a `Linear`.
 */
export class Flatten extends Module {
  constructor(
    /** The first axis to merge (default 1, keeping the batch axis). */
    readonly startDim = 1,
    /** The last axis to merge, inclusive (default −1, the last). */
    readonly endDim = -1,
  ) {
    super();
  }

  /** `x` with axes `startDim..endDim` merged; a view, no copy, when `x` is contiguous. */
  forward(x: Input): Variable {
    const v = asVariable(x);
    const norm = (a: number) => (a < 0 ? a + v.rank : a);
    const [s, e] = [norm(this.startDim), norm(this.endDim)];
    if (v.rank === 0 || s < 0 || e >= v.rank || s > e)
      throw new ShapeError(
        `Flatten(startDim=${this.startDim}, endDim=${this.endDim})`,
        `cannot merge axes ${this.startDim}..${this.endDim} of input ${fmtShape(v.shape)}`,
        s > e && s < v.rank && e >= 0
          ? 'startDim must not come after endDim'
          : `the input has ${v.rank} axes`,
      );
    return v.flatten(s, e);
  }

  protected override extraRepr(): string {
    return `startDim=${this.startDim}, endDim=${this.endDim}`;
  }
}
