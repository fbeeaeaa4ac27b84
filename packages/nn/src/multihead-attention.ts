import { type Variable, linear } from '@nablajs/autograd';
import {
  type Backend,
  type DType,
  NablaError,
  ShapeError,
  type Tensor,
  fmtShape,
  getBackend,
  zeros,
} from '@nablajs/tensor';
import { addBias, attend, causalBias, checkMaskShape, maskToBias } from './attention.js';
import { checkDropout } from './dropout.js';
import { xavierUniform } from './init.js';
import { Linear } from './layers.js';
import { type Input, Module, Parameter, asVariable } from './module.js';

/** Options of `MultiheadAttention`. */
export interface MultiheadAttentionOptions {
  /** Dropout on the attention weights in training mode (default 0). */
  dropout?: number;
  /** Learn `in_proj_bias` and `out_proj.bias` (default true). */
  bias?: boolean;
  /** Inputs and outputs are [batch, seq, feature] instead of [seq, batch, feature] (default false). */
  batchFirst?: boolean;
  /** The keys' size; only `embedDim` (the default) is supported. */
  kdim?: number;
  /** The values' size; only `embedDim` (the default) is supported. */
  vdim?: number;
  /** float32 (default) or float64 (CPU backend). */
  dtype?: DType;
  /** The backend of the parameters (default: the one chosen with `useBackend`). */
  backend?: Backend;
}

/** What one call of `MultiheadAttention.forwardWithWeights` takes besides query, key and value. */
export interface MultiheadAttentionCall {
  /** [batch, S] (or [S] unbatched): a bool mask's true entries are padding, ignored as keys (as
   * PyTorch's); a float mask is added to the scores. */
  keyPaddingMask?: Input;
  /** Return the attention weights (default true). */
  needWeights?: boolean;
  /** [L, S] or [batch·numHeads, L, S]: a bool mask's true entries may NOT be attended to (as
   * PyTorch's: the opposite of `scaledDotProductAttention`'s); a float mask is added. */
  attnMask?: Input;
  /** Average the returned weights over the heads (default true): [batch, L, S], else [batch, numHeads, L, S]. */
  averageAttnWeights?: boolean;
  /** Without `attnMask`, let each query attend to the keys up to its own position only. */
  isCausal?: boolean;
}

/**
 * Multi-head attention (Vaswani et al. 2017; PyTorch's `nn.MultiheadAttention`):
 * concat(head₁, …, head_h)·W_Oᵀ + b_O with headᵢ = softmax(QᵢKᵢᵀ/√d)·Vᵢ, where Q, K, V are the
 * inputs projected by `in_proj_weight` [3·embedDim, embedDim] (rows: queries, keys, values) and
 * `in_proj_bias`, split into `numHeads` heads of d = embedDim/numHeads. The parameters and their
 * state-dict keys are PyTorch's (`in_proj_weight`, `in_proj_bias`, `out_proj.weight`,
 * `out_proj.bias`), with its initialization (Xavier-uniform projections, zero biases).
 *
 * A query whose keys are all masked gets zero weights and output where PyTorch gives NaN.
 */
export class MultiheadAttention extends Module {
  /** The packed query, key and value projections, [3·embedDim, embedDim]. */
  readonly in_proj_weight: Parameter;
  /** Their biases, [3·embedDim]; null with `{ bias: false }`. */
  readonly in_proj_bias: Parameter | null;
  /** The output projection. */
  readonly out_proj: Linear;
  /** Dropout on the attention weights in training mode. */
  readonly dropout: number;
  /** Whether inputs and outputs are [batch, seq, feature]. */
  readonly batchFirst: boolean;
  /** The size of each head, embedDim/numHeads. */
  readonly headDim: number;

