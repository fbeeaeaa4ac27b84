import { cpu } from '@nablajs/backend-cpu';
import { useBackend } from '@nablajs/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { DataLoader, type ArrayDataset } from './dataloader.js';

/** `n` examples of 3 features; example i has features [i, i + 0.25, i + 0.5] and label i % 10. */
function toy(n: number): ArrayDataset {
  const images = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) images.set([i, i + 0.25, i + 0.5], i * 3);
  return { images, labels: Int32Array.from({ length: n }, (_, i) => i % 10) };
}

const epochIndices = (loader: DataLoader): number[] =>
  [...loader.arrays()].flatMap((b) => Array.from(b.indices));

describe('DataLoader batching', () => {
  it('counts batches with and without dropLast', () => {
    const data = toy(10);
    const cases: [number, boolean, number, number[]][] = [
      [3, false, 4, [3, 3, 3, 1]],
      [3, true, 3, [3, 3, 3]],
      [5, false, 2, [5, 5]],
      [5, true, 2, [5, 5]],
      [10, true, 1, [10]],
      [11, false, 1, [10]],
      [11, true, 0, []],
    ];
    for (const [batchSize, dropLast, length, sizes] of cases) {
      const loader = new DataLoader(data, { batchSize, dropLast });
      expect(loader.length, `batchSize ${batchSize} dropLast ${dropLast}`).toBe(length);
      expect([...loader.arrays()].map((b) => b.size)).toEqual(sizes);
    }
    expect(new DataLoader(toy(0), { batchSize: 4 }).length).toBe(0);
  });

  it('keeps the dataset order without shuffle and copies whole examples', () => {
    const loader = new DataLoader(toy(5), { batchSize: 2 });
    const batches = [...loader.arrays()];
    expect(batches.map((b) => Array.from(b.indices))).toEqual([[0, 1], [2, 3], [4]]);
    expect(Array.from(batches[1]!.x)).toEqual([2, 2.25, 2.5, 3, 3.25, 3.5]);
    expect(batches[1]!.y).toBeInstanceOf(Int32Array);
    expect(Array.from(batches[2]!.y)).toEqual([4]);
  });

  it('pairs each example with its own label after shuffling', () => {
    const loader = new DataLoader(toy(23), { batchSize: 4, shuffle: true, seed: 5 });
    for (const { x, y, indices, size } of loader.arrays()) {
      for (let k = 0; k < size; k++) {
        expect(x[k * 3]).toBe(indices[k]);
        expect(y[k]).toBe(indices[k]! % 10);
      }
    }
  });

  it('one-hot encodes labels as float32 rows', () => {
    const loader = new DataLoader(toy(4), { batchSize: 4, oneHot: 10 });
    const [batch] = [...loader.arrays()];
    expect(batch!.y).toBeInstanceOf(Float32Array);
    expect(Array.from(batch!.y.subarray(20, 30))).toEqual([0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(batch!.y).reduce((a, b) => a + b)).toBe(4);
  });

  it('rejects bad options and inconsistent datasets', () => {
    expect(() => new DataLoader(toy(4), { batchSize: 0 })).toThrow(
      /batchSize must be a positive integer/,
    );
    expect(() => new DataLoader(toy(4), { batchSize: 1.5 })).toThrow(RangeError);
    expect(() => new DataLoader({ ...toy(4), featureShape: [2] }, { batchSize: 1 })).toThrow(
      'DataLoader: 4 examples of feature shape [2] need 8 features, images has 12',
    );
    expect(() => new DataLoader(toy(12), { batchSize: 1, oneHot: 5 })).toThrow(
      'label 5 at index 5 is not a class index in 0…4',
    );
    const targets = { images: new Float32Array(4), labels: new Float32Array(2) };
    expect(() => new DataLoader(targets, { batchSize: 1, oneHot: 2 })).toThrow(TypeError);
  });
});

describe('DataLoader shuffle', () => {
  const n = 103;

  it('visits every index exactly once per epoch', () => {
    for (const dropLast of [false, true]) {
      const loader = new DataLoader(toy(n), { batchSize: 10, shuffle: true, seed: 1, dropLast });
      for (let epoch = 0; epoch < 3; epoch++) {
        const seen = epochIndices(loader);
        expect(seen.length).toBe(dropLast ? 100 : n);
        expect(new Set(seen).size).toBe(seen.length);
        if (!dropLast) expect([...seen].sort((a, b) => a - b)).toEqual([...Array(n).keys()]);
      }
    }
  });

  it('gives the same sequence of epoch orders for the same seed', () => {
    const a = new DataLoader(toy(n), { batchSize: 8, shuffle: true, seed: 2024 });
    const b = new DataLoader(toy(n), { batchSize: 8, shuffle: true, seed: 2024 });
    const epochsA = [epochIndices(a), epochIndices(a), epochIndices(a)];
    const epochsB = [epochIndices(b), epochIndices(b), epochIndices(b)];
    expect(epochsA).toEqual(epochsB);
    // and a new order each epoch, different from the dataset order
    expect(epochsA[0]).not.toEqual(epochsA[1]);
    expect(epochsA[1]).not.toEqual(epochsA[2]);
    expect(epochsA[0]).not.toEqual([...Array(n).keys()]);
    expect(a.epoch).toBe(3);
    // order(epoch) replays any epoch
    expect(Array.from(a.order(1))).toEqual(epochsA[1]);
  });

  it('gives different orders for different seeds', () => {
    const a = new DataLoader(toy(n), { batchSize: 8, shuffle: true, seed: 1 });
    const b = new DataLoader(toy(n), { batchSize: 8, shuffle: true, seed: 2 });
    expect(epochIndices(a)).not.toEqual(epochIndices(b));
  });

  it('draws a seed when none is given', () => {
    const a = new DataLoader(toy(n), { batchSize: 8, shuffle: true });
    expect(Number.isInteger(a.seed)).toBe(true);
    expect(new Set(epochIndices(a)).size).toBe(n);
  });
});

describe('DataLoader tensors', () => {
  beforeAll(() => {
    useBackend(cpu());
  });

  it('yields x float32 [B, ...featureShape] and y int32 [B]', async () => {
    const loader = new DataLoader({ ...toy(5), featureShape: [1, 3] }, { batchSize: 2 });
    const batches = [...loader];
    expect(batches.length).toBe(loader.length);
    const last = batches[2]!;
    expect(batches[0]!.x.shape).toEqual([2, 1, 3]);
    expect(batches[0]!.x.dtype).toBe('float32');
    expect(batches[0]!.y.shape).toEqual([2]);
    expect(batches[0]!.y.dtype).toBe('int32');
    expect(last.x.shape).toEqual([1, 1, 3]);
    expect(Array.from(await last.x.data())).toEqual([4, 4.25, 4.5]);
    expect(Array.from(await last.y.data())).toEqual([4]);
  });

  it('yields tensors that own their data: changing the dataset later changes no batch', async () => {
    const data = toy(4);
    const [first, second] = [...new DataLoader(data, { batchSize: 2 })];
    data.images.fill(-1);
    data.labels.fill(-1);
    expect(Array.from(await first!.x.data())).toEqual([0, 0.25, 0.5, 1, 1.25, 1.5]);
    expect(Array.from(await second!.y.data())).toEqual([2, 3]);
  });

  it('yields one-hot y as float32 [B, C]', async () => {
    const loader = new DataLoader(toy(3), { batchSize: 3, oneHot: 4 });
    const [batch] = [...loader];
    const y = batch!.y;
    expect(y.shape).toEqual([3, 4]);
    expect(y.dtype).toBe('float32');
    expect(Array.from(await y.data())).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]);
  });

  it('yields float32 targets of labelShape for regression', async () => {
    const images = Float32Array.from([1, 2, 3]);
    const labels = Float32Array.from([10, 11, 20, 21, 30, 31]);
    const loader = new DataLoader({ images, labels, labelShape: [2] }, { batchSize: 2 });
    const [first] = [...loader];
    expect(first!.x.shape).toEqual([2, 1]);
    expect(first!.y.shape).toEqual([2, 2]);
    expect(first!.y.dtype).toBe('float32');
    expect(Array.from(await first!.y.data())).toEqual([10, 11, 20, 21]);
  });

  it('iterates a shuffled epoch with for…of, labels matching features', async () => {
    const loader = new DataLoader(toy(20), { batchSize: 6, shuffle: true, seed: 9 });
    let seen = 0;
    for (const { x, y } of loader) {
      const xs = await x.data();
      const ys = await y.data();
      for (let k = 0; k < ys.length; k++) expect(ys[k]).toBe(xs[k * 3]! % 10);
      seen += ys.length;
    }
    expect(seen).toBe(20);
    expect(loader.epoch).toBe(1);
  });
});
