import { cpu } from '@nablajs/backend-cpu';
import { variable } from '@nablajs/autograd';
import { Linear, Sequential } from '@nablajs/nn';
import { manualSeed, ones, rand, tensor, useBackend } from '@nablajs/tensor';
import { describe, expect, test } from 'vitest';
import {
  Dropout,
  Dropout2d,
  dropout,
  dropout2d,
  dropout2dWithMask,
  dropoutMask,
  dropoutWithMask,
} from './index.js';

useBackend(cpu());

const arr = (t: { dataSync(): ArrayLike<number> }) => Array.from(t.dataSync());
const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const N = 100_000;

describe('dropout (inverted, the default)', () => {
  test('output = x·m/(1 − p) with a 0/1 mask drawn from rand(): keep where u ≥ p', () => {
    const x = tensor([1, 2, 3, 4, 5, 6, 7, 8]);
    const { output, mask } = dropoutWithMask(x, 0.25, { seed: 3 });
    const u = arr(rand([8], { seed: 3 }));
    expect(arr(mask!)).toEqual(u.map((v) => (v >= 0.25 ? 1 : 0)));
    expect(arr(output.data)).toEqual(
      arr(x).map((v, i) => Math.fround((v * mask!.dataSync()[i]!) / 0.75)),
    );
    expect(arr(dropoutMask(x, 0.25, 3))).toEqual(arr(mask!));
  });

  test('preserves the expectation: E[dropout(x)] = x', () => {
    manualSeed(1);
    const { output, mask } = dropoutWithMask(ones([N]), 0.3);
    expect(mean(arr(mask!))).toBeCloseTo(0.7, 2); // keep rate 1 − p (σ ≈ 0.0015)
    expect(mean(arr(output.data))).toBeCloseTo(1, 1.5); // σ ≈ 0.002
    expect(arr(dropout(ones([4]), 0.3, { training: false }).data)).toEqual([1, 1, 1, 1]);
  });

  test('the gradient is m/(1 − p)', () => {
    const x = variable(tensor([1, 2, 3, 4, 5, 6]), { requiresGrad: true });
    const { output, mask } = dropoutWithMask(x, 0.5, { seed: 9 });
    output.sum().backward();
    expect(arr(x.grad!)).toEqual(arr(mask!).map((m) => m * 2));
  });

  test('p = 0 is the identity, p = 1 gives zeros, a given mask is reused', () => {
    const x = tensor([1, -2, 3]);
    expect(arr(dropout(x, 0).data)).toEqual([1, -2, 3]);
    expect(arr(dropout(x, 1).data)).toEqual([0, -0, 0]);
    expect(arr(dropout(x, 0.5, { mask: tensor([1, 0, 1]) }).data)).toEqual([2, -0, 6]);
    expect(() => dropout(x, 1.5)).toThrow('drop probability p must be in [0, 1], got 1.5');
    expect(() => dropout(x, 0.5, { mask: tensor([1, 0]) })).toThrow(
      'mask [2] does not match input [3]',
    );
    expect(() => dropout(x, 0.5, { mode: 'scaled' as never })).toThrow("unknown mode 'scaled'");
  });
});

describe('dropout classic (the lecture: scale at test time)', () => {
  test('training masks without scaling; evaluation multiplies by 1 − p; the expectations agree', () => {
    const x = tensor([1, 2, 3, 4]);
    const { output, mask } = dropoutWithMask(x, 0.5, { mode: 'classic', seed: 4 });
    expect(arr(output.data)).toEqual(arr(x).map((v, i) => v * mask!.dataSync()[i]!));
    expect(arr(dropout(x, 0.2, { mode: 'classic', training: false }).data)).toEqual(
      [0.8, 1.6, 2.4, 3.2].map(Math.fround),
    );
    manualSeed(2);
    const train = mean(arr(dropout(ones([N]), 0.2, { mode: 'classic' }).data));
    const test = mean(arr(dropout(ones([N]), 0.2, { mode: 'classic', training: false }).data));
    expect(train).toBeCloseTo(test, 2);
  });
});

