import type { AdamStep, SgdStep } from './backend.js';
import { isContiguous, sameShape } from './shape.js';
import type { Tensor } from './tensor.js';

/** Whether the tensors can go to a fused kernel: live, one backend, dtype and shape, row-major. */
function fusable(first: Tensor, ...rest: (Tensor | null)[]): boolean {
  for (const t of [first, ...rest]) {
    if (!t) continue;
    if (t.isDisposed || t.backend !== first.backend || t.dtype !== first.dtype || !sameShape(t.shape, first.shape)) return false;
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
export function fusedAdam(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, vmax: Tensor | null, o: AdamStep): boolean {
  const k = param.backend.fused?.adam;
  if (!k || !fusable(param, grad, m, v, vmax)) return false;
  k(param, grad, m, v, vmax, o);
  for (const t of [param, m, v, vmax]) if (t) t._buffer.version++;
  return true;
}
