import { describe, expect, test } from 'vitest';
import { cpu } from '../../backend-cpu/src/index.js';
import { tensor, type Tensor, useBackend } from './index.js';

useBackend(cpu());

const values = (t: Tensor) => Array.from(t.dataSync());
function expectClose(t: Tensor, expected: number[], digits = 5): void {
  const got = values(t);
  expect(got.length).toBe(expected.length);
  got.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, digits));
}

describe('activations', () => {
  test('sigmoid, stable at both ends', () => {
    const s = tensor([0, 2, -2, 100, -100]).sigmoid();
    expectClose(s, [0.5, 1 / (1 + Math.exp(-2)), 1 / (1 + Math.exp(2)), 1, 0]);
    expect(values(s).every(Number.isFinite)).toBe(true);
    // float32: 0 below the normal range, as PyTorch (it gives 0 from −88.7); float64 keeps 3.7e-44
    expect(values(tensor([-100]).sigmoid())[0]).toBe(0);
    expect(values(tensor([-100], { dtype: 'float64' }).sigmoid())[0]).toBeCloseTo(3.72e-44, 46);
  });

  test('tanh and relu', () => {
    expectClose(tensor([0, 1, -1, 20]).tanh(), [0, Math.tanh(1), -Math.tanh(1), 1]);
    expect(values(tensor([-3, 0, 2.5]).relu())).toEqual([0, 0, 2.5]);
  });
});

describe('softmax family', () => {
  test('softmax: known values, rows sum to 1, large inputs stay finite', () => {
    const e = [1, 2, 3].map(Math.exp);
    const z = e.reduce((a, b) => a + b);
    expectClose(
      tensor([1, 2, 3]).softmax(),
      e.map((v) => v / z),
    );
    const s = tensor([
      [1, 2, 3, 4],
      [-1, 0, 10, 1],
      [1000, 1000, -1000, 0],
    ]).softmax();
    expectClose(s.sum(1), [1, 1, 1]);
    expectClose(s.slice([2]), [0.5, 0.5, 0, 0]);
  });

  test('softmax along another axis', () => {
    const s = tensor([
      [1, 5],
      [1, 5],
    ]).softmax(0);
    expectClose(s, [0.5, 0.5, 0.5, 0.5]);
  });

  test('logSoftmax([1000, -1000, 0]) is finite: [0, -2000, -1000]', () => {
    const l = tensor([1000, -1000, 0]).logSoftmax();
    expect(values(l).every(Number.isFinite)).toBe(true);
    expect(values(l)).toEqual([0, -2000, -1000]);
  });

  test('logSoftmax equals log(softmax) for moderate inputs', () => {
    const x = tensor([
      [0.5, -1, 2],
      [3, 3, 3],
    ]);
    expectClose(x.logSoftmax(), values(x.softmax().log()));
    expectClose(x.logSoftmax(0).exp().sum(0), [1, 1, 1]);
  });

  test('logSumExp: known value, shift-stable, over axes with keepDims', () => {
    expectClose(tensor([1, 2, 3]).logSumExp(), [Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3))]);
    expectClose(tensor([1000, 1000]).logSumExp(), [1000 + Math.LN2], 3);
    for (const dtype of ['float32', 'float64'] as const) {
      const rows = tensor(
        [
          [-Infinity, -Infinity],
          [0, -Infinity],
        ],
        { dtype },
      ).logSumExp(1);
      expect(Array.from(rows.dataSync())).toEqual([-Infinity, 0]); // PyTorch: −∞, not NaN
    }
    const m = tensor([
      [0, 0],
      [1, 1],
    ]);
    expect(m.logSumExp().shape).toEqual([2]);
    expectClose(m.logSumExp(), [Math.LN2, 1 + Math.LN2]);
    expect(m.logSumExp(0, true).shape).toEqual([1, 2]);
    expectClose(m.logSumExp(0, true), [Math.log(1 + Math.E), Math.log(1 + Math.E)]);
    expect(m.logSumExp([0, 1]).shape).toEqual([]);
    expectClose(m.logSumExp([0, 1]), [Math.log(2 + 2 * Math.E)]);
  });
});

describe('clamp', () => {
  test('both bounds, either bound', () => {
    const x = tensor([-3, -0.5, 0.5, 3]);
    expect(values(x.clamp(-1, 1))).toEqual([-1, -0.5, 0.5, 1]);
    expect(values(x.clamp(0))).toEqual([0, 0, 0.5, 3]);
    expect(values(x.clamp(undefined, 0))).toEqual([-3, -0.5, 0, 0]);
    const i = tensor([-5, 5], { dtype: 'int32' }).clamp(-2, 2);
    expect(i.dtype).toBe('int32');
    expect(values(i)).toEqual([-2, 2]);
  });
});