  constructor(
    /** The model's feature size (of queries, keys, values and output). */
    readonly embedDim: number,
    /** The number of heads; it divides `embedDim`. */
    readonly numHeads: number,
    opts: MultiheadAttentionOptions = {},
  ) {
    super();
    const op = 'MultiheadAttention';
    if (!Number.isInteger(embedDim) || embedDim < 1 || !Number.isInteger(numHeads) || numHeads < 1)
      throw new ShapeError(
        op,
        `embedDim and numHeads must be positive integers, got ${embedDim} and ${numHeads}`,
      );
    if (embedDim % numHeads !== 0)
      throw new ShapeError(op, `embedDim ${embedDim} is not divisible by numHeads ${numHeads}`);
    for (const [name, d] of [
      ['kdim', opts.kdim],
      ['vdim', opts.vdim],
    ] as const)
      if (d !== undefined && d !== embedDim)
        throw new NablaError(
          op,
          `${name} ${d} differs from embedDim ${embedDim}`,
          'only kdim = vdim = embedDim is supported',
        );
    this.dropout = checkDropout(op, opts.dropout ?? 0);
    this.batchFirst = opts.batchFirst ?? false;
    this.headDim = embedDim / numHeads;
    const backend = opts.backend ?? getBackend(op);
    const dtype = opts.dtype ?? 'float32';
    const bias = opts.bias ?? true;
    this.in_proj_weight = new Parameter(
      zeros([3 * embedDim, embedDim], { dtype, backend }),
      true,
      'in_proj_weight',
    );
    xavierUniform(this.in_proj_weight);
    this.in_proj_bias = bias
      ? new Parameter(zeros([3 * embedDim], { dtype, backend }), true, 'in_proj_bias')
      : null;
    this.out_proj = new Linear(embedDim, embedDim, { bias, dtype, backend });
    this.out_proj.bias?.data.assign(0);
  }

  /** The attention output alone (`forwardWithWeights` without the weights); key and value default
   * to the query (self-attention). */
  forward(
    query: Input,
    key?: Input,
    value?: Input,
    keyPaddingMask?: Input,
    attnMask?: Input,
  ): Variable {
    return this.forwardWithWeights(query, key ?? query, value ?? key ?? query, {
      needWeights: false,
      ...(keyPaddingMask && { keyPaddingMask }),
      ...(attnMask && { attnMask }),
    })[0];
  }

