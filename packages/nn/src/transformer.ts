import type { Variable } from '@nablajs/autograd';
import {
  type Backend,
  type DType,
  NablaError,
  ShapeError,
  type Tensor,
  full,
  getBackend,
} from '@nablajs/tensor';
import { gelu } from './activations.js';
import { causalBias } from './attention.js';
import { ModuleList } from './containers.js';
import { Dropout } from './dropout.js';
import { Linear } from './layers.js';
import { type Input, Module, asVariable } from './module.js';
import { MultiheadAttention } from './multihead-attention.js';
import { LayerNorm } from './normalization.js';

/** The feed-forward activation of a Transformer layer: a name, or a function of a Variable. */
export type TransformerActivation = 'relu' | 'gelu' | ((x: Variable) => Variable);

/** Options of `TransformerEncoderLayer` and `TransformerDecoderLayer` (PyTorch's defaults). */
export interface TransformerLayerOptions {
  /** The hidden size of the feed-forward block (default 2048). */
  dimFeedforward?: number;
  /** Dropout after attention, inside and after the feed-forward block (default 0.1). */
  dropout?: number;
  /** The feed-forward activation (default 'relu'). */
  activation?: TransformerActivation;
  /** The LayerNorms' eps (default 1e-5). */
  layerNormEps?: number;
  /** Inputs and outputs are [batch, seq, feature] instead of [seq, batch, feature] (default false). */
  batchFirst?: boolean;
  /** Pre-norm: LayerNorm before attention and feed-forward, inside the residual (default false). */
  normFirst?: boolean;
  /** Learn biases in the linear layers and LayerNorms (default true). */
  bias?: boolean;
  /** float32 (default) or float64 (CPU backend). */
  dtype?: DType;
  /** The backend of the parameters (default: the one chosen with `useBackend`). */
  backend?: Backend;
}

function activationOf(op: string, a: TransformerActivation): (x: Variable) => Variable {
  if (typeof a === 'function') return a;
  if (a === 'relu') return (x) => x.relu();
  if (a === 'gelu') return (x) => gelu(x);
  throw new NablaError(op, `unknown activation '${String(a)}'`, "use 'relu', 'gelu' or a function");
}

/**
 * PyTorch's `nn.Transformer.generate_square_subsequent_mask`: a float [size, size] mask with −∞
 * above the diagonal and 0 elsewhere, so that position i attends to positions ≤ i (pass it as
 * `srcMask` / `tgtMask`).
 */
export function generateSquareSubsequentMask(
  size: number,
  opts: { dtype?: DType; backend?: Backend } = {},
): Tensor {
  if (!Number.isInteger(size) || size < 0)
    throw new ShapeError(
      'generateSquareSubsequentMask',
      `size must be a non-negative integer, got ${size}`,
    );
  const like = full([], 0, {
    dtype: opts.dtype ?? 'float32',
    backend: opts.backend ?? getBackend('generateSquareSubsequentMask'),
  });
  return causalBias(size, size, like);
}

/** Layer parts built from a layer's size and options: attention, linear, norm and dropout. */
function partsOf(d: number, h: number, o: TransformerLayerOptions) {
  const common = {
    dtype: o.dtype ?? 'float32',
    backend: o.backend ?? getBackend('Transformer'),
    bias: o.bias ?? true,
  };
  const p = o.dropout ?? 0.1;
  return {
    attn: () =>
      new MultiheadAttention(d, h, { ...common, dropout: p, batchFirst: o.batchFirst ?? false }),
    lin: (i: number, j: number) => new Linear(i, j, common),
    norm: () => new LayerNorm(d, { ...common, eps: o.layerNormEps ?? 1e-5 }),
    drop: () => new Dropout(p),
  };
}

/** What the two layers share: the feed-forward block, its dropouts and the options. */
abstract class TransformerLayer extends Module {
  /** The feed-forward activation. */
  protected readonly act: (x: Variable) => Variable;
  /** Pre-norm (true) or post-norm (false). */
  readonly normFirst: boolean;
  /** The options the layer was built with (for `clone()`). */
  protected readonly options: TransformerLayerOptions;

  /** The model's feature size. */
  readonly dModel: number;
  /** The number of attention heads. */
  readonly nhead: number;

  constructor(op: string, dModel: number, nhead: number, opts: TransformerLayerOptions) {
    super();
    this.dModel = dModel;
    this.nhead = nhead;
    this.options = { ...opts };
    this.act = activationOf(op, opts.activation ?? 'relu');
    this.normFirst = opts.normFirst ?? false;
  }

