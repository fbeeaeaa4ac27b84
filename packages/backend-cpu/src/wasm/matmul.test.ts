import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generate, generatedPath } from '../../scripts/build-wasm.mjs';
import { matmulRef } from '../matmul.js';
import { matmulF32, wasmSimdSupported } from './matmul.js';

// A small deterministic generator, so that a failure names a case that can be rerun.
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  };
}

interface View {
  data: Float32Array;
  offset: number;
  s0: number;
  s1: number;
}
type Layout = 'row' | 'col' | 'padded' | 'broadcastRows' | 'reversed';

/** Strides, storage size and first element of a rows x cols view in each layout. */
const layouts: Record<Layout, (rows: number, cols: number) => [number, number, number, number]> = {
  row: (rows, cols) => [cols, 1, rows * cols, 0],
  col: (rows, cols) => [1, rows, rows * cols, 0],
  // a strided slice of a larger matrix (every other column of a wider one)
  padded: (rows, cols) => [2 * cols + 3, 2, rows * (2 * cols + 3), 0],
  // every row the same (a broadcast vector)
  broadcastRows: (_rows, cols) => [0, 1, cols, 0],
  // rows in reverse order (a flip): the first row is stored last
  reversed: (rows, cols) => [-cols, 1, rows * cols, (rows - 1) * cols],
};

/** A rows x cols view in one of several layouts, inside an array with junk around it. */
function view(rows: number, cols: number, layout: Layout, rnd: () => number): View {
  const pad = 3;
  const [s0, s1, size, first] = layouts[layout](rows, cols);
  const data = new Float32Array(pad + size + 5);
  for (let i = 0; i < data.length; i++) data[i] = rnd();
  return { data, offset: pad + first, s0, s1 };
}

function check(
  M: number,
  N: number,
  K: number,
  la: Layout,
  lb: Layout,
  seed = M * 7919 + N * 31 + K,
): void {
  const rnd = random(seed);
  const a = view(M, K, la, rnd);
  const b = view(K, N, lb, rnd);
  const outOffset = 2;
  const out = new Float32Array(outOffset + M * N + 3).fill(NaN);
  const ref = new Float64Array(M * N);
  matmulF32(M, N, K, a.data, a.offset, a.s0, a.s1, b.data, b.offset, b.s0, b.s1, out, outOffset);
  matmulRef(M, N, K, a.data, a.offset, a.s0, a.s1, b.data, b.offset, b.s0, b.s1, ref, 0);
  const tol = 2e-6 * Math.max(1, K); // float32 rounding of K terms of size <= 1
  let worst = 0;
  for (let i = 0; i < M * N; i++) worst = Math.max(worst, Math.abs(out[outOffset + i]! - ref[i]!));
  const label = `${M}x${K} (${la}) @ ${K}x${N} (${lb})`;
  expect(worst, label).toBeLessThanOrEqual(tol);
  expect(out.slice(0, outOffset).every(Number.isNaN), `${label}: wrote before out`).toBe(true);
  expect(out.slice(outOffset + M * N).every(Number.isNaN), `${label}: wrote after out`).toBe(true);
}

describe('kernels.generated.ts', () => {
  it('is kernels/*.wat compiled (run `node scripts/build-wasm.mjs` if not)', async () => {
    const fresh = await generate();
    expect(readFileSync(generatedPath, 'utf8')).toBe(fresh);
  }, 30_000);
});

