// BatchNorm1d/BatchNorm2d against PyTorch 1.13 in float64 (fixtures/layers.json, written by
// scripts/gen-layer-fixtures.py): outputs, gradients and running statistics, train and eval.
import { readFileSync } from 'node:fs';
import { cpu } from '@nablajs/backend-cpu';
import { Variable, gradcheck, gradgradcheck } from '@nablajs/autograd';
import { ShapeError, type Tensor, randn, tensor, useBackend } from '@nablajs/tensor';
import { describe, expect, test } from 'vitest';
import {
  BatchNorm,
  BatchNorm1d,
  BatchNorm2d,
  type BatchNormOptions,
  Linear,
  Sequential,
  batchNorm,
  deserialize,
  serialize,
} from './index.js';

useBackend(cpu());

interface Step {
  mode: 'train' | 'eval';
  shape: number[];
  input: number[];
  gradOutput: number[];
  output: number[];
  grads: { input: number[]; weight?: number[]; bias?: number[] };
  buffers: { running_mean?: number[]; running_var?: number[]; num_batches_tracked?: number };
}
interface Case {
  name: string;
  layer: 'BatchNorm1d' | 'BatchNorm2d';
  numFeatures: number;
  opts: { eps: number; momentum: number | null; affine: boolean; trackRunningStats: boolean };
  init: { weight?: number[]; bias?: number[] };
  steps: Step[];
}

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/layers.json', import.meta.url), 'utf8'),
) as { batchNorm: Case[] };

const f64 = (data: number[], shape?: number[]) =>
  tensor(data, { dtype: 'float64', ...(shape ? { shape } : {}) });
const values = (t: Tensor) => Array.from(t.dataSync());

function expectClose(actual: ArrayLike<number>, expected: number[], what: string, tol = 1e-10) {
  expect(actual.length, what).toBe(expected.length);
  expected.forEach((e, i) => {
    if (Math.abs(actual[i]! - e) > tol * (1 + Math.abs(e)))
      expect.fail(`${what}[${i}]: got ${actual[i]}, PyTorch ${e}`);
  });
}

const LAYERS = { BatchNorm1d, BatchNorm2d };

describe('BatchNorm against PyTorch (float64)', () => {
  for (const c of fixture.batchNorm)
    test(c.name, () => {
      const layer = new LAYERS[c.layer](c.numFeatures, { ...c.opts, dtype: 'float64' });
      if (c.init.weight) layer.weight!.data.assign(f64(c.init.weight));
      if (c.init.bias) layer.bias!.data.assign(f64(c.init.bias));
      c.steps.forEach((s, k) => {
        const at = `step ${k} (${s.mode})`;
        layer.train(s.mode === 'train');
        layer.zeroGrad();
        const x = new Variable(f64(s.input, s.shape), true);
        const y = layer.forward(x);
        expectClose(y.data.dataSync(), s.output, `${at} output`);
        y.backward(f64(s.gradOutput, s.shape));
        expectClose(x.grad!.dataSync(), s.grads.input, `${at} ∂input`);
        if (s.grads.weight) expectClose(layer.weight!.grad!.dataSync(), s.grads.weight, `${at} ∂w`);
        if (s.grads.bias) expectClose(layer.bias!.grad!.dataSync(), s.grads.bias, `${at} ∂b`);
        const b = s.buffers;
        if (b.running_mean) expectClose(values(layer.runningMean!), b.running_mean, `${at} mean`);
        if (b.running_var) expectClose(values(layer.runningVar!), b.running_var, `${at} var`);
        if (b.num_batches_tracked !== undefined)
          expect(values(layer.numBatchesTracked!)).toEqual([b.num_batches_tracked]);
        if (!c.opts.trackRunningStats) expect(layer.buffers()).toEqual([]);
      });
    });
});

describe('batchNorm gradients (finite differences, float64)', () => {
  const x = () => new Variable(randn([3, 2, 2, 2], { dtype: 'float64', seed: 3 }).mul(2), true);
  const w = new Variable(f64([0.7, 1.6]), true);
  const b = new Variable(f64([0.2, -0.4]), true);
  const rm = f64([0.3, -0.2]);
  const rv = f64([1.5, 0.6]);

  test('training (batch statistics): first and second order', () => {
    const fn = (x: Variable, w: Variable, b: Variable) =>
      batchNorm(x, null, null, { weight: w, bias: b, training: true });
    expect(gradcheck(fn, [x(), w, b])).toBe(true);
    expect(gradgradcheck(fn, [x(), w, b])).toBe(true);
  });

  test('evaluation (running statistics): first and second order', () => {
    const fn = (x: Variable, w: Variable, b: Variable) =>
      batchNorm(x, rm, rv, { weight: w, bias: b, eps: 1e-3 });
    expect(gradcheck(fn, [x(), w, b])).toBe(true);
    expect(gradgradcheck(fn, [x(), w, b])).toBe(true);
  });

  test('[N, C] input, without affine', () => {
    const x2 = new Variable(randn([5, 3], { dtype: 'float64', seed: 4 }), true);
    expect(gradcheck((x) => batchNorm(x, null, null, { training: true }), [x2])).toBe(true);
  });
});

