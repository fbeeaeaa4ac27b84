import { type Variable, where } from '@nablajs/autograd';
import {
  type Backend,
  type DType,
  DTypeError,
  NablaError,
  ShapeError,
  Tensor,
  fmtShape,
  getBackend,
  ones,
  scatterAdd,
  where as whereTensor,
  zeros,
} from '@nablajs/tensor';
import { normal } from './init.js';
import { type Input, Module, Parameter } from './module.js';

/** Options of `embedding` and `Embedding`. */
export interface EmbeddingOptions {
  /** A row that maps to its (zero) vector and gets no gradient, e.g. the padding token; negative
   * counts from the end. */
  paddingIdx?: number;
  /** Rows looked up whose norm exceeds this are rescaled to it, in place, first (PyTorch's
   * `max_norm`: the weight changes). */
  maxNorm?: number;
  /** The p of the p-norm for `maxNorm` (default 2). */
  normType?: number;
}

/** Options of the `Embedding` layer. */
export interface EmbeddingLayerOptions extends EmbeddingOptions {
  /** float32 (default) or float64 (CPU backend). */
  dtype?: DType;
  /** The backend of the weight (default: the one chosen with `useBackend`). */
  backend?: Backend;
}

/** The indices as an int32 Tensor (a Variable's data; integers carry no gradient). */
function indicesOf(op: string, input: Input): Tensor {
  const t = input instanceof Tensor ? input : input.data;
  if (t.dtype !== 'int32')
    throw new DTypeError(
      op,
      `indices must be int32, got ${t.dtype}`,
      "make them with { dtype: 'int32' }",
    );
  return t;
}

function normIndex(op: string, paddingIdx: number | undefined, n: number): number | undefined {
  if (paddingIdx === undefined) return undefined;
  if (!Number.isInteger(paddingIdx) || paddingIdx < -n || paddingIdx >= n)
    throw new ShapeError(op, `paddingIdx ${paddingIdx} is out of range for ${n} embeddings`);
  return paddingIdx < 0 ? paddingIdx + n : paddingIdx;
}

/**
 * PyTorch's `embedding_renorm_`: each row that `indices` names, whose p-norm exceeds `maxNorm`, is
 * scaled in place by maxNorm/(norm + 1e-7).
 */
function renorm(weight: Tensor, indices: Tensor, maxNorm: number, p: number): void {
  const [n, dim] = weight.shape as [number, number];
  const flat = indices.reshape([-1, 1]);
  const hits = scatterAdd(
    [n, 1],
    0,
    flat,
    ones(flat.shape, { dtype: weight.dtype, backend: weight.backend }),
  );
  const abs = weight.abs();
  const norm =
    p === Infinity
      ? abs.max(1, true)
      : p === 1
        ? abs.sum(1, true)
        : abs
            .pow(p)
            .sum(1, true)
            .pow(1 / p);
  const scale = norm.add(1e-7).reciprocal().mul(maxNorm);
  const factor = whereTensor(norm.gt(maxNorm).mul(hits.gt(0)), scale, 1);
  weight.assign(weight.mul(factor.expand([n, dim])));
}

/**
 * Looks up rows of `weight` [numEmbeddings, dim] for int32 `indices` of any shape (PyTorch's
 * `F.embedding`): the result is [...indices.shape, dim]. The gradient adds into the rows looked up
 * (repeated indices accumulate); the `paddingIdx` row gets none. An index out of range raises.
 */
export function embedding(input: Input, weight: Variable, opts: EmbeddingOptions = {}): Variable {
  const op = 'embedding';
  const indices = indicesOf(op, input);
  if (weight.rank !== 2)
    throw new ShapeError(op, `weight must be [numEmbeddings, dim], got ${fmtShape(weight.shape)}`);
  const [n, dim] = weight.shape as [number, number];
  const pad = normIndex(op, opts.paddingIdx, n);
  if (opts.maxNorm !== undefined) {
    const p = opts.normType ?? 2;
    if (!(opts.maxNorm >= 0) || !(p > 0))
      throw new NablaError(
        op,
        `maxNorm must be ≥ 0 and normType > 0, got ${opts.maxNorm} and ${p}`,
      );
    renorm(weight.data, indices, opts.maxNorm, p);
  }
  const flat = indices.reshape([-1, 1]);
  let rows = weight.gather(0, flat.expand([flat.shape[0]!, dim]));
  if (pad !== undefined) {
    // the padding row's value, as a constant: where() sends its gradient nowhere
    const keep = flat.ne(pad);
    rows = where(keep, rows, weight.data.slice([[pad, pad + 1]]));
  }
  return rows.reshape([...indices.shape, dim]);
}

/**
 * A lookup table of `numEmbeddings` vectors of size `embeddingDim` (PyTorch's `nn.Embedding`):
 * `weight` [numEmbeddings, embeddingDim] starts from N(0, 1), its `paddingIdx` row from zeros.
 * `forward(indices)` takes int32 indices of any shape and returns [...shape, embeddingDim].
 */
export class Embedding extends Module {
  /** The table, [numEmbeddings, embeddingDim]. */
  readonly weight: Parameter;
  /** The row that gets no gradient (normalized to 0..numEmbeddings − 1), or undefined. */
  readonly paddingIdx: number | undefined;
  /** Rows looked up are first renormalized to at most this norm, or undefined. */
  readonly maxNorm: number | undefined;
  /** The p of the norm for `maxNorm`. */
  readonly normType: number;

  constructor(
    /** The number of rows (the vocabulary size). */
    readonly numEmbeddings: number,
    /** The size of each vector. */
    readonly embeddingDim: number,
    opts: EmbeddingLayerOptions = {},
  ) {
    super();
    for (const [what, v] of [
      ['numEmbeddings', numEmbeddings],
      ['embeddingDim', embeddingDim],
    ] as const)
      if (!Number.isInteger(v) || v < 0)
        throw new ShapeError('Embedding', `${what} must be a non-negative integer, got ${v}`);
    this.paddingIdx = normIndex('Embedding', opts.paddingIdx, numEmbeddings);
    this.maxNorm = opts.maxNorm;
    this.normType = opts.normType ?? 2;
    const backend = opts.backend ?? getBackend('Embedding');
    const dtype = opts.dtype ?? 'float32';
    this.weight = new Parameter(
      zeros([numEmbeddings, embeddingDim], { dtype, backend }),
      true,
      'weight',
    );
    normal(this.weight);
    if (this.paddingIdx !== undefined) this.weight.data.slice([this.paddingIdx]).assign(0);
  }

  /** The vectors of int32 `indices` (any shape), [...indices.shape, embeddingDim]. */
  forward(indices: Input): Variable {
    return embedding(indices, this.weight, {
      ...(this.paddingIdx !== undefined && { paddingIdx: this.paddingIdx }),
      ...(this.maxNorm !== undefined && { maxNorm: this.maxNorm, normType: this.normType }),
    });
  }

  protected override extraRepr(): string {
    const pad = this.paddingIdx === undefined ? '' : `, paddingIdx=${this.paddingIdx}`;
    const max = this.maxNorm === undefined ? '' : `, maxNorm=${this.maxNorm}`;
    return `${this.numEmbeddings}, ${this.embeddingDim}${pad}${max}`;
  }
}
