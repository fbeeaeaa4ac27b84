import { cpu } from '@nablajs/backend-cpu';
import { manualSeed, rand, randn, ShapeError, tensor, useBackend, zeros } from '@nablajs/tensor';
import { describe, expect, test } from 'vitest';
import { Linear, Parameter, calculateGain, fanIn, fanOut, init } from './index.js';

useBackend(cpu());

const param = (shape: number[], dtype: 'float32' | 'float64' = 'float32') =>
  new Parameter(zeros(shape, { dtype }));
const stats = (p: Parameter) => {
  const v = Array.from(p.data.dataSync());
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  return { mean, std, min: Math.min(...v), max: Math.max(...v) };
};
// 60 000 draws: the sample std is within 1.5% of σ with overwhelming probability
const SHAPE = [200, 300];

describe('fans and gains', () => {
  test('fanIn / fanOut as in PyTorch', () => {
    expect(fanIn([30, 784])).toBe(784);
    expect(fanOut([30, 784])).toBe(30);
    expect(fanIn(param([8, 3, 5, 5]))).toBe(75);
    expect(fanOut(zeros([8, 3, 5, 5]))).toBe(200);
    expect(() => fanIn([30])).toThrow(ShapeError);
    expect(() => init.xavierUniform(param([30]))).toThrow(
      'fan in and fan out need a tensor of rank ≥ 2, got [30]',
    );
  });

  test('calculateGain', () => {
    expect(calculateGain('linear')).toBe(1);
    expect(calculateGain('sigmoid')).toBe(1);
    expect(calculateGain('tanh')).toBe(5 / 3);
    expect(calculateGain('relu')).toBe(Math.SQRT2);
    expect(calculateGain('leakyRelu')).toBeCloseTo(Math.sqrt(2 / (1 + 0.01 ** 2)), 12);
    expect(calculateGain('leaky_relu', Math.sqrt(5))).toBeCloseTo(Math.sqrt(1 / 3), 12);
    expect(calculateGain('selu')).toBe(0.75);
    expect(() => calculateGain('swish' as never)).toThrow("unknown nonlinearity 'swish'");
  });
});

describe('initializers', () => {
  test('normal and uniform: in place, parameters as given, seeds reproduce Philox draws', () => {
    const p = param([3, 4]);
    const t = p.data;
    expect(init.normal(p, { mean: 1, std: 2, seed: 7 })).toBe(p);
    expect(p.data).toBe(t);
    const z = randn([3, 4], { seed: 7 });
    expect(Array.from(p.data.dataSync())).toEqual(Array.from(z.mul(2).add(1).dataSync()));
    init.uniform(p, { low: -3, high: 1, seed: 9 });
    expect(Array.from(p.data.dataSync())).toEqual(
      Array.from(rand([3, 4], { seed: 9 }).mul(4).sub(3).dataSync()),
    );
    // the global generator: manualSeed reproduces
    manualSeed(11);
    init.normal(p);
    const first = Array.from(p.data.dataSync());
    init.normal(p);
    expect(Array.from(p.data.dataSync())).not.toEqual(first);
    manualSeed(11);
    init.normal(p);
    expect(Array.from(p.data.dataSync())).toEqual(first);
  });

  test('constants', () => {
    const p = param([2, 2]);
    expect(Array.from(init.constant(p, 0.25).data.dataSync())).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(Array.from(init.ones(p).data.dataSync())).toEqual([1, 1, 1, 1]);
    expect(Array.from(init.zeros(p).data.dataSync())).toEqual([0, 0, 0, 0]);
    const t = tensor([1, 2]);
    init.constant(t, 3); // bare tensors too
    expect(Array.from(t.dataSync())).toEqual([3, 3]);
  });

  test('xavier / glorot', () => {
    const p = init.xavierUniform(param(SHAPE), { seed: 1 });
    const bound = Math.sqrt(6 / 500);
    const s = stats(p);
    expect(s.max).toBeLessThanOrEqual(bound);
    expect(s.min).toBeGreaterThanOrEqual(-bound);
    expect(s.std).toBeCloseTo(bound / Math.sqrt(3), 3);
    const q = init.glorotNormal(param(SHAPE), { gain: 2, seed: 2 });
    expect(stats(q).std / (2 * Math.sqrt(2 / 500))).toBeCloseTo(1, 1);
    expect(init.glorotUniform).toBe(init.xavierUniform);
  });

  test('kaiming / he', () => {
    const u = init.kaimingUniform(param(SHAPE), { seed: 3 });
    const bound = Math.sqrt(6 / 300); // gain √2 · √(3 / fanIn)
    expect(stats(u).max).toBeLessThanOrEqual(bound);
    expect(stats(u).max).toBeGreaterThan(bound * 0.99);
    const n = init.heNormal(param(SHAPE), { mode: 'fanOut', seed: 4 });
    expect(stats(n).std / Math.sqrt(2 / 200)).toBeCloseTo(1, 1);
    const a = init.kaimingUniform(param(SHAPE), { a: Math.sqrt(5), seed: 5 }); // PyTorch's Linear default
    expect(stats(a).max).toBeLessThanOrEqual(1 / Math.sqrt(300));
    expect(stats(a).max).toBeGreaterThan(0.99 / Math.sqrt(300));
    const t = init.kaimingNormal(param(SHAPE), { nonlinearity: 'tanh', seed: 6 });
    expect(stats(t).std / (5 / 3 / Math.sqrt(300))).toBeCloseTo(1, 1);
    expect(() => init.kaimingNormal(param(SHAPE), { mode: 'fanAvg' as never })).toThrow(
      "unknown mode 'fanAvg'",
    );
  });

  test('nielsen: N(0, 1/fanIn) for weights, N(0, 1) for biases', () => {
    const layer = new Linear(400, 150);
    init.nielsen(layer.weight, { seed: 8 });
    init.nielsen(layer.bias!, { seed: 9 });
    const w = stats(layer.weight);
    expect(Math.abs(w.mean)).toBeLessThan(0.01 * (1 / 20));
    expect(w.std * 20).toBeCloseTo(1, 1);
    expect(Array.from(layer.bias!.data.dataSync())).toEqual(
      Array.from(randn([150], { seed: 9 }).dataSync()),
    );
  });

  test('float64 parameters get float64 draws', () => {
    const p = init.normal(param([4], 'float64'), { seed: 1 });
    expect(p.dtype).toBe('float64');
    expect(Array.from(p.data.dataSync())).toEqual(
      Array.from(randn([4], { seed: 1, dtype: 'float64' }).dataSync()),
    );
  });

  test('bad options', () => {
    expect(() => init.normal(param([2]), { std: -1 })).toThrow('std must be ≥ 0');
    expect(() => init.uniform(param([2]), { low: 1, high: 0 })).toThrow('needs low ≤ high');
  });
});
