import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpu } from '@nablajs/backend-cpu';
import { load, save } from '@nablajs/nn';
import { useBackend } from '@nablajs/tensor';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseUntrustedJson } from './checkpoint.js';
import { splitText } from './corpus.js';
import { Run } from './run.js';
import { lrFactor, MIN_LR_RATIO } from './schedule.js';
import { type TrainConfig, train } from './train.js';

beforeAll(() => useBackend(cpu()));

const dir = mkdtempSync(join(tmpdir(), 'char-lm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A text a tiny model learns in a few dozen steps. */
const corpus = splitText('the cat sat on the mat.\n'.repeat(60), 'cats.txt');

const config = (over: Partial<TrainConfig> = {}): TrainConfig => ({
  model: 'gpt',
  context: 8,
  layers: 1,
  heads: 2,
  dim: 16,
  dropout: 0,
  tieWeights: false,
  batchSize: 8,
  lr: 1e-2,
  warmup: 2,
  steps: 40,
  weightDecay: 0.1,
  clip: 1,
  seed: 1,
  evalEvery: 40,
  evalWindows: 8,
  ...over,
});

describe('training', () => {
  test.each([
    ['gpt', {}],
    ['gpt with tied weights', { tieWeights: true }],
    ['lstm', { model: 'lstm' as const }],
  ])(
    '%s: 40 steps take the validation loss well below that of the untrained model',
    async (_, over) => {
      const c = config(over);
      const before = await new Run(c, corpus).validationLoss(c.evalWindows);
      // an untrained model is close to uniform over the vocabulary
      expect(before).toBeGreaterThan(0.8 * Math.log(corpus.vocab.size));
      const { history } = await train(c, corpus, { progress: null });
      expect(history).toHaveLength(1);
      expect(history[0]!.validationLoss).toBeLessThan(0.6 * before);
    },
  );

  test('the schedule warms up linearly, peaks, and ends at a tenth on a cosine', () => {
    const c = { warmup: 4, steps: 14 };
    expect(lrFactor(0, c)).toBeCloseTo(1 / 5, 12);
    expect(lrFactor(3, c)).toBeCloseTo(4 / 5, 12);
    expect(lrFactor(4, c)).toBeCloseTo(1, 12);
    // halfway through the decay: the mean of the peak and the floor
    expect(lrFactor(9, c)).toBeCloseTo((1 + MIN_LR_RATIO) / 2, 12);
    expect(lrFactor(14, c)).toBeCloseTo(MIN_LR_RATIO, 12);
    expect(lrFactor(100, c)).toBe(MIN_LR_RATIO);
  });
});

describe('checkpoints', () => {
  test('a run stopped after its checkpoint at step 3 and resumed ends with the weights of a run of 6 steps (dropout on)', async () => {
    const c = config({ steps: 6, evalEvery: 3, dropout: 0.1 });
    const whole = await train({ ...c, save: join(dir, 'whole.safetensors') }, corpus, {
      progress: null,
    });
    const path = join(dir, 'half.safetensors');
    // a crash after the checkpoint of step 3
    const crash = train({ ...c, save: path }, corpus, {
      progress: null,
      onEval: () => {
        throw new Error('killed');
      },
    });
    await expect(crash).rejects.toThrow('killed');
    const resumed = await train({ ...c, save: path, resume: true }, corpus, { progress: null });
    expect(resumed.run.step).toBe(6);
    const a = whole.run.model.stateDict();
    const b = resumed.run.model.stateDict();
    expect(Object.keys(b)).toEqual(Object.keys(a));
    for (const k of Object.keys(a)) expect(await b[k]!.data()).toEqual(await a[k]!.data());
    expect(resumed.history.map((p) => p.validationLoss)).toEqual(
      whole.history.map((p) => p.validationLoss),
    );
  });

  test('resuming another architecture or a file of another kind says so', async () => {
    const path = join(dir, 'small.safetensors');
    await train({ ...config({ steps: 1, evalEvery: 1 }), save: path }, corpus, { progress: null });
    await expect(
      train({ ...config({ dim: 32 }), save: path, resume: true }, corpus, { progress: null }),
    ).rejects.toThrow(/holds a .* model, the flags ask for/);
    const other = join(dir, 'other.safetensors');
    const { tensors } = await load(path);
    await save(tensors, other, { checkpoint: '{"format":"something else"}' });
    await expect(
      train({ ...config(), save: other, resume: true }, corpus, { progress: null }),
    ).rejects.toThrow(/is not a checkpoint written by this trainer/);
  });

  test('untrusted JSON: null-prototype objects, and __proto__ refused', () => {
    const v = parseUntrustedJson('{"a":{"b":[{"c":1}]}}', 'test') as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(null);
    expect(Object.getPrototypeOf((v.a as { b: object[] }).b[0])).toBe(null);
    expect(() =>
      parseUntrustedJson('{"x":{"__proto__":{"polluted":1}}}', 'file.safetensors'),
    ).toThrow(/file.safetensors: the key '__proto__' is not allowed/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
