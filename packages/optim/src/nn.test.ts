// The optimizers with @nablajs/nn's modules (Parameter extends Variable): a PyTorch-style loop.
import { cpu } from '@nablajs/backend-cpu';
import { Linear, MSELoss, Sequential, Tanh } from '@nablajs/nn';
import { manualSeed, randn, useBackend } from '@nablajs/tensor';
import { expect, test } from 'vitest';
import { Adam, ExponentialLR, SGD } from './index.js';

useBackend(cpu());

test.each([
  ['Adam', (m: Sequential) => new Adam(m.parameters(), { lr: 0.02 })],
  ['SGD', (m: Sequential) => new SGD(m.parameters(), { lr: 0.05, momentum: 0.9, nesterov: true })],
])('%s trains a small Sequential', async (_, make) => {
  manualSeed(1);
  const x = randn([32, 3]);
  const y = x.sum(1, true).sin();
  const model = new Sequential(new Linear(3, 16), new Tanh(), new Linear(16, 1));
  const weights = model.parameters().map((p) => p.data);
  const opt = make(model);
  const sched = new ExponentialLR(opt, { gamma: 0.99 });
  const lossFn = new MSELoss();
  const losses: number[] = [];
  for (let step = 0; step < 60; step++) {
    opt.zeroGrad();
    const loss = lossFn.forward(model.forward(x), y);
    loss.backward();
    opt.step();
    sched.step();
    if (step === 0 || step === 59) losses.push(await loss.item());
  }
  expect(losses[1]!).toBeLessThan(losses[0]! / 4);
  // The model's tensors were updated in place, not replaced.
  expect(model.parameters().map((p) => p.data)).toEqual(weights);
  model.parameters().forEach((p, i) => expect(p.data).toBe(weights[i]));
});
