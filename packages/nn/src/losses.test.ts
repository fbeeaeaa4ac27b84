// Behaviour the PyTorch fixtures (reference.test.ts) do not cover: float32 stability, errors.
import { cpu } from '@nablajs/backend-cpu';
import { variable } from '@nablajs/autograd';
import { DTypeError, NablaError, ShapeError, tensor, useBackend } from '@nablajs/tensor';
import { describe, expect, test } from 'vitest';
import {
  CrossEntropyLoss,
  GaussianNLLLoss,
  IndexError,
  MSELoss,
  NLLLoss,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  gaussianNllLoss,
  mseLoss,
  nllLoss,
} from './index.js';

useBackend(cpu());

const vals = (v: { data: { dataSync(): ArrayLike<number> } }) => Array.from(v.data.dataSync());

describe('crossEntropy', () => {
  test('hand-computed: uniform logits give log C; gradient is (softmax − onehot)/N', () => {
    const logits = variable(
      tensor([
        [0, 0, 0, 0],
        [0, 0, 0, 0],
      ]),
      { requiresGrad: true },
    );
    const loss = crossEntropy(logits, tensor([1, 3], { dtype: 'int32' }));
    expect(vals(loss)[0]).toBeCloseTo(Math.log(4), 6);
    loss.backward();
    const g = Array.from(logits.grad!.dataSync());
    const expected = [0.125, -0.375, 0.125, 0.125, 0.125, 0.125, 0.125, -0.375];
    g.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
  });

  test('stable for logits of ±1000 in float32: finite loss and gradient', () => {
    const logits = variable(
      tensor([
        [1000, -1000, 0],
        [-1000, 1000, 999],
      ]),
      { requiresGrad: true },
    );
    const loss = new CrossEntropyLoss({ reduction: 'none' }).forward(
      logits,
      tensor([1, 2], { dtype: 'int32' }),
    );
    expect(vals(loss)[0]).toBe(2000);
    expect(vals(loss)[1]).toBeCloseTo(1 + Math.log1p(Math.exp(-1)), 5);
    loss.sum().backward();
    expect(Array.from(logits.grad!.dataSync()).every(Number.isFinite)).toBe(true);
  });

  test('labels may be a Variable; LogSoftmax + NLLLoss equals CrossEntropyLoss', () => {
    const logits = tensor([
      [1, 2, 3],
      [3, -1, 0.5],
    ]);
    const labels = tensor([2, 0], { dtype: 'int32' });
    const a = crossEntropy(logits, variable(labels));
    const b = new NLLLoss().forward(variable(logits).logSoftmax(1), labels);
    expect(vals(a)[0]).toBeCloseTo(vals(b)[0]!, 6);
  });

  test('out-of-range labels raise an IndexError naming the label and the class count', () => {
    const logits = tensor([
      [1, 2, 3],
      [3, -1, 0.5],
    ]);
    expect(() => crossEntropy(logits, tensor([0, 3], { dtype: 'int32' }))).toThrow(IndexError);
    expect(() => crossEntropy(logits, tensor([0, 3], { dtype: 'int32' }))).toThrow(
      'crossEntropy: target label 3 (at index 1) is out of range for 3 classes; labels must be integers in 0..2',
    );
    expect(() => nllLoss(logits, tensor([-1, 0], { dtype: 'int32' }))).toThrow(
      'target label -1 (at index 0) is out of range for 3 classes',
    );
    expect(new IndexError('x', 'y')).toBeInstanceOf(NablaError);
  });

  test('bad targets: float labels, wrong shapes, bad weights', () => {
    const logits = tensor([
      [1, 2, 3],
      [3, -1, 0.5],
    ]);
    expect(() => crossEntropy(logits, tensor([0, 2]))).toThrow(DTypeError);
    expect(() => crossEntropy(logits, tensor([0, 2]))).toThrow("labels.cast('int32')");
    expect(() => crossEntropy(logits, tensor([[0], [2]], { dtype: 'int32' }))).toThrow(
      'target [2,1] does not fit input [2,3]; class indices need shape [2]',
    );
    expect(() =>
      crossEntropy(logits, tensor([0, 1], { dtype: 'int32' }), { weight: tensor([1, 2]) }),
    ).toThrow('weight [2] must have one entry per class, [3]');
    expect(() => crossEntropy(tensor(1), tensor(0, { dtype: 'int32' }))).toThrow(
      'input must have a class axis',
    );
    expect(() =>
      crossEntropy(logits, tensor([0, 1], { dtype: 'int32' }), { labelSmoothing: 2 }),
    ).toThrow('labelSmoothing must be in [0, 1]');
    expect(() =>
      crossEntropy(logits, tensor([0, 1], { dtype: 'int32' }), { reduction: 'avg' as never }),
    ).toThrow("unknown reduction 'avg'");
  });
});

