import { expect, test } from 'vitest';
import { autograd, data, getBackend, nn, optim, regularizers, tensor, variable } from './index.js';

test('importing nablajs selects the CPU backend and exposes every library', async () => {
  expect(getBackend().name).toBe('cpu');
  expect(await tensor([1, 2, 3]).sum().item()).toBe(6);
  for (const ns of [autograd, data, nn, optim, regularizers])
    expect(Object.keys(ns).length).toBeGreaterThan(3);
  const w = variable([2, 3], { requiresGrad: true });
  w.mul(w).sum().backward();
  expect(Array.from(w.grad!.dataSync())).toEqual([4, 6]);
  expect(new nn.Linear(3, 2).parameters()).toHaveLength(2);
});
