import type { ActivationOp, AdamStep, SgdStep } from './backend.js';
import { isContiguous, sameShape } from './shape.js';
import { ShapeError, fmtShape } from './errors.js';
import { where, wrap } from './math.js';
import { oneHot } from './create.js';
import type { Tensor } from './tensor.js';
import { isFloat } from './dtype.js';

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

/** [N, C] row-major with C the last axis of `x`: the form the row kernels take (a view when dense). */
function rows(x: Tensor): Tensor {
  const c = x.shape[x.rank - 1]!;
  return x.contiguous().reshape([x.shape.slice(0, -1).reduce((a, b) => a * b, 1), c]);
}

function checkRows(op: string, ...xs: Tensor[]): void {
  const [x] = xs;
  if (
    x!.rank === 0 ||
    !isFloat(x!.dtype) ||
    xs.some((t) => !sameShape(t.shape, x!.shape) || t.dtype !== x!.dtype)
  )
    throw new ShapeError(
      op,
      `needs float tensors of one shape with at least one axis, got ${xs.map((t) => `${fmtShape(t.shape)} ${t.dtype}`).join(', ')}`,
    );
}

const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * softmax over the last axis in one kernel where the backend has it (`FusedKernels.softmax`):
 * exp(x − max)/Σ exp(x − max), where a row of −∞ gives zeros (attention whose keys are all
 * masked) instead of NaN. Otherwise composed: the shift clamped to the most negative finite number,
 * a zero sum divided by 1.
 */
export function fusedSoftmax(x: Tensor): Tensor {
  checkRows('fusedSoftmax', x);
  const k = x.backend.fused?.softmax;
  if (k) {
    const r = rows(x);
    return wrap(x.backend, k(r), x.dtype, x.shape);
  }
  const m = x.max(-1, true).maximum(x.dtype === 'float64' ? -Number.MAX_VALUE : -FLOAT32_MAX);
  const e = x.sub(m).exp();
  const z = e.sum(-1, true);
  const safe = z.add(z.eq(0).cast(x.dtype));
  const y = e.div(safe);
  for (const t of [m, e, z, safe]) t.dispose();
  return y;
}

/** The gradient of `fusedSoftmax` from its output y and the output's gradient g: y·(g − Σ g·y). */
export function fusedSoftmaxGrad(y: Tensor, g: Tensor): Tensor {
  checkRows('fusedSoftmaxGrad', y, g);
  const k = y.backend.fused?.softmaxGrad;
  if (k) return wrap(y.backend, k(rows(y), rows(g)), y.dtype, y.shape);
  const gy = g.mul(y);
  const s = gy.sum(-1, true);
  const d = g.sub(s);
  const out = d.mul(y);
  for (const t of [gy, s, d]) t.dispose();
  return out;
}

/**
 * Layer normalization over the last axis in one kernel where the backend has it
 * (`FusedKernels.layerNorm`): (x − mean)/√(var + eps) with the biased variance; otherwise composed.
 */
export function fusedLayerNorm(x: Tensor, eps: number): Tensor {
  checkRows('fusedLayerNorm', x);
  const k = x.backend.fused?.layerNorm;
  if (k) return wrap(x.backend, k(rows(x), eps), x.dtype, x.shape);
  const d = x.sub(x.mean(-1, true));
  const v = d.square().mean(-1, true);
  const s = v.add(eps).sqrt();
  const y = d.div(s);
  for (const t of [d, v, s]) t.dispose();
  return y;
}

/** The gradient of `fusedLayerNorm` from x and the output's gradient g:
 * rstd·(g − mean(g) − x̂·mean(g·x̂)). */
export function fusedLayerNormGrad(x: Tensor, g: Tensor, eps: number): Tensor {
  checkRows('fusedLayerNormGrad', x, g);
  const k = x.backend.fused?.layerNormGrad;
  if (k) return wrap(x.backend, k(rows(x), rows(g), eps), x.dtype, x.shape);
  const d = x.sub(x.mean(-1, true));
  const rstd = d.square().mean(-1, true).add(eps).sqrt().reciprocal();
  const xhat = d.mul(rstd);
  const inner = g.sub(g.mean(-1, true)).sub(xhat.mul(g.mul(xhat).mean(-1, true)));
  const out = inner.mul(rstd);
  for (const t of [d, rstd, xhat, inner]) t.dispose();
  return out;
}

/**
 * ∂L/∂x of y = op(x) from the output `y` and ∂L/∂y = `g`: sigmoid g·y·(1 − y), tanh g·(1 − y²),
 * relu 0 where y ≤ 0, else g (y > 0 exactly where x > 0; a NaN y passes g, as PyTorch's
 * threshold_backward). One kernel where the backend has it, else composed.
 */
export function activationGrad(op: ActivationOp, y: Tensor, g: Tensor): Tensor {
  if (!sameShape(y.shape, g.shape))
    throw new ShapeError(
      'activationGrad',
      `output ${fmtShape(y.shape)} and gradient ${fmtShape(g.shape)} differ`,
      'they must have one shape',
    );
  const k = y.backend.fused?.activationGrad;
  if (k && y.dtype === g.dtype && y.backend === g.backend && !y.isDisposed && !g.isDisposed)
    return wrap(y.backend, k(op, y, g), y.dtype, y.shape);
  const temps: Tensor[] = [];
  const t = <T extends Tensor>(x: T): T => (temps.push(x), x);
  const out =
    op === 'relu'
      ? where(t(y.le(0)), 0, g) // 0 where y ≤ 0 even for a NaN gradient, as PyTorch
      : g.mul(t(op === 'sigmoid' ? y.mul(t(t(y.neg()).add(1))) : t(t(y.square()).neg()).add(1)));
  for (const x of temps) x.dispose();
  return out;
}
