import { expect, test } from 'vitest';
import { cpu } from '@nablajs/backend-cpu';
import { tensor, useBackend, randn } from '@nablajs/tensor';
import { variable, grad, gradcheck, gradgradcheck, toMermaid, where, concat } from './index.js';

useBackend(cpu());
const f64 = (shape: number[], seed: number) => variable(randn(shape, { seed, dtype: 'float64' }), { requiresGrad: true });

test('smoke', async () => {
  const x = variable(tensor([[1, 2], [3, 4]]), { name: 'x' });
  const W = variable(tensor([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]), { requiresGrad: true, name: 'W' });
  const y = x.matmul(W.transpose()).sigmoid();
  const loss = y.sum();
  loss.backward();
  console.log(W.grad!.toString());
  console.log(toMermaid(loss));
  const a = f64([3], 1);
  const [g] = grad(a.pow(3).sum(), [a], { createGraph: true });
  const [h] = grad(g!.sum(), [a]);
  console.log((await a.data.data()), await h!.data.data());
  expect(gradcheck((p, q) => p.mul(q).sigmoid().logSoftmax(), [f64([2, 3], 2), f64([3], 3)])).toBe(true);
  expect(gradcheck((p) => p.matmul(p.transpose()).max(1), [f64([3, 4], 4)])).toBe(true);
  expect(gradcheck((p) => concat([p.slice([null, [0, 4, 2]]), p], 1).tanh(), [f64([3, 4], 5)])).toBe(true);
  expect(gradgradcheck((p, q) => p.mul(q).sigmoid().sum(0), [f64([2, 3], 2), f64([3], 3)])).toBe(true);
  expect(gradcheck((p) => where(p.data.gt(0), p.exp(), p.square()), [f64([5], 7)])).toBe(true);
});