describe('Dropout module', () => {
  test('keeps the last mask; train() and eval() switch it', () => {
    const layer = new Dropout(0.5);
    expect(layer.mask).toBeNull();
    manualSeed(7);
    const x = tensor([1, 2, 3, 4, 5, 6, 7, 8]);
    const y = layer.forward(x);
    const mask = arr(layer.mask!);
    expect(mask.every((m) => m === 0 || m === 1)).toBe(true);
    expect(arr(y.data)).toEqual(arr(x).map((v, i) => v * mask[i]! * 2));
    // manualSeed reproduces the mask
    manualSeed(7);
    layer.forward(x);
    expect(arr(layer.mask!)).toEqual(mask);
    layer.eval();
    expect(arr(layer.forward(x).data)).toEqual(arr(x));
    expect(arr(layer.mask!)).toEqual(mask); // still the last training mask
    layer.train();
    layer.forward(x);
    expect(layer.mask).not.toBeNull();
  });

  test('classic module scales by 1 − p in evaluation; a model’s eval() reaches it', () => {
    const drop = new Dropout(0.25, { mode: 'classic' });
    const model = new Sequential(new Linear(2, 2), drop);
    model.eval();
    expect(drop.training).toBe(false);
    const x = tensor([[1, 2]]);
    const lin = (model[0] as Linear).forward(x);
    expect(arr(model.forward(x).data)).toEqual(arr(lin.data).map((v) => Math.fround(v * 0.75)));
    expect(model.parameters()).toHaveLength(2); // the mask is not a parameter
    expect(drop.toString()).toBe("Dropout(p=0.25, mode='classic')");
    expect(() => new Dropout(-0.1)).toThrow('drop probability p must be in [0, 1]');
  });
});

describe('Dropout2d (whole channels)', () => {
  test('each (sample, channel) is kept whole with the mask drawn from rand([N, C, 1, 1]), scaled by 1/(1 − p)', () => {
    const x = variable(rand([3, 4, 2, 2], { seed: 1 }).add(1), { requiresGrad: true });
    const { output, mask } = dropout2dWithMask(x, 0.4, { seed: 5 });
    expect(mask!.shape).toEqual([3, 4, 1, 1]);
    const u = arr(rand([3, 4, 1, 1], { seed: 5 }));
    expect(arr(mask!)).toEqual(u.map((v) => (v >= 0.4 ? 1 : 0)));
    const xs = arr(x.data);
    const ys = arr(output.data);
    ys.forEach((y, i) => {
      const keep = mask!.dataSync()[Math.floor(i / 4)]!;
      expect(y).toBeCloseTo((keep * xs[i]!) / 0.6, 5);
    });
    output.sum().backward();
    expect(arr(x.grad!)).toEqual(
      ys.map((_, i) => Math.fround(mask!.dataSync()[Math.floor(i / 4)]! / 0.6)),
    );
  });

  test('keep rate 1 − p over many channels; identity in eval; [N, C, L] inputs; errors', () => {
    manualSeed(2);
    const layer = new Dropout2d(0.25);
    const y = layer.forward(ones([1000, 50, 1, 1]));
    expect(mean(arr(layer.mask!))).toBeCloseTo(0.75, 2); // σ ≈ 0.002
    expect(mean(arr(y.data))).toBeCloseTo(1, 1.5);
    const x = rand([2, 3, 4]);
    expect(dropout2dWithMask(x, 0.5).mask!.shape).toEqual([2, 3, 1]);
    expect(arr(layer.eval().forward(x).data)).toEqual(arr(x));
    expect(arr(dropout2d(x, 1).data)).toEqual(new Array(24).fill(0));
    expect(() => dropout2d(rand([4, 5]))).toThrow(
      /dropout2d.*expected input \[N, C, H, W\] or \[N, C, L\], got \[4,5\]/,
    );
    expect(() => new Dropout2d(1.5)).toThrow(/\[0, 1\]/);
    expect(new Dropout2d(0.1).toString()).toBe('Dropout2d(p=0.1)');
  });
});
