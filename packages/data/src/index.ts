/**
 * @nablajs/data: read IDX files, load MNIST with Nielsen's train / validation / test split, and
 * iterate over in-memory datasets in shuffled mini-batches of tensors.
 *
 * Browser-safe to import: the Node-only functions (`readIdxFile`, `loadMnist`, `mnistDataDir`) load
 * `node:fs` and `node:path` lazily, when called.
 * @module @nablajs/data
 */
export { DataFormatError } from './errors.js';
export {
  parseIdx,
  decodeIdx,
  encodeIdx,
  isGzip,
  type IdxArray,
  type IdxDType,
  type IdxTypedArrays,
} from './idx.js';
export { readIdxFile, mnistDataDir } from './node.js';
export { loadMnist, type LoadMnistOptions, type MnistData, type MnistSplit } from './mnist.js';
export { normalizePixels, oneHotEncode } from './transforms.js';
export { permutation, seededRandom } from './shuffle.js';
export {
  type Collated,
  type Dataset,
  defaultCollate,
  RandomSampler,
  randomSplit,
  type Sampler,
  SequentialSampler,
  Subset,
  TensorDataset,
} from './dataset.js';
export {
  DataLoader,
  type ArrayDataset,
  type ArrayBatch,
  type Batch,
  type DataLoaderOptions,
} from './dataloader.js';
