// Shared by the tests: the PyTorch fixtures and the loss they were made with.
import { readFileSync } from 'node:fs';
import { Variable, variable } from '@nablajs/autograd';
import { tensor } from '@nablajs/tensor';
import { expect } from 'vitest';
import { Adagrad, Adam, AdamW, CosineAnnealingLR, ExponentialLR, type LRScheduler, type Optimizer, RMSprop, SGD, StepLR } from './index.js';

export interface OptimizerCase {
  name: string;
  optimizer: 'SGD' | 'Adam' | 'AdamW' | 'RMSprop' | 'Adagrad';
  options: Record<string, unknown>;
  groups?: { params: number[]; options?: Record<string, unknown> }[];
  skip?: boolean;
  scheduler?: { name: SchedulerName; options: Record<string, number> };
  trajectory: number[][][];
}
type SchedulerName = 'StepLR' | 'ExponentialLR' | 'CosineAnnealingLR';
export interface SchedulerCase {
  name: string;
  scheduler: SchedulerName;
  options: Record<string, number>;
  lrs: [number, number];
  /** Resumed schedules: the groups' initialLr and the scheduler's lastEpoch. */
  initialLrs?: [number, number];
  lastEpoch?: number;
  epochs: number;
  sequence: number[][];
}
export interface Fixtures {
  torch: string;
  shapes: number[][];
  init: number[][];
  coef: number[][];
  optimizers: OptimizerCase[];
  schedulers: SchedulerCase[];
}

export const fixtures = JSON.parse(readFileSync(new URL('../fixtures/pytorch.json', import.meta.url), 'utf8')) as Fixtures;

export const OPTIMIZERS = { SGD, Adam, AdamW, RMSprop, Adagrad } as const;
export const SCHEDULERS = { StepLR, ExponentialLR, CosineAnnealingLR } as const;

export function makeParams(): Variable[] {
  return fixtures.init.map((v, i) => variable(tensor(v, { dtype: 'float64', shape: fixtures.shapes[i]! }), { requiresGrad: true }));
}

const coefs = () => fixtures.coef.map((c, i) => tensor(c, { dtype: 'float64', shape: fixtures.shapes[i]! }));

/** The fixtures' loss, sum(c·p² + sin p) over the parameters in use: parameter 1 sits out odd steps
 * of the 'skip' cases. Leaves gradients in `.grad`. */
export function backwardAt(params: Variable[], step: number, skip = false): void {
  const c = coefs();
  const used = skip && step % 2 === 1 ? [0] : [0, 1];
  let loss: Variable | undefined;
  for (const i of used) {
    const p = params[i]!;
    const term = p.square().mul(c[i]!).add(p.sin()).sum();
    loss = loss ? loss.add(term) : term;
  }
  loss!.backward();
}

export function makeOptimizer(c: OptimizerCase, params: Variable[]): Optimizer {
  const Ctor = OPTIMIZERS[c.optimizer] as unknown as new (p: unknown, o: unknown) => Optimizer;
  const arg = c.groups ? c.groups.map((g) => ({ params: g.params.map((i) => params[i]!), ...g.options })) : params;
  return new Ctor(arg, c.options);
}

export function makeScheduler(name: SchedulerName, opt: Optimizer, options: Record<string, number>): LRScheduler {
  const Ctor = SCHEDULERS[name] as unknown as new (o: Optimizer, opts: unknown) => LRScheduler;
  return new Ctor(opt, options);
}

/** Every parameter within 1e-10 of PyTorch's values after that step. */
export function expectAt(params: Variable[], expected: number[][], label: string): void {
  params.forEach((p, i) => {
    const got = Array.from(p.data.dataSync());
    const want = expected[i]!;
    expect(got.length, label).toBe(want.length);
    const err = Math.max(...got.map((x, j) => Math.abs(x - want[j]!)));
    expect(err, `${label}, parameter ${i}: ${got} vs ${want}`).toBeLessThan(1e-10);
  });
}
