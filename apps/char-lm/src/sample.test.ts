import { noGrad } from '@nablajs/autograd';
import { cpu } from '@nablajs/backend-cpu';
import { manualSeed, tensor, useBackend } from '@nablajs/tensor';
import { beforeAll, describe, expect, test } from 'vitest';
import { buildModel, type ModelSpec } from './model.js';
import { generate, pick } from './sample.js';

beforeAll(() => useBackend(cpu()));

describe('pick', () => {
  const logits = [1, 3, 2, 0.5];
  // softmax by hand over the top two, 3 and 2: e / (e + 1) and 1 / (e + 1)
  const pTop = Math.E / (Math.E + 1);

  test('temperature 0 is the likeliest, whatever u', () => {
    for (const u of [0, 0.5, 0.999]) expect(pick(logits, { temperature: 0, topK: 0 }, u)).toBe(1);
  });

  test('top-k 2 draws only the two likeliest, with their renormalised softmax', () => {
    const o = { temperature: 1, topK: 2 };
    expect(pick(logits, o, 0)).toBe(1);
    expect(pick(logits, o, pTop - 1e-9)).toBe(1);
    expect(pick(logits, o, pTop + 1e-9)).toBe(2);
    expect(pick(logits, o, 0.999999)).toBe(2);
  });

  test('without top-k every character can be drawn, in the inverse-CDF order', () => {
    const o = { temperature: 1, topK: 0 };
    const p = logits.map(Math.exp);
    const total = p.reduce((a, b) => a + b);
    // the CDF's steps, by hand
    let acc = 0;
    logits.forEach((_, i) => {
      const lo = acc;
      acc += p[i]! / total;
      expect(pick(logits, o, (lo + acc) / 2)).toBe(i);
    });
  });

  test('temperature 2 flattens: the second character gets (1 − p) with p = 1/(1 + e^(−1/2))', () => {
    const o = { temperature: 2, topK: 2 };
    const p = 1 / (1 + Math.exp(-0.5));
    expect(pick(logits, o, p - 1e-9)).toBe(1);
    expect(pick(logits, o, p + 1e-9)).toBe(2);
  });
});

describe('generate', () => {
  const spec = (model: 'gpt' | 'lstm'): ModelSpec => ({
    model,
    vocabSize: 7,
    context: 6,
    layers: 1,
    heads: 2,
    dim: 8,
    dropout: 0,
    tieWeights: false,
  });

  test.each(['gpt', 'lstm'] as const)(
    '%s: the length asked for; the same seed the same text, another seed another',
    async (kind) => {
      manualSeed(3);
      const model = buildModel(spec(kind));
      const o = { length: 40, temperature: 1.5, topK: 0, seed: 11 };
      const a = await generate(model, [0, 1], o);
      expect(a).toHaveLength(40);
      for (const id of a) expect(id >= 0 && id < 7).toBe(true);
      expect(Array.from(await generate(model, [0, 1], o))).toEqual(Array.from(a));
      const b = await generate(model, [0, 1], { ...o, seed: 12 });
      expect(Array.from(b)).not.toEqual(Array.from(a));
      expect(model.training).toBe(true); // put back in training mode
    },
  );

  test('gpt: with top-k 2 each character is one of the two likeliest after its prefix (beyond the context too)', async () => {
    manualSeed(5);
    const model = buildModel(spec('gpt'));
    const prompt = [3];
    const out = await generate(model, prompt, { length: 12, temperature: 3, topK: 2, seed: 1 });
    const seq = [...prompt, ...out];
    model.eval();
    for (let i = 1; i < seq.length; i++) {
      const window = seq.slice(Math.max(0, i - 6), i);
      const row = noGrad(() =>
        model.forward(tensor(window, { shape: [1, window.length], dtype: 'int32' })),
      ).data.slice([0, window.length - 1]);
      const logits = Array.from(await row.data());
      const rank = logits.filter((v) => v > logits[seq[i]!]!).length;
      expect(rank).toBeLessThan(2);
    }
  });

  test('an empty prompt or a negative temperature is refused', async () => {
    manualSeed(1);
    const model = buildModel(spec('gpt'));
    await expect(
      generate(model, [], { length: 1, temperature: 1, topK: 0, seed: 1 }),
    ).rejects.toThrow(/at least one character/);
    await expect(
      generate(model, [1], { length: 1, temperature: -1, topK: 0, seed: 1 }),
    ).rejects.toThrow(/temperature must be ≥ 0/);
  });
});