  /** A new layer with the same options and a copy of this one's parameters (PyTorch's deepcopy). */
  clone(): this {
    const Ctor = this.constructor as new (d: number, h: number, o: TransformerLayerOptions) => this;
    const copy = new Ctor(this.dModel, this.nhead, this.options);
    copy.loadStateDict(this.stateDict());
    copy.train(this.training);
    return copy;
  }

  /** The feed-forward block's first linear layer. */
  abstract readonly linear1: Linear;
  /** Dropout inside the feed-forward block. */
  abstract readonly dropout: Module;
  /** The feed-forward block's second linear layer. */
  abstract readonly linear2: Linear;

  /** The feed-forward block: linear2(dropout(activation(linear1(y)))). */
  protected feedForward(y: Variable): Variable {
    return this.linear2.forward(this.dropout.forward(this.act(this.linear1.forward(y))));
  }

  /** `m`'s attention of `y` over `kv` under the layer's masks, without the weights. */
  protected attend(
    m: MultiheadAttention,
    y: Variable,
    kv: Variable,
    mask?: Input,
    pad?: Input,
  ): Variable {
    return m.forwardWithWeights(y, kv, kv, {
      needWeights: false,
      ...(mask && { attnMask: mask }),
      ...(pad && { keyPaddingMask: pad }),
    })[0];
  }

  /**
   * The residual blocks in order, each a sublayer `f` with its LayerNorm: x + f(norm(x)) with
   * `normFirst`, else norm(x + f(x)).
   */
  protected residuals(x: Variable, blocks: [Module, (y: Variable) => Variable][]): Variable {
    for (const [norm, f] of blocks)
      x = this.normFirst ? x.add(f(norm.forward(x))) : norm.forward(x.add(f(x)));
    return x;
  }

  protected override extraRepr(): string {
    return `dModel=${this.dModel}, nhead=${this.nhead}, normFirst=${this.normFirst}`;
  }
}

/**
 * A Transformer encoder layer (PyTorch's `nn.TransformerEncoderLayer`): self-attention, then a
 * feed-forward block linear2(dropout(activation(linear1(x)))), each with a residual connection and
 * a LayerNorm after it (post-norm, the default) or before it (`normFirst`). Submodule names, and so
 * state-dict keys, are PyTorch's: `self_attn`, `linear1`, `dropout`, `linear2`, `norm1`, `norm2`,
 * `dropout1`, `dropout2`.
 */
export class TransformerEncoderLayer extends TransformerLayer {
  /** Self-attention. */
  readonly self_attn: MultiheadAttention;
  /** The feed-forward block's first linear layer, dModel → dimFeedforward. */
  readonly linear1: Linear;
  /** Dropout inside the feed-forward block. */
  readonly dropout: Module;
  /** The feed-forward block's second linear layer, dimFeedforward → dModel. */
  readonly linear2: Linear;
  /** The LayerNorm of the attention block. */
  readonly norm1: LayerNorm;
  /** The LayerNorm of the feed-forward block. */
  readonly norm2: LayerNorm;
  /** Dropout after attention. */
  readonly dropout1: Module;
  /** Dropout after the feed-forward block. */
  readonly dropout2: Module;

  constructor(dModel: number, nhead: number, opts: TransformerLayerOptions = {}) {
    super('TransformerEncoderLayer', dModel, nhead, opts);
    const p = partsOf(dModel, nhead, opts);
    const ff = opts.dimFeedforward ?? 2048;
    this.self_attn = p.attn();
    this.linear1 = p.lin(dModel, ff);
    this.dropout = p.drop();
    this.linear2 = p.lin(ff, dModel);
    this.norm1 = p.norm();
    this.norm2 = p.norm();
    this.dropout1 = p.drop();
    this.dropout2 = p.drop();
  }

  /**
   * `src` [seq, batch, dModel] ([batch, seq, dModel] with `batchFirst`) → the same shape. `srcMask`
   * [seq, seq] and `srcKeyPaddingMask` [batch, seq] are `MultiheadAttention`'s `attnMask` and
   * `keyPaddingMask` (bool: true is masked out; float: added), e.g.
   * `generateSquareSubsequentMask(seq)` for a causal model.
   */
  forward(src: Input, srcMask?: Input, srcKeyPaddingMask?: Input): Variable {
    return this.residuals(asVariable(src), [
      [
        this.norm1,
        (y) => this.dropout1.forward(this.attend(this.self_attn, y, y, srcMask, srcKeyPaddingMask)),
      ],
      [this.norm2, (y) => this.dropout2.forward(this.feedForward(y))],
    ]);
  }
}

