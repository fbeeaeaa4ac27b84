// Small, fast and reproducible: the same seed gives the same order on every platform.

/** Mixes a 32-bit integer (the murmur3 finalizer). */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A seeded pseudo-random generator (mulberry32) returning floats in [0, 1). Any finite number is a
 * valid seed; further numbers (e.g. an epoch) can be mixed in as `stream`.
 */
export function seededRandom(seed: number, stream = 0): () => number {
  if (!Number.isFinite(seed))
    throw new RangeError(`seededRandom: seed must be finite, got ${seed}`);
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 0x100000000) >>> 0;
  let state = fmix32(lo ^ fmix32(hi ^ fmix32((stream >>> 0) ^ 0x9e3779b9)));
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x100000000;
  };
}

/**
 * A random permutation of `0 … n − 1` (Fisher–Yates), determined by `seed` and `stream`.
 *
 * @example
 * permutation(5, 42); // e.g. Int32Array [3, 0, 4, 1, 2], the same on every run
 */
export function permutation(n: number, seed: number, stream = 0): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const random = seededRandom(seed, stream);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}