describe('matmulF32', () => {
  it('runs WebAssembly SIMD here', () => {
    expect(wasmSimdSupported()).toBe(true);
  });

  it('1x1x1', () => {
    const out = new Float32Array(1);
    matmulF32(1, 1, 1, new Float32Array([3]), 0, 1, 1, new Float32Array([-2]), 0, 1, 1, out, 0);
    expect(out[0]).toBe(-6);
  });

  it('K = 0 gives zeros; M = 0 or N = 0 writes nothing', () => {
    const out = new Float32Array(8).fill(7);
    matmulF32(2, 3, 0, new Float32Array(0), 0, 0, 1, new Float32Array(0), 0, 3, 1, out, 1);
    expect(Array.from(out)).toEqual([7, 0, 0, 0, 0, 0, 0, 7]);
    matmulF32(0, 3, 4, new Float32Array(0), 0, 4, 1, new Float32Array(12), 0, 3, 1, out, 0);
    matmulF32(3, 0, 4, new Float32Array(12), 0, 4, 1, new Float32Array(0), 0, 0, 1, out, 0);
    expect(Array.from(out)).toEqual([7, 0, 0, 0, 0, 0, 0, 7]);
  });

  it('matches the reference on small and odd sizes, in every layout pair', () => {
    const sizes = [1, 2, 3, 4, 5, 7, 8, 9, 12, 13, 16, 17];
    const kinds: Layout[] = ['row', 'col', 'padded'];
    for (const M of sizes)
      for (const N of sizes)
        for (const K of [1, 2, 3, 5, 8, 13])
          for (const la of kinds) for (const lb of kinds) check(M, N, K, la, lb);
  });

  it('matches the reference on the dot-product path (A row-major, B column-major, few rows)', () => {
    for (const M of [1, 2, 3, 5, 12, 13])
      for (const N of [1, 3, 4, 5, 9])
        for (const K of [127, 128, 129, 130, 131, 4096, 4097]) check(M, N, K, 'row', 'col');
  });

  it('handles broadcast (stride 0) and negative strides', () => {
    for (const [M, N, K] of [
      [1, 1, 1],
      [5, 9, 3],
      [13, 17, 33],
      [64, 70, 20],
    ] as const) {
      check(M, N, K, 'broadcastRows', 'row');
      check(M, N, K, 'reversed', 'col');
      check(M, N, K, 'row', 'reversed');
      check(M, N, K, 'col', 'broadcastRows');
    }
  });

  it('matches the reference on the MNIST shapes (forward and both gradients)', () => {
    for (const b of [1, 10, 64, 128]) {
      for (const [M, N, K] of [
        [b, 30, 784],
        [b, 10, 30],
        [784, 30, b],
        [30, 784, b],
        [b, 784, 30],
        [b, 30, 10],
        [30, 10, b],
      ] as const) {
        for (const [la, lb] of [
          ['row', 'row'],
          ['row', 'col'],
          ['col', 'row'],
          ['col', 'col'],
        ] as const)
          check(M, N, K, la, lb);
      }
    }
  });

  it('matches the reference across K blocks and M blocks (K > 512, M > 128)', () => {
    for (const [M, N, K] of [
      [130, 70, 1100],
      [257, 65, 513],
      [200, 200, 200],
      [129, 8, 1025],
    ] as const) {
      for (const [la, lb] of [
        ['row', 'row'],
        ['row', 'col'],
        ['col', 'row'],
        ['padded', 'padded'],
      ] as const)
        check(M, N, K, la, lb);
    }
  });

  it('is unaffected by earlier calls with larger operands (memory reuse)', () => {
    check(300, 300, 300, 'row', 'row');
    check(3, 5, 7, 'col', 'row');
    check(300, 300, 300, 'col', 'col', 99);
  });

  it('keeps NaN and Infinity to the outputs they belong to', () => {
    // leave NaN everywhere in the module's memory, where padding and slack are read
    const big = new Float32Array(400 * 400).fill(NaN);
    matmulF32(400, 400, 400, big, 0, 400, 1, big, 0, 400, 1, new Float32Array(400 * 400), 0);
    for (const [M, N, K] of [
      [5, 9, 3],
      [10, 30, 784],
      [13, 17, 33],
      [2, 7, 18],
    ] as const) {
      for (const [la, lb] of [
        ['row', 'row'],
        ['row', 'col'],
        ['col', 'row'],
        ['col', 'col'],
      ] as const)
        check(M, N, K, la, lb);
    }
    const a = new Float32Array(3 * 5).fill(1);
    a[5] = Infinity; // row 1
    const b = new Float32Array(5 * 9).fill(1);
    const out = new Float32Array(3 * 9);
    matmulF32(3, 9, 5, a, 0, 5, 1, b, 0, 9, 1, out, 0);
    expect(Array.from(out)).toEqual([
      ...Array(9).fill(5),
      ...Array(9).fill(Infinity),
      ...Array(9).fill(5),
    ]);
  });

  it('rejects views that reach outside their arrays', () => {
    const out = new Float32Array(4);
    expect(() =>
      matmulF32(2, 2, 2, new Float32Array(3), 0, 2, 1, new Float32Array(4), 0, 2, 1, out, 0),
    ).toThrow(RangeError);
    expect(() =>
      matmulF32(2, 2, 2, new Float32Array(4), 0, 2, 1, new Float32Array(4), 0, 2, 1, out, 1),
    ).toThrow(RangeError);
  });
});

describe('matmulRef', () => {
  it('computes a known product', () => {
    const out = new Float32Array(4);
    // [[1,2],[3,4]] @ [[5,6],[7,8]]
    matmulRef(2, 2, 2, [1, 2, 3, 4], 0, 2, 1, [5, 6, 7, 8], 0, 2, 1, out, 0);
    expect(Array.from(out)).toEqual([19, 22, 43, 50]);
  });
});