/**
 * A Transformer decoder layer (PyTorch's `nn.TransformerDecoderLayer`): self-attention on the
 * target, attention over the encoder's output (`memory`), then the feed-forward block, each with a
 * residual and a LayerNorm (after, or before with `normFirst`). Submodules as PyTorch's: `self_attn`,
 * `multihead_attn`, `linear1`, `dropout`, `linear2`, `norm1`–`norm3`, `dropout1`–`dropout3`.
 */
export class TransformerDecoderLayer extends TransformerLayer {
  /** Self-attention on the target. */
  readonly self_attn: MultiheadAttention;
  /** Attention from the target to the memory. */
  readonly multihead_attn: MultiheadAttention;
  /** The feed-forward block's first linear layer. */
  readonly linear1: Linear;
  /** Dropout inside the feed-forward block. */
  readonly dropout: Module;
  /** The feed-forward block's second linear layer. */
  readonly linear2: Linear;
  /** The LayerNorm of the self-attention block. */
  readonly norm1: LayerNorm;
  /** The LayerNorm of the memory-attention block. */
  readonly norm2: LayerNorm;
  /** The LayerNorm of the feed-forward block. */
  readonly norm3: LayerNorm;
  /** Dropout after self-attention. */
  readonly dropout1: Module;
  /** Dropout after memory attention. */
  readonly dropout2: Module;
  /** Dropout after the feed-forward block. */
  readonly dropout3: Module;

  constructor(dModel: number, nhead: number, opts: TransformerLayerOptions = {}) {
    super('TransformerDecoderLayer', dModel, nhead, opts);
    const p = partsOf(dModel, nhead, opts);
    const ff = opts.dimFeedforward ?? 2048;
    this.self_attn = p.attn();
    this.multihead_attn = p.attn();
    this.linear1 = p.lin(dModel, ff);
    this.dropout = p.drop();
    this.linear2 = p.lin(ff, dModel);
    this.norm1 = p.norm();
    this.norm2 = p.norm();
    this.norm3 = p.norm();
    this.dropout1 = p.drop();
    this.dropout2 = p.drop();
    this.dropout3 = p.drop();
  }

  /**
   * `tgt` [T, batch, dModel] and `memory` [S, batch, dModel] (batch first with `batchFirst`) →
   * [T, batch, dModel]. The masks are `MultiheadAttention`'s: `tgtMask` [T, T], `memoryMask` [T, S],
   * `tgtKeyPaddingMask` [batch, T], `memoryKeyPaddingMask` [batch, S].
   */
  forward(
    tgt: Input,
    memory: Input,
    tgtMask?: Input,
    memoryMask?: Input,
    tgtKeyPaddingMask?: Input,
    memoryKeyPaddingMask?: Input,
  ): Variable {
    const mem = asVariable(memory);
    return this.residuals(asVariable(tgt), [
      [
        this.norm1,
        (y) => this.dropout1.forward(this.attend(this.self_attn, y, y, tgtMask, tgtKeyPaddingMask)),
      ],
      [
        this.norm2,
        (y) =>
          this.dropout2.forward(
            this.attend(this.multihead_attn, y, mem, memoryMask, memoryKeyPaddingMask),
          ),
      ],
      [this.norm3, (y) => this.dropout3.forward(this.feedForward(y))],
    ]);
  }
}

/**
 * A stack of `numLayers` copies of an encoder layer (PyTorch's `nn.TransformerEncoder`): the copies
 * start from the given layer's parameters, as PyTorch's deep copies do, under the keys
 * `layers.0.…`, `layers.1.…`; an optional final `norm`.
 */
export class TransformerEncoder extends Module {
  /** The layers, applied in order. */
  readonly layers: ModuleList;
  /** The LayerNorm (or other module) applied to the output, or null. */
  readonly norm: Module | null;

  constructor(
    encoderLayer: TransformerEncoderLayer,
    /** How many copies of the layer. */
    readonly numLayers: number,
    opts: { norm?: Module | null } = {},
  ) {
    super();
    if (!(encoderLayer instanceof TransformerEncoderLayer))
      throw new NablaError('TransformerEncoder', 'encoderLayer must be a TransformerEncoderLayer');
    if (!Number.isInteger(numLayers) || numLayers < 1)
      throw new ShapeError(
        'TransformerEncoder',
        `numLayers must be a positive integer, got ${numLayers}`,
      );
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => encoderLayer.clone()));
    this.norm = opts.norm ?? null;
  }

  /** Runs `src` through every layer with the same masks (see `TransformerEncoderLayer.forward`), then `norm`. */
  forward(src: Input, mask?: Input, srcKeyPaddingMask?: Input): Variable {
    let x = asVariable(src);
    for (const layer of this.layers)
      x = (layer as TransformerEncoderLayer).forward(x, mask, srcKeyPaddingMask);
    return this.norm ? this.norm.forward(x) : x;
  }
}
