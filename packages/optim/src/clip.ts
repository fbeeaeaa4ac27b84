import type { Variable } from '@nablajs/autograd';
import { NablaError, type Tensor, stack, tensor } from '@nablajs/tensor';
import { OptimizerError } from './errors.js';

/** Options of `clipGradNorm`. */
export interface ClipGradNormOptions {
  /** Raise when the total norm is NaN or ±Infinity instead of scaling by it (default false). Needs
   * a backend that reads synchronously (the CPU); elsewhere check the returned norm yourself. */
  errorIfNonfinite?: boolean;
}

function gradsOf(op: string, params: Iterable<Variable> | Variable): { p: Variable; g: Tensor }[] {
  const list =
    Symbol.iterator in Object(params) ? [...(params as Iterable<Variable>)] : [params as Variable];
  return list.flatMap((p, i) => {
    if (!p || typeof p !== 'object' || !('grad' in p))
      throw new OptimizerError(op, `parameter ${i} is not a Variable`, 'pass model.parameters()');
    return p.grad ? [{ p, g: p.grad }] : [];
  });
}

/**
 * Scales the gradients of `params` so that their total norm is at most `maxNorm` (PyTorch's
 * `clip_grad_norm_`): the total is the `normType`-norm of the per-parameter norms (Infinity: the
 * largest |g|), each gradient is multiplied by min(1, maxNorm/(total + 1e-6)), and the total
 * (before clipping) is returned as a 0-d tensor (read it with `await norm.item()`). Parameters
 * without a gradient are skipped; with none at all the result is 0.
 *
 * Each `.grad` is replaced by the scaled tensor rather than written in place: two parameters may
 * share one gradient tensor (the two inputs of an add).
 */
export function clipGradNorm(
  params: Iterable<Variable> | Variable,
  maxNorm: number,
  normType = 2,
  opts: ClipGradNormOptions = {},
): Tensor {
  const op = 'clipGradNorm';
  if (typeof maxNorm !== 'number' || !(maxNorm >= 0))
    throw new OptimizerError(
      op,
      `invalid maxNorm: ${String(maxNorm)}`,
      'maxNorm must be a number ≥ 0',
    );
  if (typeof normType !== 'number' || !(normType > 0))
    throw new OptimizerError(op, `invalid normType: ${String(normType)}`, 'a p > 0, or Infinity');
  const grads = gradsOf(op, params);
  if (grads.length === 0) return tensor(0);
  const dtype = grads[0]!.g.dtype;
  const norms = grads.map(({ g }) => {
    const a = g.cast(dtype).abs();
    if (normType === Infinity) return a.max();
    if (normType === 1) return a.sum();
    if (normType === 2) return a.square().sum().sqrt();
    return a
      .pow(normType)
      .sum()
      .pow(1 / normType);
  });
  const all = norms.length === 1 ? norms[0]! : stack(norms);
  const total =
    norms.length === 1
      ? all
      : normType === Infinity
        ? all.max()
        : normType === 2
          ? all.square().sum().sqrt()
          : all
              .pow(normType)
              .sum()
              .pow(1 / normType);
  if (opts.errorIfNonfinite) {
    if (!total.backend.readSync)
      throw new NablaError(
        op,
        `errorIfNonfinite needs a synchronous read, which backend '${total.backend.name}' lacks`,
        'check the returned norm with `await norm.item()` instead',
      );
    const v = total.dataSync()[0]!;
    if (!Number.isFinite(v))
      throw new OptimizerError(
        op,
        `the total norm of order ${normType} of the gradients is ${v}`,
        'the gradients are not finite; pass errorIfNonfinite: false to scale anyway',
      );
  }
  const coef = total.add(1e-6).reciprocal().mul(maxNorm).minimum(1);
  for (const { p, g } of grads) p.grad = g.mul(coef.cast(g.dtype));
  return total;
}

/** Clamps every gradient of `params` to [−clipValue, clipValue] (PyTorch's `clip_grad_value_`),
 * replacing each `.grad`. */
export function clipGradValue(params: Iterable<Variable> | Variable, clipValue: number): void {
  const op = 'clipGradValue';
  if (typeof clipValue !== 'number' || !(clipValue >= 0))
    throw new OptimizerError(op, `invalid clipValue: ${String(clipValue)}`, 'a number ≥ 0');
  for (const { p, g } of gradsOf(op, params)) p.grad = g.clamp(-clipValue, clipValue);
}
