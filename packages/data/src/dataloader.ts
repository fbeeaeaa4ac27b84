import { tensor, type Backend, type Tensor } from '@nablajs/tensor';
import { type Collated, type Dataset, type Sampler, defaultCollate } from './dataset.js';
import { permutation } from './shuffle.js';
import { checkClasses } from './transforms.js';

/**
 * In-memory examples for a {@link DataLoader}: a flat array of features and one label (or target
 * vector) per example. An `MnistSplit` from `loadMnist()` is one as it is.
 */
export interface ArrayDataset {
  /** `count × product(featureShape)` features, row-major. */
  images: Float32Array;
  /** Class indices (`Int32Array`) or regression targets (`Float32Array`), `count × product(labelShape)`. */
  labels: Int32Array | Float32Array;
  /** The shape of one example's features. Default: `[images.length / count]`, e.g. `[784]`. */
  featureShape?: readonly number[];
  /** The shape of one example's label. Default `[]`: one number per example. */
  labelShape?: readonly number[];
}

/** Options of {@link DataLoader}, named as in PyTorch's `DataLoader`. */
export interface DataLoaderOptions<T = unknown, B = unknown> {
  /** Examples per batch (default 1). */
  batchSize?: number;
  /** Visit the examples in a new random order each epoch. Default false. */
  shuffle?: boolean;
  /**
   * Seed of the shuffle: the same seed gives the same sequence of epoch orders. Default: drawn from
   * `Math.random()` when the loader is made.
   */
  seed?: number;
  /** Drop the last batch when it is smaller than `batchSize`. Default false. */
  dropLast?: boolean;
  /** Yield labels one-hot encoded as float32 `[B, oneHot]` instead of int32 `[B]` class indices. */
  oneHot?: number;
  /** The backend the batches live on (an `ArrayDataset`'s). Default: the one chosen with `useBackend`. */
  backend?: Backend;
  /** Where each epoch's indices come from, instead of `shuffle`/`seed` (PyTorch's `sampler`). */
  sampler?: Sampler;
  /** Makes a batch of a list of examples of a {@link Dataset} (default {@link defaultCollate}). */
  collate?: (items: T[]) => B;
}

/** A batch as plain typed arrays, see {@link DataLoader.arrays}. */
export interface ArrayBatch {
  /** Features, `[size, ...featureShape]` row-major. */
  x: Float32Array;
  /** Labels: `Int32Array` of class indices, or `Float32Array` targets or one-hot rows. */
  y: Int32Array | Float32Array;
  /** Which examples of the dataset, in batch order. */
  indices: Int32Array;
  /** Examples in this batch. */
  size: number;
}

/** A batch of tensors: `x` float32 `[B, ...featureShape]`, `y` int32 `[B]` (or float32 one-hot `[B, C]`). */
export interface Batch {
  /** The inputs, float32 [B, ...featureShape]. */
  x: Tensor;
  /** The labels: int32 [B], or float32 [B, C] with `oneHot: C`. */
  y: Tensor;
}

const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** A map-style Dataset (`length` and `get`), as opposed to an ArrayDataset of flat arrays. */
function isDataset<T>(d: ArrayDataset | Dataset<T>): d is Dataset<T> {
  return typeof (d as Dataset<T>).get === 'function';
}

/**
 * Iterates over an in-memory dataset in mini-batches of tensors, as PyTorch's `DataLoader` does.
 * Each `for … of` is one epoch; with `shuffle`, each epoch has its own order, reproducible from `seed`.
 *
 * @example
 * const { train } = await loadMnist();
 * const loader = new DataLoader(train, { batchSize: 10, shuffle: true, seed: 1 });
 * for (let epoch = 0; epoch < 30; epoch++) {
 *   for (const { x, y } of loader) {
 *     // x: float32 [10, 784], y: int32 [10]
 *   }
 * }
 */
