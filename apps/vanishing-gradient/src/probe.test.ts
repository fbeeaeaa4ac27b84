import { cpu } from '@nablajs/backend-cpu';
import { loadMnist } from '@nablajs/data';
import { init } from '@nablajs/nn';
import { type Tensor, manualSeed, tensor, useBackend } from '@nablajs/tensor';
import { beforeAll, describe, expect, test } from 'vitest';
import { type Activation, buildNet, defaultInit, hiddenSizes } from './model.js';
import { countDeadUnits, probeLayers } from './probe.js';

let x: Tensor;
let y: Tensor;
beforeAll(async () => {
  useBackend(cpu());
  const { train } = await loadMnist({ limit: 1000 });
  x = tensor(train.images, { shape: [1000, 784] });
  y = tensor(train.labels);
});

const probeAtInit = (depth: number, activation: Activation, seed = 1) => {
  manualSeed(seed);
  const net = buildNet({
    sizes: hiddenSizes(depth, 30),
    activation,
    init: defaultInit(activation),
  });
  return probeLayers(net, x, y);
};
const spread = (v: number[]) => Math.max(...v) / Math.min(...v);

describe('speed of learning at initialisation, first 1,000 training images', () => {
  test.each([2, 3, 4])(
    'sigmoid, %i hidden layers: ‖∂C/∂b^l‖ grows from the first hidden layer to the last',
    async (depth) => {
      const p = await probeAtInit(depth, 'sigmoid');
      expect(p.gradNorms).toHaveLength(depth);
      for (let l = 1; l < depth; l++) expect(p.gradNorms[l]!).toBeGreaterThan(p.gradNorms[l - 1]!);
      // the bias gradients equal the batch sums of δ^l read by retainGrad and by a hook
      expect(p.deltaMismatch).toBeLessThan(1e-6);
    },
  );

  test('seed 1, [784,30,30,30,30,10]: the values, and ReLU spreads them far less than sigmoid', async () => {
    const sig = await probeAtInit(4, 'sigmoid');
    const relu = await probeAtInit(4, 'relu');
    const expected = [1.76e-4, 8.93e-4, 4.52e-3, 2.17e-2];
    sig.gradNorms.forEach((v, l) => expect(Math.abs(v / expected[l]! - 1)).toBeLessThan(0.005));
    expect(spread(sig.gradNorms)).toBeGreaterThan(100);
    expect(spread(relu.gradNorms)).toBeLessThan(2);
    expect(spread(relu.gradNorms)).toBeLessThan(spread(sig.gradNorms) / 10);
    expect(sig.deadUnits).toEqual([0, 0, 0, 0]);
  });

  test('ReLU is less spread than sigmoid for other seeds too', async () => {
    for (const seed of [2, 3]) {
      const [sig, relu] = [
        await probeAtInit(4, 'sigmoid', seed),
        await probeAtInit(4, 'relu', seed),
      ];
      expect(spread(relu.gradNorms)).toBeLessThan(spread(sig.gradNorms));
    }
  });
});

describe('dead units', () => {
  test('counts the columns that are 0 for every row', async () => {
    const acts = tensor([
      [0, 0.5, 0, 0, 2],
      [0, 0, 0, 1, 0],
      [0, 0, 0, 0, 0],
    ]);
    expect(await countDeadUnits(acts)).toBe(2); // columns 0 and 2
    expect(await countDeadUnits(tensor([[-0.1, 0]]))).toBe(1); // only exact zeros count
  });

  test('a ReLU layer whose biases are very negative is dead, and its gradient is 0', async () => {
    manualSeed(1);
    const net = buildNet({ sizes: [784, 30, 20, 10], activation: 'relu', init: 'he' });
    init.constant(net.linears[1]!.bias!, -100);
    const p = await probeLayers(net, x, y);
    expect(p.deadUnits[1]).toBe(20);
    expect(p.gradNorms[1]).toBe(0);
    expect(p.gradNorms[0]).toBe(0); // nothing flows back through a dead layer
  });
});