  /**
   * PyTorch's `forward`: query [L, batch, E], key and value [S, batch, E] ([batch, …] with
   * `batchFirst`; or unbatched [L, E], [S, E]) give the output, shaped like the query, and the
   * attention weights (after dropout) or null without `needWeights`.
   */
  forwardWithWeights(
    query: Input,
    key: Input,
    value: Input,
    call: MultiheadAttentionCall = {},
  ): [Variable, Variable | null] {
    const op = 'MultiheadAttention';
    const E = this.embedDim;
    const H = this.numHeads;
    const q0 = asVariable(query);
    const batched = q0.rank === 3;
    // work in the inputs' layout [A, B, E]: (seq, batch) or (batch, seq); unbatched is [1, seq, E]
    const seqFirst = batched && !this.batchFirst;
    const as3 = (x: Variable) => (batched ? x : x.unsqueeze(0));
    const [q, k, v] = [q0, asVariable(key), asVariable(value)].map(as3) as [
      Variable,
      Variable,
      Variable,
    ];
    const bad = [q, k, v].some((x) => x.rank !== 3 || x.shape[2] !== E);
    const batchOf = (x: Variable) => x.shape[seqFirst ? 1 : 0];
    const lenOf = (x: Variable) => x.shape[seqFirst ? 0 : 1]!;
    if (bad || batchOf(k) !== batchOf(q) || batchOf(v) !== batchOf(q) || lenOf(k) !== lenOf(v))
      throw new ShapeError(
        op,
        `query ${fmtShape(q0.shape)}, key ${fmtShape(asVariable(key).shape)} and value ${fmtShape(asVariable(value).shape)} do not fit embedDim ${E}`,
        this.batchFirst
          ? 'they are [batch, seq, embedDim]'
          : 'they are [seq, batch, embedDim] (or pass batchFirst: true)',
      );
    const N = batchOf(q)!;
    const L = lenOf(q);
    const S = lenOf(k);
    const w = this.in_proj_weight;
    const b = this.in_proj_bias;
    const project = (x: Variable, i: number) => {
      const rows = w.slice([[i * E, (i + 1) * E]]);
      const flat = linear(
        x.reshape([-1, E]),
        rows,
        b ? b.slice([[i * E, (i + 1) * E]]) : undefined,
      );
      // [A, B, E] → [A, B, H, d] → [N, H, len, d]
      const split = flat.reshape([x.shape[0]!, x.shape[1]!, H, this.headDim]);
      return seqFirst ? split.permute(1, 2, 0, 3) : split.permute(0, 2, 1, 3);
    };
    const bias = this.maskBias(call, q.dtype, N, L, S, batched, q.data);
    const dropoutP = this.training ? this.dropout : 0;
    const { output, weights } = attend(
      project(q, 0),
      project(k, 1),
      project(v, 2),
      bias,
      1 / Math.sqrt(this.headDim),
      dropoutP,
    );
    // [N, H, L, d] → the input's layout [A, B, H, d] → [A·B, E]
    const merged = (seqFirst ? output.permute(2, 0, 1, 3) : output.permute(0, 2, 1, 3)).reshape([
      -1,
      E,
    ]);
    const y = this.out_proj.forward(merged).reshape(q.shape);
    const out = batched ? y : y.squeeze(0);
    if (!(call.needWeights ?? true)) return [out, null];
    const wts = (call.averageAttnWeights ?? true) ? weights.mean(1) : weights;
    return [out, batched ? wts : wts.squeeze(0)];
  }

  /** The masks as one additive bias broadcastable to the scores [N, H, L, S]. */
  private maskBias(
    call: MultiheadAttentionCall,
    dtype: DType,
    N: number,
    L: number,
    S: number,
    batched: boolean,
    like: Tensor,
  ): Tensor | null {
    const op = 'MultiheadAttention';
    const H = this.numHeads;
    let bias: Tensor | null = null;
    if (call.attnMask !== undefined) {
      let m = maskToBias(op, 'attnMask', call.attnMask, dtype, false);
      if (m.rank === 3) {
        if (m.shape[0] !== N * H || m.shape[1] !== L || m.shape[2] !== S)
          throw new ShapeError(
            op,
            `attnMask ${fmtShape(m.shape)} should be [${N * H}, ${L}, ${S}] (batch·numHeads, L, S)`,
          );
        m = m.reshape([N, H, L, S]);
      } else if (m.rank !== 2 || m.shape[0] !== L || m.shape[1] !== S)
        throw new ShapeError(
          op,
          `attnMask ${fmtShape(m.shape)} should be [${L}, ${S}] or [${N * H}, ${L}, ${S}]`,
        );
      bias = m;
    } else if (call.isCausal) bias = causalBias(L, S, like);
    if (call.keyPaddingMask !== undefined) {
      const m = maskToBias(op, 'keyPaddingMask', call.keyPaddingMask, dtype, false);
      const want = batched ? [N, S] : [S];
      if (m.rank !== want.length || m.shape.some((d, i) => d !== want[i]))
        throw new ShapeError(
          op,
          `keyPaddingMask ${fmtShape(m.shape)} should be ${fmtShape(want)} (batch, S)`,
        );
      bias = addBias(bias, m.reshape([N, 1, 1, S]));
    }
    if (bias) checkMaskShape(op, bias.shape, [N, H, L, S]);
    return bias;
  }

  protected override extraRepr(): string {
    return `embedDim=${this.embedDim}, numHeads=${this.numHeads}, dropout=${this.dropout}, batchFirst=${this.batchFirst}`;
  }
}