describe('BatchNorm as a module', () => {
  test("buffers under PyTorch's keys, after the parameters; not parameters", () => {
    const bn = new BatchNorm2d(3);
    expect(Object.keys(bn.stateDict())).toEqual([
      'weight',
      'bias',
      'running_mean',
      'running_var',
      'num_batches_tracked',
    ]);
    expect(bn.parameters()).toHaveLength(2);
    expect(bn.namedBuffers().map(([n]) => n)).toEqual([
      'running_mean',
      'running_var',
      'num_batches_tracked',
    ]);
    expect(bn.numBatchesTracked!.dtype).toBe('int32');
    expect(bn.numBatchesTracked!.shape).toEqual([]);
    expect(bn).toBeInstanceOf(BatchNorm);
    const net = new Sequential(new Linear(4, 3), new BatchNorm1d(3, { affine: false }));
    expect(Object.keys(net.stateDict())).toEqual([
      '0.weight',
      '0.bias',
      '1.running_mean',
      '1.running_var',
      '1.num_batches_tracked',
    ]);
  });

  test('running statistics survive a safetensors round trip and drive evaluation', () => {
    const a = new BatchNorm2d(2);
    a.forward(randn([4, 2, 3, 3], { seed: 1 }).mul(3).add(1));
    a.forward(randn([4, 2, 3, 3], { seed: 2 }).mul(3).add(1));
    const b = new BatchNorm2d(2);
    b.loadStateDict(deserialize(serialize(a)).tensors);
    expect(values(b.numBatchesTracked!)).toEqual([2]);
    expect(values(b.runningMean!)).toEqual(values(a.runningMean!));
    expect(values(b.runningVar!)).toEqual(values(a.runningVar!));
    const x = randn([2, 2, 3, 3], { seed: 5 });
    expect(values(b.eval().forward(x).data)).toEqual(values(a.eval().forward(x).data));
  });

  test('resetRunningStats, and evaluation leaves the statistics alone', () => {
    const bn = new BatchNorm1d(2);
    bn.forward(randn([4, 2], { seed: 1 }).add(3));
    expect(values(bn.runningMean!).every((m) => m !== 0)).toBe(true);
    const before = values(bn.runningVar!);
    bn.eval().forward(randn([4, 2], { seed: 2 }));
    expect(values(bn.runningVar!)).toEqual(before);
    expect(values(bn.numBatchesTracked!)).toEqual([1]);
    bn.resetRunningStats();
    expect(values(bn.runningMean!)).toEqual([0, 0]);
    expect(values(bn.runningVar!)).toEqual([1, 1]);
    expect(values(bn.numBatchesTracked!)).toEqual([0]);
  });

  test('errors name the layer and the shapes', () => {
    expect(() => new BatchNorm2d(3).forward(randn([8, 1, 28, 28]))).toThrow(
      /BatchNorm2d\(3\).*expected input \[N, 3, H, W\], got \[8,1,28,28\].*axis 1 holds the channels: 1 here, 3 expected/s,
    );
    expect(() => new BatchNorm2d(3).forward(randn([8, 3]))).toThrow(ShapeError);
    expect(() => new BatchNorm1d(4).forward(randn([2, 4, 3, 3]))).toThrow(
      /BatchNorm1d\(4\).*\[N, 4\] or \[N, 4, L\], got \[2,4,3,3\]/,
    );
    expect(() => new BatchNorm2d(2).forward(randn([1, 2, 1, 1]))).toThrow(
      /more than 1 value per channel when training, got input \[1,2,1,1\]/,
    );
    expect(() => new BatchNorm2d(2).eval().forward(randn([1, 2, 1, 1]))).not.toThrow();
    expect(() => new BatchNorm1d(0)).toThrow(/numFeatures must be a positive integer/);
    expect(() => new BatchNorm1d(2, { momentum: 2 } as BatchNormOptions)).toThrow(/momentum/);
    expect(() => batchNorm(randn([2, 3]), randn([2]), null)).toThrow(
      /runningMean \[2\] does not match the 3 channels of input \[2,3\]/,
    );
  });
});
