import { beforeAll, describe, expect, test } from 'vitest';
import { cpu } from '@nablajs/backend-cpu';
import { useBackend } from '@nablajs/tensor';
import type { DigitSet } from 'app-kit/web';
import { DEFAULT_CONFIG, Session } from './session.js';

/** Digits that are easy to tell apart: digit d lights row 2d + 3 of the image, plus some noise. */
function fakeDigits(count: number, seed: number): DigitSet {
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pixels = new Uint8Array(count * 784);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const d = i % 10;
    labels[i] = d;
    for (let p = 0; p < 784; p++) pixels[i * 784 + p] = rand() < 0.05 ? 255 : 0;
    for (let c = 4; c < 24; c++) pixels[i * 784 + (2 * d + 3) * 28 + c] = 255;
  }
  return { pixels, labels, count };
}

beforeAll(() => {
  useBackend(cpu());
});

describe('web session', () => {
  const data = { train: fakeDigits(640, 1), test: fakeDigits(1200, 2) };

  test('trains in chunks, crosses an epoch, and the test accuracy rises far above chance', async () => {
    const session = new Session({ ...DEFAULT_CONFIG, batchSize: 32 }, data);
    expect(session.batchesPerEpoch).toBe(20);
    const before = await session.evaluate(1200);
    expect(before.count).toBe(1200);
    const first = await session.train(15);
    expect(first).toMatchObject({ steps: 15, step: 15, epochEnded: false });
    const second = await session.train(15);
    expect(second).toMatchObject({ step: 30, epoch: 1.5, epochEnded: true });
    for (let i = 0; i < 10; i++) await session.train(20);
    expect(session.step).toBe(230);
    const after = await session.evaluate(1200);
    expect(after.accuracy).toBeGreaterThan(0.9);
    expect(after.accuracy).toBeGreaterThan(before.accuracy + 0.3);
    // the mistakes are real ones: their label and prediction differ, and no more than asked for
    const few = await session.evaluate(1200, 3);
    expect(few.mistakes.length).toBeLessThanOrEqual(3);
    for (const m of few.mistakes) {
      expect(m.predicted).not.toBe(m.label);
      expect(data.test.labels[m.index]).toBe(m.label);
    }
  }, 60_000); // a second or two alone; minutes on a loaded 2-core machine

  test('predicts ten probabilities that sum to 1, with dropout off', async () => {
    const session = new Session({ ...DEFAULT_CONFIG, dropout: 0.5, activation: 'relu' }, data);
    await session.train(40);
    const image = new Float32Array(784);
    for (let c = 4; c < 24; c++) image[(2 * 7 + 3) * 28 + c] = 1;
    const p = await session.predict(image);
    expect(p).toHaveLength(10);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    // evaluation mode: the same input gives the same answer twice, and training mode is restored
    expect(await session.predict(image)).toEqual(p);
    expect(session.model.training).toBe(true);
    expect(p.indexOf(Math.max(...p))).toBe(7);
  });

  test('Adam, depth 2, L2: six parameters, a finite loss', async () => {
    const config = { ...DEFAULT_CONFIG, depth: 2, optimizer: 'adam' as const, lr: 1e-3, l2: 5 };
    const session = new Session(config, data);
    expect(session.model.parameters()).toHaveLength(6);
    const r = await session.train(5);
    expect(Number.isFinite(r.loss)).toBe(true);
  });
});
