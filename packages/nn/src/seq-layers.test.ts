import { cpu } from '@nablajs/backend-cpu';
import { gradcheck, variable } from '@nablajs/autograd';
import { DTypeError, ShapeError, manualSeed, randn, tensor, useBackend } from '@nablajs/tensor';
import { describe, expect, test } from 'vitest';
import {
  Embedding,
  LayerNorm,
  RMSNorm,
  TransformerEncoder,
  TransformerEncoderLayer,
  elu,
  embedding,
  gelu,
  layerNorm,
  mish,
  rmsNorm,
  silu,
  softplus,
} from './index.js';

useBackend(cpu());
const f64 = { dtype: 'float64' as const };
const arr = (v: { data: { dataSync(): ArrayLike<number> } }) => Array.from(v.data.dataSync());
const req = (shape: number[], scale = 1) =>
  variable(randn(shape, f64).mul(scale), { requiresGrad: true });

describe('activations', () => {
  test.each([
    ['gelu', (x: ReturnType<typeof req>) => gelu(x)],
    ['gelu tanh', (x: ReturnType<typeof req>) => gelu(x, { approximate: 'tanh' })],
    ['silu', silu],
    ['elu', (x: ReturnType<typeof req>) => elu(x, { alpha: 0.7 })],
    ['softplus', (x: ReturnType<typeof req>) => softplus(x, { beta: 2, threshold: 3 })],
    ['mish', mish],
  ])('%s: gradcheck', (_name, f) => {
    manualSeed(21);
    // away from 0 (ELU's kink) and from softplus's threshold
    const x = variable(tensor([-3.1, -1.2, -0.4, 0.3, 0.9, 2.2, 4.1], f64), { requiresGrad: true });
    expect(gradcheck(f, [x])).toBe(true);
  });

  test('no overflow into NaN gradients for huge inputs (float32)', () => {
    const x = variable(tensor([-1e4, -100, 100, 1e4]), { requiresGrad: true });
    for (const f of [softplus, mish, (v: typeof x) => elu(v)]) {
      const y = f(x);
      y.sum().backward();
      expect(arr(y).every(Number.isFinite)).toBe(true);
      expect(Array.from(x.grad!.dataSync()).every(Number.isFinite)).toBe(true);
      x.grad = null;
    }
    expect(() => gelu(x, { approximate: 'fast' as never })).toThrow(/unknown approximate/);
  });
});

describe('LayerNorm and RMSNorm', () => {
  test('gradcheck in the input, weight and bias', () => {
    manualSeed(22);
    const [x, w, b] = [req([2, 3, 4]), req([3, 4]), req([3, 4])];
    expect(gradcheck((a, c, d) => layerNorm(a, [3, 4], { weight: c, bias: d }), [x, w, b])).toBe(
      true,
    );
    expect(gradcheck((a, c) => rmsNorm(a, 4, { weight: c.slice([0]) }), [x, w])).toBe(true);
  });

  test("PyTorch's parameters: weight ones, bias zeros; RMSNorm's eps is the dtype's machine epsilon", () => {
    const ln = new LayerNorm([4]);
    expect(arr(ln.weight!)).toEqual([1, 1, 1, 1]);
    expect(arr(ln.bias!)).toEqual([0, 0, 0, 0]);
    expect(new LayerNorm(4, { bias: false }).namedParameters().map(([n]) => n)).toEqual(['weight']);
    expect(new LayerNorm(4, { elementwiseAffine: false }).parameters()).toEqual([]);
    // a row of tiny values: eps = 2^-52 in float64, 2^-23 in float32
    const tiny = [1e-9, -1e-9, 1e-9, -1e-9];
    const y64 = arr(new RMSNorm(4, f64).forward(tensor(tiny, f64)));
    expect(y64[0]).toBeCloseTo(1e-9 / Math.sqrt(1e-18 + 2 ** -52), 12);
    const y32 = arr(new RMSNorm(4).forward(tensor(tiny)));
    expect(y32[0]).toBeCloseTo(1e-9 / Math.sqrt(1e-18 + 2 ** -23), 6);
  });

  test('shape errors name the layer and the shapes', () => {
    expect(() => new LayerNorm(5).forward(randn([2, 4]))).toThrow(
      /does not end in the normalized shape \[5\]/,
    );
    expect(() => new LayerNorm([0])).toThrow(ShapeError);
    expect(() => new LayerNorm(3, { eps: -1 })).toThrow(/eps must be/);
  });
});