export class DataLoader<T = ArrayDataset, B = [T] extends [ArrayDataset] ? Batch : Collated<T>>
  implements Iterable<B>, AsyncIterable<B>
{
  /** Examples per batch (the last batch may be smaller, unless `dropLast`). */
  readonly batchSize: number;
  /** Whether each epoch visits the examples in a new random order. */
  readonly shuffle: boolean;
  /** The seed of the shuffles: epoch e's order comes from (seed, e). */
  readonly seed: number;
  /** Whether an incomplete last batch is left out. */
  readonly dropLast: boolean;
  /** The number of classes labels are one-hot encoded into, or undefined for int32 labels. */
  readonly oneHot: number | undefined;
  /** The backend of the batches' tensors (undefined: the current one). */
  readonly backend: Backend | undefined;
  /** Number of examples in the dataset. */
  readonly count: number;
  /** The shape of one example's features, e.g. [784]. */
  readonly featureShape: readonly number[];
  /** The shape of one example's label ([] for a class index). */
  readonly labelShape: readonly number[];
  /** The next epoch's number: it picks the shuffle order and grows by one per iteration. */
  epoch = 0;
  readonly #images: Float32Array;
  readonly #labels: Int32Array | Float32Array;
  readonly #dataset: Dataset<T> | undefined;
  readonly #sampler: Sampler | undefined;
  readonly #samplerLength: number;
  readonly #collate: (items: T[]) => B;

  /**
   * Over an {@link ArrayDataset} (batches of tensors `{ x, y }`, see {@link Batch}), or over any
   * {@link Dataset} (`length` and `get(i)`, possibly async), whose examples `collate` (by default
   * {@link defaultCollate}: tensors stacked, numbers made tensors) turns into batches.
   */
  constructor(dataset: ArrayDataset | Dataset<T>, options: DataLoaderOptions<T, B> = {}) {
    const { batchSize = 1, shuffle = false, dropLast = false, oneHot } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new RangeError(`DataLoader: batchSize must be a positive integer, got ${batchSize}`);
    }
    if (options.sampler && shuffle)
      throw new RangeError('DataLoader: give shuffle or a sampler, not both (as PyTorch)');
    this.#sampler = options.sampler;
    this.#samplerLength = options.sampler ? [...options.sampler.indices(0)].length : 0;
    this.#collate = options.collate ?? (defaultCollate as (items: T[]) => B);
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.seed = options.seed ?? Math.floor(Math.random() * 0x100000000);
    this.dropLast = dropLast;
    this.backend = options.backend;
    if (isDataset(dataset)) {
      this.#dataset = dataset;
      this.count = dataset.length;
      this.oneHot = undefined;
      this.featureShape = [];
      this.labelShape = [];
      this.#images = new Float32Array(0);
      this.#labels = new Int32Array(0);
      return;
    }
    this.#dataset = undefined;
    const { images, labels } = dataset;
    const labelShape = [...(dataset.labelShape ?? [])];
    const labelSize = product(labelShape);
    const count = labels.length / labelSize;
    if (!Number.isInteger(count)) {
      throw new RangeError(
        `DataLoader: ${labels.length} labels do not divide into examples of label shape [${labelShape.join(', ')}]`,
      );
    }
    const featureShape = [...(dataset.featureShape ?? [count === 0 ? 0 : images.length / count])];
    if (images.length !== count * product(featureShape)) {
      throw new RangeError(
        `DataLoader: ${count} examples of feature shape [${featureShape.join(', ')}] need ` +
          `${count * product(featureShape)} features, images has ${images.length}`,
      );
    }
    if (oneHot !== undefined) {
      if (!(labels instanceof Int32Array) || labelShape.length !== 0) {
        throw new TypeError('DataLoader: oneHot needs one Int32Array class index per example');
      }
      checkClasses(labels, oneHot, 'DataLoader');
    }
    this.oneHot = oneHot;
    this.count = count;
    this.featureShape = featureShape;
    this.labelShape = labelShape;
    this.#images = images;
    this.#labels = labels;
  }

  /** Batches per epoch: `ceil(n / batchSize)`, or `floor` with `dropLast`, for the `n` examples an
   * epoch visits (`count`, or what the sampler gives). */
  get length(): number {
    const n = this.#sampler ? this.#samplerLength : this.count;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The order in which epoch `epoch` visits the examples: `0 … count − 1` unless shuffling, or
   * the sampler's indices. */
  order(epoch: number): Int32Array {
    if (this.#sampler) return Int32Array.from(this.#sampler.indices(epoch));
    if (this.shuffle) return permutation(this.count, this.seed, epoch);
    const order = new Int32Array(this.count);
    for (let i = 0; i < order.length; i++) order[i] = i;
    return order;
  }

  /**
   * One epoch of batches as plain typed arrays (no backend needed). Calling it starts the next epoch:
   * {@link epoch} grows by one at once, not when the first batch is taken.
   */
  arrays(): Generator<ArrayBatch, void, undefined> {
    if (this.#dataset)
      throw new TypeError('DataLoader: arrays() is for an ArrayDataset; iterate a Dataset instead');
    return this.#batches(this.order(this.epoch++));
  }

  /** `views`: a run of consecutive examples comes as subarrays of the dataset, not copies (for
   * tensor batches, which copy anyway). */
  *#batches(order: Int32Array, views = false): Generator<ArrayBatch, void, undefined> {
    const featureSize = product(this.featureShape);
    const labelSize = product(this.labelShape);
    const images = this.#images;
    const labels = this.#labels;
    for (const indices of this.#indexBatches(order)) {
      const size = indices.length;
      const first = indices[0]!;
      if (views && this.oneHot === undefined && indices[size - 1] === first + size - 1) {
        let run = true;
        for (let k = 1; k < size && run; k++) run = indices[k] === first + k;
        if (run) {
          const x = images.subarray(first * featureSize, (first + size) * featureSize);
          const y = labels.subarray(first * labelSize, (first + size) * labelSize);
          yield { x, y, indices, size };
          continue;
        }
      }
      const x = new Float32Array(size * featureSize);
      const y =
        this.oneHot !== undefined
          ? new Float32Array(size * this.oneHot)
          : labels instanceof Int32Array
            ? new Int32Array(size * labelSize)
            : new Float32Array(size * labelSize);
      for (let k = 0; k < size; k++) {
        const i = indices[k]!;
        x.set(images.subarray(i * featureSize, (i + 1) * featureSize), k * featureSize);
        if (this.oneHot !== undefined) y[k * this.oneHot + labels[i]!] = 1;
        else y.set(labels.subarray(i * labelSize, (i + 1) * labelSize), k * labelSize);
      }
      yield { x, y, indices, size };
    }
  }

  /** One epoch of batches; advances {@link epoch}. A Dataset whose `get` returns Promises needs
   * `for await` instead. */
  [Symbol.iterator](): Generator<B, void, undefined> {
    if (this.#dataset) return this.#collated(this.order(this.epoch++));
    return this.#tensors(this.#batches(this.order(this.epoch++), true)) as Generator<
      B,
      void,
      undefined
    >;
  }

  /** One epoch of batches, `for await (const batch of loader)`: fetches each batch's examples
   * together (`Promise.all`), for datasets that read files or the network. */
  async *[Symbol.asyncIterator](): AsyncGenerator<B, void, undefined> {
    if (!this.#dataset) return yield* this[Symbol.iterator]();
    const dataset = this.#dataset;
    for (const indices of this.#indexBatches(this.order(this.epoch++)))
      yield this.#collate(await Promise.all(Array.from(indices, (i) => dataset.get(i))));
  }

  /** The index batches of one epoch. */
  *#indexBatches(order: Int32Array): Generator<Int32Array, void, undefined> {
    const n = this.dropLast
      ? Math.floor(order.length / this.batchSize)
      : Math.ceil(order.length / this.batchSize);
    for (let b = 0; b < n; b++) yield order.subarray(b * this.batchSize, (b + 1) * this.batchSize);
  }

  *#collated(order: Int32Array): Generator<B, void, undefined> {
    const dataset = this.#dataset!;
    for (const indices of this.#indexBatches(order)) {
      const items = Array.from(indices, (i) => dataset.get(i));
      if (items.some((it) => it instanceof Promise))
        throw new TypeError(
          'DataLoader: the dataset returned a Promise (an async dataset): iterate with `for await (const batch of loader)`',
        );
      yield this.#collate(items as T[]);
    }
  }

  *#tensors(batches: Iterable<ArrayBatch>): Generator<Batch, void, undefined> {
    for (const { x, y, size } of batches) {
      const yShape = this.oneHot !== undefined ? [size, this.oneHot] : [size, ...this.labelShape];
      const backend = this.backend;
      yield {
        x: tensor(x, { shape: [size, ...this.featureShape], dtype: 'float32', backend }),
        y: tensor(y, {
          shape: yShape,
          dtype: y instanceof Int32Array ? 'int32' : 'float32',
          backend,
        }),
      };
    }
  }
}
