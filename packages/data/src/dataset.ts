import { ShapeError, Tensor, stack, tensor } from '@nablajs/tensor';
import { permutation, seededRandom } from './shuffle.js';

/**
 * A collection of examples indexed 0 … length − 1, PyTorch's map-style `Dataset`: `length` is its
 * `__len__`, `get(i)` its `__getitem__`. `get` may return a Promise (a file or a network read):
 * a DataLoader over such a dataset is iterated with `for await`.
 */
export interface Dataset<T> {
  /** The number of examples. */
  readonly length: number;
  /** Example `index`, or a Promise of it. */
  get(index: number): T | Promise<T>;
}

function checkIndex(op: string, index: number, length: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= length)
    throw new RangeError(`${op}: index ${index} is out of range for ${length} examples`);
}

/**
 * Examples that are slices of tensors along their first axis, PyTorch's `TensorDataset`:
 * `get(i)` is `[t0[i], t1[i], …]` (views). Every tensor needs the same first size.
 */
export class TensorDataset implements Dataset<Tensor[]> {
  /** The tensors, sliced along their first axis. */
  readonly tensors: readonly Tensor[];

  constructor(...tensors: Tensor[]) {
    if (!tensors.length) throw new ShapeError('TensorDataset', 'needs at least one tensor');
    const n = tensors[0]!.shape[0];
    if (tensors.some((t) => t.rank === 0 || t.shape[0] !== n))
      throw new ShapeError(
        'TensorDataset',
        `tensors of shapes ${tensors.map((t) => `[${t.shape}]`).join(', ')} differ in their first size`,
        'every tensor needs one entry per example along axis 0',
      );
    this.tensors = tensors;
  }

  /** The first size of the tensors. */
  get length(): number {
    return this.tensors[0]!.shape[0]!;
  }

  /** `[t0[index], t1[index], …]`. */
  get(index: number): Tensor[] {
    checkIndex('TensorDataset', index, this.length);
    return this.tensors.map((t) => t.slice([index]));
  }
}

/** The examples of `dataset` at `indices`, in that order (PyTorch's `Subset`). */
export class Subset<T> implements Dataset<T> {
  constructor(
    /** The dataset picked from. */
    readonly dataset: Dataset<T>,
    /** Which of its examples, in order. */
    readonly indices: readonly number[] | Int32Array,
  ) {
    for (const i of indices) checkIndex('Subset', i, dataset.length);
  }

  /** The number of indices. */
  get length(): number {
    return this.indices.length;
  }

  /** Example `indices[index]` of the dataset. */
  get(index: number): T | Promise<T> {
    checkIndex('Subset', index, this.length);
    return this.dataset.get(this.indices[index]!);
  }
}

/**
 * Splits `dataset` at random into non-overlapping subsets of the given `lengths` (counts summing to
 * its length, or fractions summing to 1, the remainder spread from the first, as PyTorch does),
 * reproducibly from `seed`.
 */
export function randomSplit<T>(
  dataset: Dataset<T>,
  lengths: readonly number[],
  opts: { seed?: number } = {},
): Subset<T>[] {
  const n = dataset.length;
  let counts = [...lengths];
  const sum = counts.reduce((a, b) => a + b, 0);
  if (counts.every((f) => f >= 0 && f <= 1) && Math.abs(sum - 1) < 1e-9 && sum !== n) {
    counts = counts.map((f) => Math.floor(f * n));
    const rest = n - counts.reduce((a, b) => a + b, 0);
    for (let i = 0; i < rest; i++) counts[i % counts.length]!++;
  }
  if (counts.reduce((a, b) => a + b, 0) !== n || counts.some((c) => !Number.isInteger(c) || c < 0))
    throw new RangeError(
      `randomSplit: lengths [${lengths.join(', ')}] must be counts summing to ${n} or fractions summing to 1`,
    );
  const order = permutation(n, opts.seed ?? Math.floor(Math.random() * 0x100000000));
  let at = 0;
  return counts.map((c) => {
    const part = order.slice(at, at + c);
    at += c;
    return new Subset(dataset, part);
  });
}

/** Where a DataLoader takes its indices from, epoch by epoch (PyTorch's `Sampler`). */
export interface Sampler {
  /** The indices of epoch `epoch`, in the order they are visited. */
  indices(epoch: number): Iterable<number>;
}

/** 0 … length − 1, in order. */
export class SequentialSampler implements Sampler {
  constructor(
    /** The number of examples. */
    readonly length: number,
  ) {}
  /** 0 … length − 1. */
  indices(): Iterable<number> {
    return Array.from({ length: this.length }, (_, i) => i);
  }
}

/** A new random permutation each epoch (or, with `replacement`, `numSamples` uniform draws),
 * reproducible from `seed`. */
export class RandomSampler implements Sampler {
  /** The seed of the permutations. */
  readonly seed: number;
  constructor(
    /** The number of examples. */
    readonly length: number,
    opts: {
      /** The seed (default: drawn once from Math.random). */ seed?: number;
      /** Draw with replacement. */ replacement?: boolean;
      /** How many draws per epoch (default: length). */ numSamples?: number;
    } = {},
  ) {
    this.seed = opts.seed ?? Math.floor(Math.random() * 0x100000000);
    this.replacement = opts.replacement ?? false;
    this.numSamples = opts.numSamples ?? length;
  }
  /** Whether indices are drawn with replacement. */
  readonly replacement: boolean;
  /** Indices per epoch. */
  readonly numSamples: number;
  /** Epoch `epoch`'s indices. */
  indices(epoch: number): Iterable<number> {
    if (!this.replacement) return permutation(this.length, this.seed, epoch);
    const random = seededRandom(this.seed, epoch);
    return Array.from({ length: this.numSamples }, () => Math.floor(random() * this.length));
  }
}

/**
 * What `defaultCollate` makes of a list of examples of type `T`: Tensors are stacked along a new
 * first axis, numbers become a 1-D tensor, and arrays and plain objects are collated position by
 * position, key by key.
 */
export type Collated<T> = T extends Tensor
  ? Tensor
  : T extends number
    ? Tensor
    : T extends readonly unknown[]
      ? { [K in keyof T]: Collated<T[K]> }
      : T extends object
        ? { [K in keyof T]: Collated<T[K]> }
        : T;

/**
 * PyTorch's `default_collate`: a batch of Tensors is stacked along a new axis 0; numbers make an
 * int32 tensor when all are integers, else float32; arrays (tuples) and plain objects are
 * collated per position or key; anything else is returned as the list.
 */
export function defaultCollate<T>(items: readonly T[]): Collated<T> {
  const first = items[0] as unknown;
  if (first instanceof Tensor) return stack(items as readonly Tensor[], 0) as Collated<T>;
  if (typeof first === 'number') {
    const xs = items as readonly number[];
    return tensor(Array.from(xs), {
      dtype: xs.every(Number.isInteger) ? 'int32' : 'float32',
    }) as Collated<T>;
  }
  if (Array.isArray(first))
    return first.map((_, k) =>
      defaultCollate(items.map((it) => (it as unknown[])[k])),
    ) as Collated<T>;
  if (
    first !== null &&
    typeof first === 'object' &&
    Object.getPrototypeOf(first) === Object.prototype
  ) {
    // fromEntries defines own properties, so even a key named __proto__ stays data
    return Object.fromEntries(
      Object.keys(first).map((k) => [
        k,
        defaultCollate(items.map((it) => (it as Record<string, unknown>)[k])),
      ]),
    ) as Collated<T>;
  }
  return items as unknown as Collated<T>;
}
