// The learning-rate schedule and the optimizer of a run, shared by the command line, the page's
// worker and (line for line) bench/src/charlm/torch_gpt.py. Browser-safe.
import type { Module } from '@nablajs/nn';
import { AdamW, LambdaLR } from '@nablajs/optim';

/** What the schedule and the optimizer take from a run's configuration. */
export interface OptimConfig {
  /** Peak learning rate. */
  lr: number;
  /** Steps of linear warm-up. */
  warmup: number;
  /** Steps in the whole run: the cosine reaches its floor there. */
  steps: number;
  /** Decoupled weight decay of the weight matrices and embeddings (AdamW's λ). */
  weightDecay: number;
}

/** The learning rate's floor, as a fraction of the peak (nanoGPT's min_lr = lr/10). */
export const MIN_LR_RATIO = 0.1;

/** AdamW's β₁ and β₂: β₂ 0.99 rather than 0.999 for small models on few tokens per step (nanoGPT). */
export const BETAS: [number, number] = [0.9, 0.99];

/**
 * nanoGPT's schedule as a factor of the peak rate at step `s` (0-based): linear warm-up from
 * 1/(warmup+1) to 1 over `warmup` steps, then half a cosine down to MIN_LR_RATIO at step `steps`.
 */
export function lrFactor(s: number, c: Pick<OptimConfig, 'warmup' | 'steps'>): number {
  if (s < c.warmup) return (s + 1) / (c.warmup + 1);
  if (s >= c.steps) return MIN_LR_RATIO;
  const ratio = (s - c.warmup) / Math.max(1, c.steps - c.warmup);
  return MIN_LR_RATIO + 0.5 * (1 + Math.cos(Math.PI * ratio)) * (1 - MIN_LR_RATIO);
}

/**
 * AdamW with weight decay on the matrices and embeddings only (biases and LayerNorms are left
 * alone, as in nanoGPT), and a LambdaLR scheduler following `lrFactor` (step it after each step).
 */
export function makeOptimizer(
  model: Module,
  c: OptimConfig,
): { optimizer: AdamW; scheduler: LambdaLR } {
  const params = model.parameters();
  const optimizer = new AdamW(
    [
      { params: params.filter((p) => p.rank >= 2), weightDecay: c.weightDecay },
      { params: params.filter((p) => p.rank < 2), weightDecay: 0 },
    ],
    { lr: c.lr, betas: BETAS },
  );
  const scheduler = new LambdaLR(optimizer, { lrLambda: (s: number) => lrFactor(s, c) });
  return { optimizer, scheduler };
}
