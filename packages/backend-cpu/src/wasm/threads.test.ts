// The multi-threaded matmul: the same result to the bit as one thread, for every thread count.
import { afterAll, describe, expect, it } from 'vitest';
import { matmulRef } from '../matmul.js';
import { matmulF32, rowBands, setMatmulThreads, threading } from './matmul.js';
import { availableCores, type Pool, readyPool } from './threads.js';

/** Waits (yielding to the event loop) until a pool of `threads` has started; it then always
 * runs on its threads (no backing off on this busy test machine). */
async function poolOf(threads: number): Promise<Pool> {
  setMatmulThreads(threads);
  threading.minMacs = 1 << 20; // the cases below are the workloads' sizes, under the default
  for (let i = 0; i < 500 && !readyPool(threads); i++) await new Promise((r) => setTimeout(r, 10));
  const pool = readyPool(threads)!;
  expect(pool, `a pool of ${threads} threads started`).toBeDefined();
  pool.adaptive = false;
  return pool;
}

const defaultMinMacs = threading.minMacs;

const values = (n: number, seed: number) =>
  Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed) * 0.5);

/** [M, N, K, A transposed, B transposed]: the MNIST workloads' big products and odd sizes. */
const CASES: [number, number, number, boolean, boolean][] = [
  [64, 100, 784, false, true], // W3 forward x·Wᵀ
  [100, 784, 64, true, false], // W3 ∂W = gᵀ·x
  [128, 30, 784, false, true], // W2 forward
  [30, 784, 128, true, false], // W2 ∂W
  [37, 61, 1100, false, false], // odd sizes, two K blocks
  [130, 9, 1000, true, true], // a partial last band and a narrow C
];

function product(M: number, N: number, K: number, at: boolean, bt: boolean, bias?: Float32Array) {
  const a = values(M * K, M);
  const b = values(K * N, N);
  const out = new Float32Array(M * N + 2).fill(NaN);
  const [sam, sak] = at ? [1, M] : [K, 1];
  const [sbk, sbn] = bt ? [1, K] : [N, 1];
  matmulF32(M, N, K, a, 0, sam, sak, b, 0, sbk, sbn, out, 1, bias);
  const ref = new Float64Array(M * N);
  matmulRef(M, N, K, a, 0, sam, sak, b, 0, sbk, sbn, ref, 0);
  return { out, ref };
}

describe('matmul on several threads', () => {
  afterAll(() => {
    setMatmulThreads(Math.min(4, availableCores()));
    threading.minMacs = defaultMinMacs;
  });

  it('splits C into bands of whole panels, none small enough for the dot-product path', () => {
    expect(rowBands(128, 2)).toEqual([
      [0, 64],
      [64, 64],
    ]);
    expect(rowBands(25, 2)).toEqual([[0, 25]]); // 16 + 9 rows: the 9 would take the dot path
    expect(rowBands(30, 4)).toEqual([
      [0, 16],
      [16, 14],
    ]);
    expect(rowBands(100, 3)).toEqual([
      [0, 36],
      [36, 36],
      [72, 28],
    ]);
    for (const [M, t] of [
      [47, 3],
      [200, 4],
      [64, 4],
    ] as const) {
      const bands = rowBands(M, t);
      expect(bands.reduce((s, [, r]) => s + r, 0)).toBe(M);
      for (const [start, rows] of bands) {
        expect(start % 4).toBe(0);
        if (bands.length > 1) expect(rows).toBeGreaterThan(12);
      }
    }
  });

  it('gives the same bits as one thread, with 2 and 3 threads, bias included', async () => {
    const bias = values(800, 7);
    setMatmulThreads(1);
    const one = CASES.map(([M, N, K, at, bt]) => [
      product(M, N, K, at, bt).out,
      product(M, N, K, at, bt, bias).out,
    ]);
    for (const threads of [2, 3]) {
      const pool = await poolOf(threads);
      CASES.forEach(([M, N, K, at, bt], i) => {
        const runs = pool.runs;
        const { out, ref } = product(M, N, K, at, bt);
        const label = `${M}x${K}@${K}x${N}, ${threads} threads`;
        expect(pool.runs, `${label}: ran on the threads`).toBe(runs + 1);
        expect(out, label).toEqual(one[i]![0]);
        expect(product(M, N, K, at, bt, bias).out, `${label}, bias`).toEqual(one[i]![1]);
        // and right: within float32 rounding of the float64 reference; nothing written outside
        let worst = 0;
        for (let j = 0; j < M * N; j++) worst = Math.max(worst, Math.abs(out[1 + j]! - ref[j]!));
        expect(worst, label).toBeLessThan(2e-6 * K);
        expect([out[0], out[M * N + 1]]).toEqual([NaN, NaN]);
      });
    }
  }, 60_000);
});