describe('Embedding', () => {
  test('N(0, 1) init, the padding row zero and without gradient, repeated indices accumulate', () => {
    manualSeed(23);
    const big = arr(new Embedding(1000, 10).weight);
    const mean = big.reduce((a, b) => a + b) / big.length;
    const std = Math.sqrt(big.reduce((a, b) => a + (b - mean) ** 2, 0) / big.length);
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(std - 1)).toBeLessThan(0.05);
    const e = new Embedding(5, 2, { paddingIdx: 1 });
    expect(arr(e.weight).slice(2, 4)).toEqual([0, 0]);
    const idx = tensor(
      [
        [1, 3, 3],
        [0, 1, 4],
      ],
      { dtype: 'int32' },
    );
    const y = e.forward(idx);
    expect(y.shape).toEqual([2, 3, 2]);
    y.sum().backward();
    expect(Array.from(e.weight.grad!.dataSync())).toEqual([1, 1, 0, 0, 0, 0, 2, 2, 1, 1]);
  });

  test('gradcheck of the functional form in the weight (the padding row is constant by design)', () => {
    manualSeed(24);
    const w = req([4, 3]);
    const idx = tensor([2, 0, 2, 3], { dtype: 'int32' });
    expect(gradcheck((a) => embedding(idx, a), [w])).toBe(true);
  });

  test('indices must be int32 and in range', () => {
    const e = new Embedding(3, 2);
    expect(() => e.forward(tensor([0, 1]))).toThrow(DTypeError);
    expect(() => e.forward(tensor([0, 3], { dtype: 'int32' }))).toThrow();
    expect(() => new Embedding(3, 2, { paddingIdx: 3 })).toThrow(/out of range/);
  });
});

describe('Transformer', () => {
  test("TransformerEncoder's layers start as copies of the given layer and are independent", () => {
    manualSeed(25);
    const layer = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16 });
    const enc = new TransformerEncoder(layer, 3);
    const sd = enc.stateDict();
    expect(Object.keys(sd).filter((k) => k.startsWith('layers.2.'))).toEqual(
      Object.keys(layer.stateDict()).map((k) => `layers.2.${k}`),
    );
    expect(arr({ data: sd['layers.1.linear1.weight']! })).toEqual(arr(layer.linear1.weight));
    const l0 = enc.layers[0] as TransformerEncoderLayer;
    l0.linear1.weight.data.assign(0);
    expect(arr({ data: enc.stateDict()['layers.1.linear1.weight']! })).toEqual(
      arr(layer.linear1.weight),
    );
    expect(enc.toString()).toContain('(dropout1): Dropout(p=0.1)');
  });

  test('dropout in training mode only; a custom activation', () => {
    manualSeed(26);
    const m = new TransformerEncoderLayer(4, 2, { dimFeedforward: 8, activation: (x) => x.tanh() });
    const x = randn([3, 2, 4]);
    const train = arr(m.forward(x));
    m.eval();
    const ev = arr(m.forward(x));
    expect(arr(m.forward(x))).toEqual(ev);
    expect(Math.max(...train.map((v, i) => Math.abs(v - ev[i]!)))).toBeGreaterThan(0);
    expect(() => new TransformerEncoderLayer(4, 2, { activation: 'swish' as never })).toThrow(
      /unknown activation/,
    );
  });
});