describe('mseLoss', () => {
  test('hand-computed reductions; the lecture’s sum form', () => {
    const y = tensor([
      [1, 2],
      [3, 4],
    ]);
    const t = tensor([
      [1, 0],
      [0, 4],
    ]);
    expect(vals(mseLoss(y, t))).toEqual([13 / 4]);
    expect(vals(new MSELoss({ reduction: 'sum' }).forward(y, t))).toEqual([13]);
    expect(vals(mseLoss(y, t, { reduction: 'none' }))).toEqual([0, 4, 9, 0]);
  });

  test('different shapes are refused instead of broadcast', () => {
    expect(() => mseLoss(tensor([[1], [2]]), tensor([1, 2]))).toThrow(ShapeError);
    expect(() => mseLoss(tensor([[1], [2]]), tensor([1, 2]))).toThrow(
      'input [2,1] and target [2] differ',
    );
  });
});

describe('binary cross-entropy', () => {
  test('hand-computed', () => {
    const l = binaryCrossEntropy(tensor([0.5, 0.8]), tensor([1, 0]), { reduction: 'none' });
    expect(vals(l)[0]).toBeCloseTo(Math.log(2), 6);
    expect(vals(l)[1]).toBeCloseTo(-Math.log(0.2), 6);
    const z = binaryCrossEntropyWithLogits(tensor([0, 2]), tensor([1, 0]), { reduction: 'none' });
    expect(vals(z)[0]).toBeCloseTo(Math.log(2), 6);
    expect(vals(z)[1]).toBeCloseTo(Math.log1p(Math.exp(2)), 6);
  });

  test('saturated float32 sigmoid outputs give finite BCE gradients', () => {
    const x = variable(tensor([40, -40, 0]), { requiresGrad: true });
    binaryCrossEntropy(x.sigmoid(), tensor([0, 1, 1])).backward();
    expect(Array.from(x.grad!.dataSync()).every(Number.isFinite)).toBe(true);
  });

  test('probabilities outside [0, 1] and shape mismatches are refused', () => {
    expect(() => binaryCrossEntropy(tensor([0.5, 1.5]), tensor([1, 0]))).toThrow(
      'input 1.5 (at index 1) is not a probability in [0, 1]',
    );
    expect(() => binaryCrossEntropy(tensor([0.5, 0.5]), tensor([[1, 0]]))).toThrow(ShapeError);
    expect(() => binaryCrossEntropyWithLogits(tensor([0.5, 0.5]), tensor([1]))).toThrow(ShapeError);
  });
});

describe('gaussianNllLoss', () => {
  test('hand-computed: ½(log σ² + (μ − t)²/σ²), with a number variance and full', () => {
    const l = gaussianNllLoss(tensor([1, 2]), tensor([0, 2]), 4, { reduction: 'none' });
    expect(vals(l)[0]).toBeCloseTo(0.5 * (Math.log(4) + 1 / 4), 6);
    expect(vals(l)[1]).toBeCloseTo(0.5 * Math.log(4), 6);
    const f = new GaussianNLLLoss({ full: true, reduction: 'sum' }).forward(
      tensor([1]),
      tensor([0]),
      tensor([1]),
    );
    expect(vals(f)[0]).toBeCloseTo(0.5 + 0.5 * Math.log(2 * Math.PI), 6);
  });

  test('the ML estimate of the variance is the mean squared residual (the exercise’s β⁻¹)', () => {
    // d/dσ² of mean ½(log σ² + r²/σ²) = 0 at σ² = mean r²
    const residualTarget = tensor([1, -2, 3, 0]);
    const mean = (1 + 4 + 9 + 0) / 4;
    const v = variable(tensor([mean]), { requiresGrad: true });
    gaussianNllLoss(tensor([0, 0, 0, 0]), residualTarget, v.expand([4])).backward();
    expect(Math.abs(v.grad!.dataSync()[0]!)).toBeLessThan(1e-6);
  });

  test('negative or misshapen variances are refused', () => {
    expect(() => gaussianNllLoss(tensor([1, 2]), tensor([0, 2]), tensor([1, -1]))).toThrow(
      'var has negative entries',
    );
    expect(() => gaussianNllLoss(tensor([[1, 2]]), tensor([[0, 2]]), tensor([1, 1, 1]))).toThrow(
      'var [3] does not fit input [1,2]',
    );
  });
});
