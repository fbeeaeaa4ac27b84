// TEMPORARY: LambdaLR and clipGradNorm as issue 17 specifies them for @nablajs/optim, until the
// package has them (helper h17a's branch); then the app imports them from there and this goes.
import type { Variable } from '@nablajs/autograd';
import { LRScheduler, type LROptimizer } from '@nablajs/optim';
import { type Tensor, zeros } from '@nablajs/tensor';

/** PyTorch's LambdaLR: lr = initial lr · lambda(epoch). */
export class LambdaLR extends LRScheduler {
  protected readonly optionKeys: readonly string[] = [];
  constructor(
    optimizer: LROptimizer,
    private readonly lrLambda: (epoch: number) => number,
  ) {
    super('LambdaLR', optimizer, {});
    this.initialStep();
  }
  protected getLr(): number[] {
    return this.baseLrs.map((b) => b * this.lrLambda(this.lastEpoch));
  }
}

/** PyTorch 1.13's clip_grad_norm_ (2-norm): scales every gradient by min(1, max/(total + 1e-6)). */
export function clipGradNorm(params: readonly Variable[], maxNorm: number): Tensor {
  const grads = params.map((p) => p.grad).filter((g): g is Tensor => g !== null);
  let total: Tensor = zeros([]);
  for (const g of grads) total = total.add(g.mul(g).sum());
  total = total.sqrt();
  const coef = total.add(1e-6).reciprocal().mul(maxNorm).minimum(1);
  params.forEach((p) => {
    if (p.grad) p.grad = p.grad.mul(coef);
  });
  return total;
}
