// Multilayer networks rebuilt with Variables: loss and every parameter gradient agree with PyTorch
// (fixtures/pytorch-mlp.json, written by scripts/make-fixtures.py; see its docstring).
import { readFileSync } from 'node:fs';
import { cpu } from '@nablajs/backend-cpu';
import { tensor, useBackend } from '@nablajs/tensor';
import { describe, expect, test } from 'vitest';
import { type Variable, grad, variable } from './index.js';

useBackend(cpu());

type Nested = number | Nested[];
interface Net {
  name: string;
  sizes: number[];
  activations: ('sigmoid' | 'tanh' | 'relu')[];
  loss: 'mse' | 'cross-entropy';
  x: number[][];
  target: number[][] | number[];
  params: Nested[];
  lossValue: number;
  grads: Nested[];
}

const fixtures = JSON.parse(
  readFileSync(new URL('../fixtures/pytorch-mlp.json', import.meta.url), 'utf8'),
) as {
  generator: string;
  nets: Net[];
};

const f64 = (data: Nested, requiresGrad = false) =>
  variable(tensor(data as number[], { dtype: 'float64' }), { requiresGrad });
const flat = (n: Nested): number[] => (Array.isArray(n) ? n.flatMap(flat) : [n]);

function forward(net: Net, params: Variable[]): Variable {
  let h = f64(net.x);
  for (let i = 0; i < params.length / 2; i++) {
    const [W, b] = [params[2 * i]!, params[2 * i + 1]!];
    const z = h.matmul(W.transpose()).add(b);
    h = i < net.activations.length ? z[net.activations[i]!]() : z;
  }
  if (net.loss === 'mse') return h.sub(f64(net.target)).square().sum(1).mean();
  const labels = tensor(
    (net.target as number[]).map((c) => [c]),
    { dtype: 'int32' },
  );
  return h.logSoftmax().gather(1, labels).neg().mean();
}

describe('gradients agree with PyTorch', () => {
  test('the fixtures hold the networks the issue asks for', () => {
    expect(fixtures.generator).toMatch(/PyTorch .*float64/);
    const acts = new Set(fixtures.nets.flatMap((n) => n.activations));
    expect([...acts].sort()).toEqual(['relu', 'sigmoid', 'tanh']);
    expect(new Set(fixtures.nets.map((n) => n.loss))).toEqual(new Set(['mse', 'cross-entropy']));
    for (const net of fixtures.nets) {
      expect(net.params).toHaveLength(2 * (net.sizes.length - 1));
      expect(net.grads).toHaveLength(net.params.length);
      expect(net.x).toHaveLength(3);
    }
  });

  test.each(fixtures.nets.map((n) => [n.name, n] as const))(
    '%s: loss and all parameter gradients to 1e-10',
    (_name, net) => {
      const params = net.params.map((p) => f64(p, true));
      const loss = forward(net, params);
      expect(loss.shape).toEqual([]);
      expect(Math.abs(loss.data.dataSync()[0]! - net.lossValue)).toBeLessThan(1e-10);
      // both ways in: backward() into .grad, and grad() returned
      loss.backward(undefined, { retainGraph: true });
      const returned = grad(loss, params);
      params.forEach((p, k) => {
        const expected = flat(net.grads[k]!);
        expect(p.grad!.shape).toEqual(p.shape);
        for (const got of [
          Array.from(p.grad!.dataSync()),
          Array.from(returned[k]!.data.dataSync()),
        ]) {
          expect(got).toHaveLength(expected.length);
          got.forEach((g, i) =>
            expect(Math.abs(g - expected[i]!), `param ${k} entry ${i}`).toBeLessThan(1e-10),
          );
        }
      });
    },
  );
});
