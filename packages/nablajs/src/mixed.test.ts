// One name for Tensors and Variables at the top level (issue 18: `where`, `concat`, `stack` were the
// Tensor versions, and gave NaN or "t.assertLive is not a function" on Variables).
import { expect, test } from 'vitest';
import { Tensor, Variable, autograd, concat, stack, tensor, variable, where } from './index.js';

const { linear, scatterAdd, softmaxCrossEntropy } = autograd;

const values = (t: Tensor | Variable) =>
  Array.from((t instanceof Variable ? t.data : t).dataSync());

test('where: Variables give a Variable that records the graph; Tensors give a Tensor', () => {
  const a = variable([1, 2], { requiresGrad: true });
  const b = variable([3, 4], { requiresGrad: true });
  const cond = tensor([true, false]);
  const y = where(cond, a, b);
  expect(y).toBeInstanceOf(Variable);
  expect(values(y)).toEqual([1, 4]);
  (y as Variable).sum().backward();
  expect(values(a.grad!)).toEqual([1, 0]);
  expect(values(b.grad!)).toEqual([0, 1]);
  const t = where(cond, tensor([1, 2]), 5);
  expect(t).toBeInstanceOf(Tensor);
  expect(values(t)).toEqual([1, 5]);
});

test('concat and stack: Variables give a Variable with gradients; Tensors a Tensor', () => {
  const a = variable([1, 2], { requiresGrad: true });
  const b = variable([3], { requiresGrad: true });
  const c = concat([a, b]);
  expect(values(c)).toEqual([1, 2, 3]);
  c.mul(tensor([1, 2, 3]))
    .sum()
    .backward();
  expect(values(a.grad!)).toEqual([1, 2]);
  expect(values(b.grad!)).toEqual([3]);
  const s = stack([a, variable([5, 6])], 1);
  expect(s.shape).toEqual([2, 2]);
  expect(values(s)).toEqual([1, 5, 2, 6]);
  expect(concat([tensor([1]), tensor([2])])).toBeInstanceOf(Tensor);
  expect(stack([tensor([1]), tensor([2])]).shape).toEqual([2, 1]);
  // a Tensor among Variables is a constant
  expect(values(concat([a, tensor([9])]))).toEqual([1, 2, 9]);
});

test("autograd's linear, scatterAdd and softmaxCrossEntropy take Tensors and Variables", () => {
  const w = variable([[1, 2]], { requiresGrad: true });
  const y = linear(tensor([[3, 4]]), w);
  expect(values(y)).toEqual([11]);
  y.sum().backward();
  expect(values(w.grad!)).toEqual([3, 4]);
  const idx = tensor([[1, 0]], { dtype: 'int32' });
  const src = variable([[5, 6]], { requiresGrad: true });
  const s = scatterAdd([1, 2], 1, idx, src);
  expect(values(s)).toEqual([6, 5]);
  expect(scatterAdd([1, 2], 1, idx, tensor([[5, 6]]))).toBeInstanceOf(Tensor);
  const logits = variable([[0, 0]], { requiresGrad: true });
  const l = softmaxCrossEntropy(logits, tensor([1], { dtype: 'int32' }));
  expect(values(l)[0]).toBeCloseTo(Math.log(2), 6);
});

test('Tensor ⊕ Variable works both ways and records the graph', () => {
  const t = tensor([5, 7]);
  const v = variable([1, 2], { requiresGrad: true });
  const d = t.sub(v);
  expect(d).toBeInstanceOf(Variable);
  expect(values(d)).toEqual([4, 5]);
  const m = t.mul(v);
  const q = tensor([
    [1, 0],
    [0, 2],
  ]).matmul(v);
  d.add(m).sum().add(q.sum()).backward();
  // ∂/∂v of Σ(t − v) + Σ t·v + Σ M·v = −1 + t + column sums of M
  expect(values(v.grad!)).toEqual([-1 + 5 + 1, -1 + 7 + 2]);
  expect(values(v.sub(t))).toEqual([-4, -5]);
  expect(t.gt(v)).toBeInstanceOf(Variable);
});
