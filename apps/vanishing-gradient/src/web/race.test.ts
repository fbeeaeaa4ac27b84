import { beforeAll, describe, expect, test } from 'vitest';
import { cpu } from '@nablajs/backend-cpu';
import { loadMnist } from '@nablajs/data';
import { useBackend } from '@nablajs/tensor';
import type { DigitSet, MnistBytes } from 'app-kit/web';
import { DEFAULT_RACE, Race } from './race.js';

const bytes = (s: { images: Float32Array; labels: Int32Array; count: number }): DigitSet => ({
  pixels: Uint8Array.from(s.images, (v) => Math.round(255 * v)),
  labels: Uint8Array.from(s.labels),
  count: s.count,
});

let data: MnistBytes;
beforeAll(async () => {
  useBackend(cpu());
  const mnist = await loadMnist({ limit: 1000 });
  data = { train: bytes(mnist.train), test: bytes(mnist.test) };
}, 60_000);

describe('the race of a sigmoid and a ReLU network', () => {
  test('the sigmoid net’s gradients shrink towards the first layer; the ReLU net’s do not', async () => {
    const race = new Race({ ...DEFAULT_RACE, trainImages: 1000 }, data);
    expect(race.batchesPerEpoch).toBe(100);
    const first = await race.train(20);
    expect(first).toMatchObject({ steps: 20, step: 20, epoch: 0.2 });
    const { sigmoid, relu } = first.norms;
    expect(sigmoid).toHaveLength(4);
    expect(relu).toHaveLength(4);
    // layer by layer, first to last, the sigmoid net's ‖∂C/∂b‖ grows; end to end by 10× or more
    for (let l = 0; l + 1 < 4; l++) expect(sigmoid[l]!).toBeLessThan(sigmoid[l + 1]!);
    expect(sigmoid[3]! / sigmoid[0]!).toBeGreaterThan(10);
    const spread = (v: number[]) => Math.max(...v) / Math.min(...v);
    expect(spread(relu)).toBeLessThan(spread(sigmoid) / 3);
    for (const v of [first.loss.sigmoid, first.loss.relu]) expect(v).toBeGreaterThan(0);
  });

  test('training both nets lowers their loss; accuracy is measured on the test images', async () => {
    const race = new Race({ ...DEFAULT_RACE, depth: 2, trainImages: 1000 }, data);
    const before = await race.train(10);
    for (let i = 0; i < 8; i++) await race.train(25);
    const after = await race.train(10);
    expect(after.loss.relu).toBeLessThan(before.loss.relu);
    expect(after.step).toBe(220);
    expect(after.epoch).toBeCloseTo(2.2, 12);
    const acc = await race.accuracy(500);
    expect(acc.relu).toBeGreaterThan(0.5);
    expect(acc.sigmoid).toBeGreaterThanOrEqual(0);
  });
});
