// Dataset, TensorDataset, Subset, randomSplit, the samplers, defaultCollate, and the DataLoader over
// any Dataset (sync or async), as PyTorch's torch.utils.data.
import { cpu } from '@nablajs/backend-cpu';
import { type Tensor, arange, tensor, useBackend } from '@nablajs/tensor';
import { describe, expect, test } from 'vitest';
import {
  DataLoader,
  type Dataset,
  RandomSampler,
  SequentialSampler,
  Subset,
  TensorDataset,
  defaultCollate,
  randomSplit,
} from './index.js';

useBackend(cpu());

const vals = (t: Tensor) => Array.from(t.dataSync());
const xs = () => arange(10).reshape([5, 2]).cast('float32');
const ys = () => tensor([0, 1, 0, 1, 1], { dtype: 'int32' });

describe('datasets', () => {
  test('TensorDataset gives one slice of each tensor per example', () => {
    const ds = new TensorDataset(xs(), ys());
    expect(ds.length).toBe(5);
    const [x, y] = ds.get(3);
    expect(vals(x!)).toEqual([6, 7]);
    expect(vals(y!)).toEqual([1]);
    expect(() => ds.get(5)).toThrow(RangeError);
    expect(() => new TensorDataset(xs(), tensor([1, 2]))).toThrow(/first size/);
  });

  test('Subset and randomSplit: disjoint, complete, reproducible; counts or fractions', () => {
    const ds = new TensorDataset(arange(10));
    const s = new Subset(ds, [4, 2]);
    expect(vals((s.get(1) as Tensor[])[0]!)).toEqual([2]);
    const [a, b] = randomSplit(ds, [7, 3], { seed: 1 });
    const seen = [...a!.indices, ...b!.indices].sort((p, q) => p - q);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...randomSplit(ds, [7, 3], { seed: 1 })[0]!.indices]).toEqual([...a!.indices]);
    expect(randomSplit(ds, [0.5, 0.3, 0.2], { seed: 2 }).map((p) => p.length)).toEqual([5, 3, 2]);
    expect(randomSplit(ds, [0.34, 0.33, 0.33], { seed: 2 }).map((p) => p.length)).toEqual([
      4, 3, 3,
    ]);
    expect(() => randomSplit(ds, [5, 4])).toThrow(/sum/);
  });

  test('samplers: sequential, random permutations per epoch, with replacement', () => {
    expect([...new SequentialSampler(3).indices()]).toEqual([0, 1, 2]);
    const r = new RandomSampler(6, { seed: 3 });
    const e0 = [...r.indices(0)];
    expect([...e0].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect([...r.indices(1)]).not.toEqual(e0);
    const w = [...new RandomSampler(3, { seed: 3, replacement: true, numSamples: 50 }).indices(0)];
    expect(w).toHaveLength(50);
    expect(new Set(w)).toEqual(new Set([0, 1, 2]));
  });

  test('defaultCollate stacks tensors, makes tensors of numbers, recurses into tuples and objects', () => {
    const [x, y] = defaultCollate([
      [tensor([1, 2]), 0],
      [tensor([3, 4]), 1],
    ]);
    expect(x.shape).toEqual([2, 2]);
    expect(y.dtype).toBe('int32');
    expect(defaultCollate([0.5, 1]).dtype).toBe('float32');
    const o = defaultCollate([
      { a: 1, name: 'p' },
      { a: 2, name: 'q' },
    ]);
    expect(vals(o.a)).toEqual([1, 2]);
    expect(o.name).toEqual(['p', 'q']);
  });
});

describe('DataLoader over a Dataset', () => {
  test('batches of a TensorDataset, in order, dropLast', () => {
    const loader = new DataLoader(new TensorDataset(xs(), ys()), { batchSize: 2 });
    const batches = [...loader];
    expect(loader.length).toBe(3);
    expect(batches.map(([x]) => x!.shape)).toEqual([
      [2, 2],
      [2, 2],
      [1, 2],
    ]);
    expect(vals(batches[1]![1]!)).toEqual([0, 1]);
    const dropped = new DataLoader(new TensorDataset(xs(), ys()), { batchSize: 2, dropLast: true });
    expect([...dropped]).toHaveLength(2);
  });

  test('shuffle, sampler and collate as in PyTorch', () => {
    const ds = new TensorDataset(arange(6));
    const shuffled = new DataLoader(ds, { batchSize: 6, shuffle: true, seed: 4 });
    const e0 = [...shuffled][0]![0]!;
    const e1 = [...shuffled][0]![0]!;
    expect(vals(e0).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(vals(e1)).not.toEqual(vals(e0)); // a new order each epoch
    const sampled = new DataLoader(ds, { batchSize: 2, sampler: { indices: () => [5, 0, 3] } });
    expect([...sampled].map(([x]) => vals(x!))).toEqual([[5, 0], [3]]);
    expect(sampled.length).toBe(2);
    const summed = new DataLoader(ds, {
      batchSize: 3,
      collate: (items: Tensor[][]) => items.reduce((s, [x]) => s + vals(x!)[0]!, 0),
    });
    expect([...summed]).toEqual([3, 12]);
    expect(() => new DataLoader(ds, { shuffle: true, sampler: new SequentialSampler(6) })).toThrow(
      /not both/,
    );
  });

  test('an async dataset: for await fetches each batch; plain iteration says to await', async () => {
    const slow: Dataset<{ x: number; y: number }> = {
      length: 5,
      get: async (i) => {
        await new Promise((r) => setTimeout(r, 1));
        return { x: i * 10, y: i % 2 };
      },
    };
    const loader = new DataLoader(slow, { batchSize: 2 });
    const xs: number[][] = [];
    for await (const batch of loader) xs.push(vals(batch.x));
    expect(xs).toEqual([[0, 10], [20, 30], [40]]);
    expect(() => [...loader]).toThrow(/for await/);
  });

  test('an ArrayDataset works with for await too', async () => {
    const loader = new DataLoader(
      { images: new Float32Array([1, 2, 3, 4]), labels: new Int32Array([0, 1]) },
      { batchSize: 1 },
    );
    const ys: number[] = [];
    for await (const { y } of loader) ys.push(...vals(y));
    expect(ys).toEqual([0, 1]);
  });
});
