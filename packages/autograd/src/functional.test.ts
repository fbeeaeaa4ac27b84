// grad() with one input, enableGrad, and the edges of the functional API (its values are checked
// against PyTorch in parity.test.ts).
import { cpu } from '@nablajs/backend-cpu';
import { ShapeError, tensor, useBackend } from '@nablajs/tensor';
import { expect, test } from 'vitest';
import { enableGrad, grad, hessian, jacobian, noGrad, variable } from './index.js';

useBackend(cpu());

test('grad(y, x) takes a single input and returns [∂y/∂x], as torch.autograd.grad', () => {
  const x = variable([1, 2, 3], { requiresGrad: true });
  const [g] = grad(x.square().sum(), x);
  expect(Array.from(g!.data.dataSync())).toEqual([2, 4, 6]);
});

test('enableGrad records inside noGrad', () => {
  const x = variable([1], { requiresGrad: true });
  const [inner, outer] = noGrad(() => [enableGrad(() => x.mul(2)), x.mul(2)]);
  expect(inner!.requiresGrad).toBe(true);
  expect(outer!.requiresGrad).toBe(false);
});

test('jacobian of a function that ignores its input is zeros; hessian needs a scalar', () => {
  const j = jacobian(() => variable([1, 2]), tensor([3, 4, 5]));
  expect(j.shape).toEqual([2, 3]);
  expect(Array.from(j.data.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
  expect(() => hessian((x) => x.mul(2), tensor([1, 2]))).toThrow(ShapeError);
});

test("the functional API leaves the caller's graph alone: results are constants by default", () => {
  const x = variable([0.5, 1.5], { requiresGrad: true });
  const j = jacobian((v) => v.square(), x);
  expect(j.requiresGrad).toBe(false);
  expect(x.grad).toBeNull();
  const jg = jacobian((v) => v.square(), x, { createGraph: true });
  expect(jg.requiresGrad).toBe(true);
  const [d] = grad(jg.sum(), x); // Σ 2x·δ: d/dx = 2
  expect(Array.from(d!.data.dataSync())).toEqual([2, 2]);
});
