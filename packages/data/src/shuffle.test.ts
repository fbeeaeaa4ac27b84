import { describe, expect, it } from 'vitest';
import { permutation, seededRandom } from './shuffle.js';

const isPermutation = (order: Int32Array): boolean => {
  const seen = new Uint8Array(order.length);
  for (const i of order) {
    if (i < 0 || i >= order.length || seen[i]) return false;
    seen[i] = 1;
  }
  return true;
};

describe('seededRandom', () => {
  it('is reproducible, in [0, 1), and roughly uniform', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const xs = Array.from({ length: 10_000 }, () => a());
    expect(xs.slice(0, 100)).toEqual(Array.from({ length: 100 }, () => b()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, x) => s + x) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.02);
  });

  it('differs between seeds, streams, and seeds beyond 32 bits', () => {
    const first = (seed: number, stream = 0) => seededRandom(seed, stream)();
    const values = [first(0), first(1), first(0, 1), first(2 ** 32), first(-1), first(0.5)];
    expect(new Set(values.slice(0, 5)).size).toBe(5);
    expect(() => seededRandom(NaN)).toThrow(RangeError);
  });
});

describe('permutation', () => {
  it('holds every index exactly once', () => {
    for (const n of [0, 1, 2, 10, 1000]) expect(isPermutation(permutation(n, 3))).toBe(true);
  });

  it('is determined by seed and stream', () => {
    expect(permutation(100, 42)).toEqual(permutation(100, 42));
    expect(permutation(100, 42)).not.toEqual(permutation(100, 43));
    expect(permutation(100, 42, 1)).not.toEqual(permutation(100, 42, 0));
  });

  it('moves every element to every position about equally often', () => {
    const n = 4;
    const counts = new Array<number>(n * n).fill(0);
    const trials = 8000;
    for (let s = 0; s < trials; s++) {
      permutation(n, s).forEach((v, pos) => counts[v * n + pos]!++);
    }
    for (const c of counts) expect(Math.abs(c / trials - 1 / n)).toBeLessThan(0.03);
  });
});
