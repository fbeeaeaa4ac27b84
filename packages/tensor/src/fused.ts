import type { AdamStep, SgdStep } from './backend.js';
import { isContiguous, sameShape } from './shape.js';
import { ShapeError, fmtShape } from './errors.js';
import { wrap } from './math.js';
import { oneHot } from './create.js';
import type { Tensor } from './tensor.js';

/** Whether the tensors can go to a fused kernel: live, one backend, dtype and shape, row-major. */
function fusable(first: Tensor, ...rest: (Tensor | null)[]): boolean {
  for (const t of [first, ...rest]) {
    if (!t) continue;
    if (
      t.isDisposed ||
      t.backend !== first.backend ||
      t.dtype !== first.dtype ||
      !sameShape(t.shape, first.shape)
    )
      return false;
    if (!isContiguous(t.shape, t.strides)) return false;
  }
  return true;
}

/**
 * SGD's update of `param` in place by the backend's fused kernel (see `SgdStep`). Returns false, doing
 * nothing, when the backend has none or the tensors don't fit one: the caller then composes it.
 */
export function fusedSgd(param: Tensor, grad: Tensor, buf: Tensor | null, o: SgdStep): boolean {
  const k = param.backend.fused?.sgd;
  if (!k || !fusable(param, grad, buf)) return false;
  k(param, grad, buf, o);
  param._buffer.version++;
  if (buf) buf._buffer.version++;
  return true;
}

/** Adam's (or AdamW's) update in place, like `fusedSgd`. */
export function fusedAdam(
  param: Tensor,
  grad: Tensor,
  m: Tensor,
  v: Tensor,
  vmax: Tensor | null,
  o: AdamStep,
): boolean {
  const k = param.backend.fused?.adam;
  if (!k || !fusable(param, grad, m, v, vmax)) return false;
  k(param, grad, m, v, vmax, o);
  for (const t of [param, m, v, vmax]) if (t) t._buffer.version++;
  return true;
}

function checkCrossEntropy(op: string, logits: Tensor, labels: Tensor): void {
  if (
    logits.rank !== 2 ||
    labels.rank !== 1 ||
    labels.shape[0] !== logits.shape[0] ||
    labels.dtype !== 'int32'
  )
    throw new ShapeError(
      op,
      `needs logits [N, C] and int32 labels [N], got ${fmtShape(logits.shape)} and ${fmtShape(labels.shape)} ${labels.dtype}`,
    );
}

/** −log softmax(logits)[i, labels[i]] for each row i: logits [N, C], labels int32 [N] → [N]. */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor): Tensor {
  checkCrossEntropy('softmaxCrossEntropy', logits, labels);
  const k = logits.backend.fused?.softmaxCrossEntropy;
  if (k) return wrap(logits.backend, k(logits, labels), logits.dtype, [logits.shape[0]!]);
  const logp = logits.logSoftmax(1);
  const col = labels.unsqueeze(1);
  const picked = logp.gather(1, col);
  const out = picked.neg().reshape([logits.shape[0]!]);
  for (const t of [logp, col, picked]) t.dispose();
  return out;
}

/** ∂/∂logits of Σ g[i]·softmaxCrossEntropy(logits, labels)[i]: (softmax − onehot)·g[:, None]. */
export function softmaxCrossEntropyGrad(logits: Tensor, labels: Tensor, g: Tensor): Tensor {
  checkCrossEntropy('softmaxCrossEntropyGrad', logits, labels);
  const k = logits.backend.fused?.softmaxCrossEntropyGrad;
  if (k && g.dtype === logits.dtype)
    return wrap(logits.backend, k(logits, labels, g), logits.dtype, logits.shape);
  const p = logits.softmax(1);
  const hot = oneHot(labels, logits.shape[1]!, logits.dtype);
  const diff = p.sub(hot);
  const col = g.reshape([-1, 1]);
  const out = diff.mul(col);
  for (const t of [p, hot, diff, col]) t.dispose();
  return out;
}
