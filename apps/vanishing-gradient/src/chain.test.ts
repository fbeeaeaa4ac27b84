import { cpu } from '@nablajs/backend-cpu';
import { useBackend } from '@nablajs/tensor';
import { beforeAll, describe, expect, test } from 'vitest';
import { chainAt, seededWeights, singleNeuronChain } from './chain.js';

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

  test('chainAt takes the weights the sliders set: large weights (|w·σ′| > 1) make δ grow instead', async () => {
    const b = [0, 0, 0, 0];
    const small = await chainAt({ w: [0.5, 0.5, 0.5, 0.5], b });
    const large = await chainAt({ w: [6, 6, 6, 6], b: [0, -3, -3, -3], x: 0 });
    for (const c of [small, large])
      expect(Math.abs(c.product - c.autograd)).toBeLessThanOrEqual(1e-12 * Math.abs(c.autograd));
    const ratio = (c: typeof small) => Math.abs(c.deltas[0]!.autograd / c.deltas[3]!.autograd);
    expect(ratio(small)).toBeLessThan(0.01); // three factors σ′·w ≤ 0.125 each
    // biases that hold every a_i at 0 keep σ′ = 1/4, so each factor σ′·w is 6/4: δ1 = 1.5³·δ4
    expect(ratio(large)).toBeCloseTo(1.5 ** 3, 12);
    expect(await chainAt({ ...seededWeights(1) })).toEqual(await singleNeuronChain({ seed: 1 }));
  });
});
