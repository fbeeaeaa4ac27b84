import { cpu } from '@nablajs/backend-cpu';
import { useBackend } from '@nablajs/tensor';
import { beforeAll, describe, expect, test } from 'vitest';
import { singleNeuronChain } from './chain.js';

beforeAll(() => {
  useBackend(cpu());
});

describe("the lecture's single-neuron chain", () => {
  test.each([1, 2, 7])(
    'seed %i: ∂C/∂y4·σ′(a4)·w4·σ′(a3)·w3·σ′(a2)·w2·σ′(a1) equals autograd’s ∂C/∂b1 (float64, 1e-12)',
    async (seed) => {
      const c = await singleNeuronChain({ seed, x: 0.5, target: 1 });
      expect(c.terms.map((t) => t.name)).toEqual([
        '∂C/∂y4', "σ'(a4)", 'w4', "σ'(a3)", 'w3', "σ'(a2)", 'w2', "σ'(a1)",
      ]); // prettier-ignore
      expect(c.autograd).not.toBe(0);
      expect(Math.abs(c.product - c.autograd)).toBeLessThanOrEqual(1e-12 * Math.abs(c.autograd));
      // every σ′ factor is at most 1/4, so without large weights the gradient shrinks layer by layer
      for (const t of c.terms.filter((t) => t.name.startsWith('σ'))) {
        expect(t.value).toBeGreaterThan(0);
        expect(t.value).toBeLessThanOrEqual(0.25);
      }
      // δ_i = ∂C/∂a_i from retainGrad equals the product of the factors down to σ′(a_i)
      for (const d of c.deltas)
        expect(Math.abs(d.product - d.autograd)).toBeLessThanOrEqual(1e-12 * Math.abs(d.autograd));
    },
  );

  test('with seed 1 the weights are small and |δ| shrinks from layer 4 to layer 1', async () => {
    const c = await singleNeuronChain({ seed: 1 });
    const size = c.deltas.map((d) => Math.abs(d.autograd));
    expect(size[0]!).toBeLessThan(size[1]!);
    expect(size[1]!).toBeLessThan(size[2]!);
    expect(size[2]!).toBeLessThan(size[3]!);
    expect(c.product).toBeCloseTo(-2.2794461551965e-5, 15);
  });
});
