// MNIST in a web page or worker: fetch the files the `mnistAssets()` Vite plugin serves, decode
// them, and cut mini-batches. Pixels stay bytes (47 MB for the training set, not 188 MB of floats);
// each batch is converted to float32 in [0, 1] as it is made.
import { decodeIdx } from '@nablajs/data';
import { tensor, type Tensor } from '@nablajs/tensor';
import { MNIST_FILES } from './files.js';

export { MNIST_FILES };

/** 28 × 28. */
export const PIXELS = 784;

/** Images as bytes (0 = background, 255 = ink), row-major, and their digits. */
export interface DigitSet {
  pixels: Uint8Array;
  labels: Uint8Array;
  count: number;
}

/** Nielsen's split: the first 50,000 training images train (the last 10,000 would validate). */
export interface MnistBytes {
  train: DigitSet;
  test: DigitSet;
}

async function fetchIdx(base: string, name: string): Promise<{ data: Uint8Array; count: number }> {
  const url = new URL(`${name}.gz`, base);
  const res = await fetch(url);
  if (!res.ok) throw new Error(`MNIST: GET ${url} answered ${res.status} ${res.statusText}`);
  // decodeIdx decompresses gzip itself, and takes plain bytes from a server that already did
  const idx = await decodeIdx(new Uint8Array(await res.arrayBuffer()), url.pathname);
  if (idx.dtype !== 'uint8') throw new Error(`MNIST: ${url} holds ${idx.dtype}, expected uint8`);
  return { data: idx.data as Uint8Array, count: idx.shape[0]! };
}

function digitSet(images: { data: Uint8Array; count: number }, labels: { data: Uint8Array }) {
  return (limit: number): DigitSet => {
    const count = Math.min(images.count, limit);
    return {
      pixels: images.data.subarray(0, count * PIXELS),
      labels: labels.data.subarray(0, count),
      count,
    };
  };
}

/**
 * Loads MNIST from `base`, the URL of the folder that holds the `.gz` files (e.g.
 * `new URL('mnist/', location.href)`): the first `trainCount` (at most 50,000) training images and
 * the 10,000 test images.
 */
export async function fetchMnist(base: string, trainCount = 50_000): Promise<MnistBytes> {
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(
    MNIST_FILES.map((name) => fetchIdx(base, name)),
  );
  return {
    train: digitSet(trainImages!, trainLabels!)(Math.min(trainCount, 50_000)),
    test: digitSet(testImages!, testLabels!)(Infinity),
  };
}

/** Images `indices[start … start + size)` of `set` as float32 [size, 784] in [0, 1] and int32 [size] labels. */
export function batchArrays(
  set: DigitSet,
  indices: ArrayLike<number>,
  start = 0,
  size = indices.length - start,
): { x: Float32Array; y: Int32Array } {
  const x = new Float32Array(size * PIXELS);
  const y = new Int32Array(size);
  for (let b = 0; b < size; b++) {
    const i = indices[start + b]!;
    const src = set.pixels.subarray(i * PIXELS, (i + 1) * PIXELS);
    for (let p = 0; p < PIXELS; p++) x[b * PIXELS + p] = src[p]! / 255;
    y[b] = set.labels[i]!;
  }
  return { x, y };
}

/** {@link batchArrays} as tensors on the current backend. */
export function batchTensors(
  set: DigitSet,
  indices: ArrayLike<number>,
  start = 0,
  size = indices.length - start,
): { x: Tensor; y: Tensor } {
  const { x, y } = batchArrays(set, indices, start, size);
  return { x: tensor(x, { shape: [size, PIXELS] }), y: tensor(y, { dtype: 'int32' }) };
}

/** 0, 1, …, n − 1. */
export const range = (n: number, from = 0): Int32Array =>
  Int32Array.from({ length: n }, (_, i) => from + i);
