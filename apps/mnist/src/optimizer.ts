// Browser-safe (the web page's worker uses it too): the optimizer of a run, without the checkpoint code.
import type { Module } from '@nablajs/nn';
import { Adam, AdamW, type Optimizer, SGD } from '@nablajs/optim';

export interface OptimizerConfig {
  lr: number;
  optimizer: 'sgd' | 'adam';
  momentum: number;
  /** L2 λ in Nielsen's scaling: the penalty is λ/(2n)·‖w‖² per example, n the training-set size. */
  l2: number;
  weightDecay: number;
}

/** Weights (matrices) and biases, which Nielsen leaves out of L2. */
export function splitParams(model: Module) {
  const params = model.parameters();
  return { weights: params.filter((p) => p.rank > 1), biases: params.filter((p) => p.rank <= 1) };
}

export function makeOptimizer(model: Module, c: OptimizerConfig, n: number): Optimizer {
  const { weights, biases } = splitParams(model);
  const l2 = c.l2 / n; // Nielsen's (1 − ηλ/n) shrink is coupled weight decay λ/n
  if (c.optimizer === 'adam') {
    const groups = [
      { params: weights, weightDecay: c.weightDecay || l2 },
      { params: biases, weightDecay: 0 },
    ];
    return c.weightDecay > 0 ? new AdamW(groups, { lr: c.lr }) : new Adam(groups, { lr: c.lr });
  }
  return new SGD(
    [
      { params: weights, weightDecay: l2 },
      { params: biases, weightDecay: 0 },
    ],
    { lr: c.lr, momentum: c.momentum },
  );
}
