import { type Variable, fusedSoftmax } from '@nablajs/autograd';
import {
  type DType,
  DTypeError,
  NablaError,
  ShapeError,
  Tensor,
  arange,
  fmtShape,
  full,
  isFloat,
  where as whereTensor,
} from '@nablajs/tensor';
import { checkDropout, dropoutVar } from './dropout.js';
import { type Input, asVariable } from './module.js';

/** Options of `scaledDotProductAttention` (PyTorch 2's `F.scaled_dot_product_attention`). */
export interface AttentionOptions {
  /**
   * Broadcastable to [..., L, S]. A bool mask says where to attend: true takes part, false is
   * masked out. A float mask is added to the scores (−∞ masks out). A Variable's value is used; no
   * gradient flows into a mask.
   */
  attnMask?: Input;
  /** Each query i attends to keys j ≤ i only (the top-left-aligned lower triangle, as PyTorch). */
  isCausal?: boolean;
  /** Drops attention weights with this probability (default 0), always: pass 0 when evaluating. */
  dropoutP?: number;
  /** Multiplies the scores (default 1/√E, E the size of the queries' last axis). */
  scale?: number;
}

/** A mask (bool: where to attend, or where not to, per `attendWhereTrue`; float: added) as an
 * additive float tensor of `dtype`: 0 where attending, −∞ where not. PyTorch takes no integer
 * masks, nor does this. */
export function maskToBias(
  op: string,
  name: string,
  mask: Input,
  dtype: DType,
  attendWhereTrue: boolean,
): Tensor {
  const m = mask instanceof Tensor ? mask : mask.data;
  if (isFloat(m.dtype)) return m.cast(dtype);
  if (m.dtype !== 'bool')
    throw new DTypeError(
      op,
      `${name} must be bool or float, got ${m.dtype} ${fmtShape(m.shape)}`,
      'make a bool mask, e.g. m.ne(0)',
    );
  const ninf = full([], -Infinity, { dtype, backend: m.backend });
  return whereTensor(attendWhereTrue ? m.logicalNot() : m, ninf, 0);
}

/** The additive causal mask [L, S]: −∞ where key j comes after query i (j > i), else 0. */
export function causalBias(l: number, s: number, like: Tensor): Tensor {
  const opts = { backend: like.backend };
  const later = arange(s, undefined, 1, opts)
    .reshape([1, s])
    .gt(arange(l, undefined, 1, opts).reshape([l, 1]));
  return whereTensor(later, full([], -Infinity, { dtype: like.dtype, backend: like.backend }), 0);
}

/** Adds two optional biases. */
export function addBias(a: Tensor | null, b: Tensor | null): Tensor | null {
  return a && b ? a.add(b) : (a ?? b);
}

/** softmax(q·kᵀ·scale + bias)·v and the weights (after dropout); q [..., L, E], k [..., S, E], v [..., S, Ev]. */
export function attend(
  q: Variable,
  k: Variable,
  v: Variable,
  bias: Tensor | null,
  scale: number,
  dropoutP: number,
): { output: Variable; weights: Variable } {
  // scaling q costs L·E multiplications, the scores L·S
  let s = q.mul(scale).matmul(k.transpose(-2, -1));
  if (bias) s = s.add(bias);
  // one kernel each way; a row with every key masked gets zero weights (PyTorch 2's math path: NaN)
  let w = fusedSoftmax(s);
  if (dropoutP > 0) w = dropoutVar(w, dropoutP, true);
  return { output: w.matmul(v), weights: w };
}

/**
 * Attention as in PyTorch 2's `F.scaled_dot_product_attention`: softmax(q·kᵀ·scale + mask)·v, for
 * q [..., L, E], k [..., S, E], v [..., S, Ev] (leading axes broadcast), giving [..., L, Ev].
 *
 * A query row whose keys are all masked out gets zero weights and a zero output (and zero
 * gradients), where PyTorch's math path gives NaN. Dropout applies whenever `dropoutP > 0`, as in
 * PyTorch's functional form.
 */
export function scaledDotProductAttention(
  query: Input,
  key: Input,
  value: Input,
  opts: AttentionOptions = {},
): Variable {
  const op = 'scaledDotProductAttention';
  const [q, k, v] = [query, key, value].map(asVariable) as [Variable, Variable, Variable];
  if (q.rank < 2 || k.rank < 2 || v.rank < 2)
    throw new ShapeError(op, `query, key and value need at least 2 axes, got ${shapes(q, k, v)}`);
  const [l, e] = q.shape.slice(-2) as [number, number];
  const s = k.shape[k.rank - 2]!;
  if (k.shape[k.rank - 1] !== e || v.shape[v.rank - 2] !== s)
    throw new ShapeError(
      op,
      `query [..., L, E], key [..., S, E] and value [..., S, Ev] do not fit: ${shapes(q, k, v)}`,
    );
  if (!q.dtype.startsWith('float'))
    throw new DTypeError(op, `query must be float32 or float64, got ${q.dtype}`);
  const dropoutP = checkDropout(op, opts.dropoutP ?? 0);
  const scale = opts.scale ?? 1 / Math.sqrt(e);
  if (typeof scale !== 'number' || !Number.isFinite(scale))
    throw new NablaError(op, `scale must be a finite number, got ${String(scale)}`);
  let bias: Tensor | null = null;
  if (opts.isCausal) bias = causalBias(l, s, q.data);
  if (opts.attnMask !== undefined) {
    const mask = maskToBias('scaledDotProductAttention', 'attnMask', opts.attnMask, q.dtype, true);
    checkMaskShape(op, mask.shape, [...q.shape.slice(0, -2), l, s]);
    bias = addBias(bias, mask);
  }
  return attend(q, k, v, bias, scale, dropoutP).output;
}

function shapes(...xs: Variable[]): string {
  return xs.map((x) => fmtShape(x.shape)).join(', ');
}

/** A mask must broadcast to the scores' shape. */
export function checkMaskShape(
  op: string,
  mask: readonly number[],
  scores: readonly number[],
): void {
  const lead = scores.length - mask.length;
  if (lead < 0 || mask.some((d, i) => d !== 1 && d !== scores[lead + i]))
    throw new ShapeError(
      op,
      `mask ${fmtShape(mask)} does not broadcast to the attention scores ${fmtShape(scores)}`,
      'a mask is [L, S], or has the batch axes in front',
    );
}
