/**
 * Scales raw pixel bytes to floats in [0, 1] (`x / 255` by default), the input scaling Nielsen's MNIST
 * network and most MNIST examples use.
 *
 * @param pixels Raw bytes, e.g. an IDX `uint8` image array.
 * @param max The value that maps to 1.
 */
export function normalizePixels(pixels: ArrayLike<number>, max = 255): Float32Array {
  const out = new Float32Array(pixels.length);
  const scale = 1 / max;
  for (let i = 0; i < pixels.length; i++) out[i] = pixels[i]! * scale;
  return out;
}

/**
 * One-hot encodes class indices into a row-major `[labels.length, numClasses]` float32 array.
 * Throws a `RangeError` naming the first label outside `0 … numClasses − 1`.
 * (For labels already in a Tensor, use `oneHot` from `@nablajs/tensor`.)
 */
export function oneHotEncode(labels: ArrayLike<number>, numClasses: number): Float32Array {
  checkClasses(labels, numClasses, 'oneHotEncode');
  const out = new Float32Array(labels.length * numClasses);
  for (let i = 0; i < labels.length; i++) out[i * numClasses + labels[i]!] = 1;
  return out;
}

/** @internal Throws when a label is not an integer class index below `numClasses`. */
export function checkClasses(labels: ArrayLike<number>, numClasses: number, where: string): void {
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new RangeError(`${where}: numClasses must be a positive integer, got ${numClasses}`);
  }
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= numClasses) {
      throw new RangeError(
        `${where}: label ${c} at index ${i} is not a class index in 0…${numClasses - 1}`,
      );
    }
  }
}
