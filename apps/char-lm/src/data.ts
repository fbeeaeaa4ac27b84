// The batches a language model trains on, and the validation windows. Browser-safe. The batch
// positions come from integer arithmetic that bench/src/charlm/torch_gpt.py repeats line for line,
// so the PyTorch reference trains on the same windows in the same order.
import { type Tensor, tensor } from '@nablajs/tensor';

/**
 * Mulberry32: a 32-bit generator, small enough to repeat exactly in Python. It picks the batches'
 * positions (the models' weights come from Nabla's Philox generator).
 */
export class Mulberry32 {
  constructor(public state: number) {
    this.state = state >>> 0;
  }

  /** The next integer in [0, 2³²). */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** The next number in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** An integer in [0, n), n ≤ 2³² (multiply-shift: no modulo bias worth the name for n ≪ 2³²). */
  below(n: number): number {
    return Math.floor((this.nextUint32() * n) / 4294967296);
  }
}

/** Inputs and next-character targets, both int32 [batch, context]. */
export interface Batch {
  x: Tensor;
  y: Tensor;
}

/**
 * `batch` windows of `context + 1` characters at positions drawn from `rng` (uniform over every
 * start in the text): x is a window's first `context` ids, y its last `context`.
 */
export function randomBatch(
  ids: Int32Array,
  batch: number,
  context: number,
  rng: Mulberry32,
): Batch {
  const starts = Array.from({ length: batch }, () => rng.below(ids.length - context));
  return windows(ids, starts, context);
}

/**
 * The validation windows: consecutive, non-overlapping windows of `context` targets covering the
 * text from its start (the last partial window dropped), at most `max` of them.
 */
export function validationStarts(length: number, context: number, max = Infinity): number[] {
  const count = Math.min(max, Math.floor((length - 1) / context));
  return Array.from({ length: count }, (_, i) => i * context);
}

/** The windows starting at `starts`, as a batch. */
export function windows(ids: Int32Array, starts: readonly number[], context: number): Batch {
  if (ids.length < context + 1)
    throw new RangeError(
      `windows: a text of ${ids.length} characters is too short for a context of ${context} (it needs ${context + 1})`,
    );
  const x = new Int32Array(starts.length * context);
  const y = new Int32Array(starts.length * context);
  starts.forEach((s, b) => {
    x.set(ids.subarray(s, s + context), b * context);
    y.set(ids.subarray(s + 1, s + 1 + context), b * context);
  });
  const shape = [starts.length, context];
  return { x: tensor(x, { shape, dtype: 'int32' }), y: tensor(y, { shape, dtype: 'int32' }) };
}
