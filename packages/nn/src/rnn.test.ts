import { cpu } from '@nablajs/backend-cpu';
import { grad, gradcheck, variable } from '@nablajs/autograd';
import { manualSeed, randn, useBackend } from '@nablajs/tensor';
import { describe, expect, test } from 'vitest';
import { GRU, LSTM, RNN } from './index.js';

useBackend(cpu());
const f64 = { dtype: 'float64' as const };
const arr = (v: { data: { dataSync(): ArrayLike<number> } }) => Array.from(v.data.dataSync());

describe('RNN, LSTM, GRU', () => {
  test("PyTorch's keys in PyTorch's order, shapes by gate count, init U(±1/√hidden)", () => {
    const m = new LSTM(3, 5, { numLayers: 2, bidirectional: true });
    const names = m.namedParameters().map(([n, p]) => `${n} ${p.shape.join('x')}`);
    const layer = (l: number, sfx: string, inSize: number) => [
      `weight_ih_l${l}${sfx} 20x${inSize}`,
      `weight_hh_l${l}${sfx} 20x5`,
      `bias_ih_l${l}${sfx} 20`,
      `bias_hh_l${l}${sfx} 20`,
    ];
    expect(names).toEqual([
      ...layer(0, '', 3),
      ...layer(0, '_reverse', 3),
      ...layer(1, '', 10),
      ...layer(1, '_reverse', 10),
    ]);
    const bound = 1 / Math.sqrt(5);
    for (const p of m.parameters())
      expect(Math.max(...arr(p).map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(new GRU(2, 4, { bias: false }).namedParameters().map(([n, p]) => [n, p.shape])).toEqual([
      ['weight_ih_l0', [12, 2]],
      ['weight_hh_l0', [12, 4]],
    ]);
    expect(m.weights(1, 1).wHh).toBe(
      (m as unknown as Record<string, unknown>).weight_hh_l1_reverse,
    );
  });

  test.each([
    ['RNN tanh', () => new RNN(2, 3, { ...f64, numLayers: 2 }), false],
    ['RNN relu', () => new RNN(2, 3, { ...f64, nonlinearity: 'relu' }), false],
    ['GRU bidirectional', () => new GRU(2, 3, { ...f64, bidirectional: true }), false],
    [
      'LSTM 2 layers bidirectional',
      () => new LSTM(2, 3, { ...f64, numLayers: 2, bidirectional: true }),
      true,
    ],
  ] as const)(
    '%s: gradcheck of the output and final state in x, h0 (and c0)',
    (_name, make, lstm) => {
      manualSeed(11);
      const m = make();
      const ld = m.numLayers * (m.bidirectional ? 2 : 1);
      const x = variable(randn([4, 2, 2], f64), { requiresGrad: true });
      const h0 = variable(randn([ld, 2, 3], f64).mul(0.5), { requiresGrad: true });
      const c0 = variable(randn([ld, 2, 3], f64).mul(0.5), { requiresGrad: true });
      const f = lstm
        ? (a: typeof x, b: typeof x, c: typeof x) => {
            const [y, [h, cc]] = (m as LSTM).forwardWithState(a, [b, c]);
            return y.square().sum().add(h.sum()).add(cc.sum().mul(0.5));
          }
        : (a: typeof x, b: typeof x) => {
            const [y, h] = (m as RNN).forwardWithState(a, b);
            return y.square().sum().add(h.sum());
          };
      expect(gradcheck(f, lstm ? [x, h0, c0] : [x, h0])).toBe(true);
    },
  );

  test('hidden states are [layers·directions, batch, hidden] also with batchFirst', () => {
    const m = new GRU(3, 4, { numLayers: 2, bidirectional: true, batchFirst: true });
    const [y, h] = m.forwardWithState(randn([5, 7, 3]));
    expect(y.shape).toEqual([5, 7, 8]);
    expect(h.shape).toEqual([4, 5, 4]);
    const [y1, [h1, c1]] = new LSTM(3, 4).forwardWithState(randn([7, 3]));
    expect([y1.shape, h1.shape, c1.shape]).toEqual([
      [7, 4],
      [1, 4],
      [1, 4],
    ]);
  });

  test('the final state continues the sequence: two halves give the whole', () => {
    manualSeed(12);
    const m = new LSTM(2, 3, f64);
    const x = randn([6, 2, 2], f64);
    const [whole] = m.forwardWithState(x);
    const [a, s] = m.forwardWithState(x.slice([[0, 3]]));
    const [b] = m.forwardWithState(x.slice([[3, 6]]), s);
    const halves = [...arr(a), ...arr(b)];
    const w = arr(whole);
    expect(Math.max(...w.map((v, i) => Math.abs(v - halves[i]!)))).toBeLessThan(1e-15);
  });

  test('a long sequence stays finite (2000 steps)', () => {
    manualSeed(13);
    const m = new GRU(4, 8);
    const y = m.forward(randn([2000, 1, 4]).mul(3));
    y.sum().backward();
    expect(arr(y).every(Number.isFinite)).toBe(true);
    for (const p of m.parameters())
      expect(Array.from(p.grad!.dataSync()).every(Number.isFinite)).toBe(true);
  });

  test('dropout between layers in training mode only', () => {
    manualSeed(14);
    const m = new RNN(3, 4, { numLayers: 2, dropout: 0.5 });
    const x = randn([5, 2, 3]);
    const train = arr(m.forward(x));
    m.eval();
    const ev = arr(m.forward(x));
    expect(arr(m.forward(x))).toEqual(ev);
    expect(Math.max(...train.map((v, i) => Math.abs(v - ev[i]!)))).toBeGreaterThan(0);
  });

  test('clear errors: shapes, states, second derivatives', () => {
    const m = new LSTM(3, 4);
    expect(() => m.forward(randn([5, 2, 2]))).toThrow(/is not \[seq, batch, 3\]/);
    expect(() => m.forward(randn([5, 2, 3]), randn([2, 2, 4]), randn([1, 2, 4]))).toThrow(
      /h0 \[2,2,4\] should be \[1,2,4\]/,
    );
    expect(() => m.forward(randn([5, 2, 3]), randn([1, 2, 4]))).toThrow(/both h0 and c0/);
    expect(() => new GRU(3, 4).forward(randn([0, 2, 3]))).toThrow(/no time steps/);
    expect(() => new RNN(3, 4, { nonlinearity: 'sigmoid' as never })).toThrow(
      /unknown nonlinearity/,
    );
    const x = variable(randn([3, 1, 3], f64), { requiresGrad: true });
    const y = new GRU(3, 2, f64).forward(x).sum();
    expect(() => grad(y, [x], { createGraph: true })).toThrow(/second derivatives/);
  });
});
