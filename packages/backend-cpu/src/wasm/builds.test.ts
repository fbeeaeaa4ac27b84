import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { matmulRef } from '../matmul.js';
import { type KernelBuild, kernelBuild, kernelBytes, validates } from './builds.js';
import { SLACK, align, workFloats } from './layout.js';
import type { KernelExports } from './instance.js';

// The two builds differ only in the matmul tiles' multiply-adds ($tile, $tile2, $dot), so each
// build's matmul kernel is run here on shapes that reach every one of them, against the float64
// reference. (The rest of the suite runs the build the engine picks: fused, as the tests run Node 20
// with --experimental-wasm-relaxed-simd, see vitest.shared.ts.)
const kernels = (build: KernelBuild): KernelExports =>
  new WebAssembly.Instance(new WebAssembly.Module(kernelBytes(build, false)), {})
    .exports as unknown as KernelExports;

/** C = A·B through a build's kernel, A [M, K] and B [K, N] row-major or column-major. */
function run(
  k: KernelExports,
  M: number,
  N: number,
  K: number,
  a: Float32Array,
  aCol: boolean,
  b: Float32Array,
  bCol: boolean,
): Float32Array {
  const aAt = 64;
  const bAt = align(aAt + M * K + SLACK);
  const cAt = align(bAt + K * N + SLACK);
  const workAt = align(cAt + M * N + SLACK);
  const end = workAt + workFloats(M, N, K) + SLACK;
  const pages = Math.ceil((end * 4 - k.memory.buffer.byteLength) / 65536);
  if (pages > 0) k.memory.grow(pages);
  const h = new Float32Array(k.memory.buffer);
  h.set(a, aAt);
  h.set(b, bAt);
  const [sam, sak] = aCol ? [1, M] : [K, 1];
  const [sbk, sbn] = bCol ? [1, K] : [N, 1];
  k.matmul(M, N, K, aAt * 4, sam, sak, bAt * 4, sbk, sbn, cAt * 4, workAt * 4);
  return h.slice(cAt, cAt + M * N);
}

function random(seed: number): () => number {
  let s = seed;
  return () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
}

// [M, N, K, A column-major, B column-major]: 4×8 tiles, 2-row tiles (M % 4 = 1, 2), partial tiles
// (N % 8), K blocks (K > 512, accumulating), A and B read in place, and the dot-product path (A
// row-major, B column-major, M ≤ 12, K ≥ 128).
const SHAPES: [number, number, number, boolean, boolean][] = [
  [16, 24, 37, false, false],
  [6, 26, 784, false, true],
  [5, 17, 9, true, false],
  [150, 100, 16, true, false],
  [16, 151, 100, false, true],
  [130, 70, 1100, false, false],
  [10, 30, 784, false, true],
  [3, 5, 131, false, true],
];

describe('the kernel builds', () => {
  it('the plain build runs wherever WebAssembly SIMD does; the fused one runs in the tests', () => {
    expect(validates('plain')).toBe(true);
    expect(validates('fused')).toBe(true);
    expect(kernelBuild()).toBe('fused');
    // the builds on a shared memory, which the threads' pool runs (the build script validates the
    // fused one only where its Node runs relaxed SIMD)
    for (const build of ['plain', 'fused'] as const)
      expect(WebAssembly.validate(kernelBytes(build, true)), build).toBe(true);
  });

  it('the plain build on a shared memory multiplies as its own-memory build does', () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
    const module = new WebAssembly.Module(kernelBytes('plain', true));
    const shared = new WebAssembly.Instance(module, { env: { memory } })
      .exports as unknown as KernelExports;
    const [M, N, K] = [13, 30, 100];
    const rnd = random(5);
    const a = Float32Array.from({ length: M * K }, rnd);
    const b = Float32Array.from({ length: K * N }, rnd);
    const own = run(kernels('plain'), M, N, K, a, false, b, true);
    expect(run({ ...shared, memory }, M, N, K, a, false, b, true)).toEqual(own);
  });

  for (const build of ['plain', 'fused'] as const) {
    it(`${build}: the matmul kernel matches the float64 reference on every tile path`, () => {
      const k = kernels(build);
      for (const [M, N, K, aCol, bCol] of SHAPES) {
        const rnd = random(M * 7919 + N * 31 + K);
        const a = Float32Array.from({ length: M * K }, rnd);
        const b = Float32Array.from({ length: K * N }, rnd);
        const c = run(k, M, N, K, a, aCol, b, bCol);
        const ref = new Float64Array(M * N);
        const [sam, sak] = aCol ? [1, M] : [K, 1];
        const [sbk, sbn] = bCol ? [1, K] : [N, 1];
        matmulRef(M, N, K, a, 0, sam, sak, b, 0, sbk, sbn, ref, 0);
        let worst = 0;
        for (let i = 0; i < M * N; i++) worst = Math.max(worst, Math.abs(c[i]! - ref[i]!));
        expect(worst, `${M}x${K} @ ${K}x${N}`).toBeLessThanOrEqual(2e-6 * K);
      }
    });
  }

  it('the fused build rounds each multiply-add once (on a CPU with FMA), the plain one twice', () => {
    // C = (−1)·1 + (1 + 2⁻¹²)²: the product 1 + 2⁻¹¹ + 2⁻²⁴ rounds to 1 + 2⁻¹¹ in float32, so
    // multiply-then-add gives 2⁻¹¹, and a fused multiply-add the exact 2⁻¹¹ + 2⁻²⁴. Shapes
    // [4, 8, 2] (a tile) and [1, 1, 128] (the dot path, the other terms zero).
    const x = 1 + 2 ** -12;
    const exact = 2 ** -11 + 2 ** -24;
    const tileA = new Float32Array(4 * 2).fill(0).map((_, i) => (i % 2 === 0 ? -1 : x));
    const tileB = new Float32Array(2 * 8).fill(0).map((_, i) => (i < 8 ? 1 : x));
    const dotA = new Float32Array(128);
    const dotB = new Float32Array(128);
    // (the dot path keeps a sum per lane: the two terms go to lane 0 of its first two steps)
    [dotA[0], dotA[4], dotB[0], dotB[4]] = [-1, x, 1, x];
    // V8 fuses where the CPU has FMA (Arm64 always; x86 with FMA3, which Linux lists in
    // /proc/cpuinfo); where that is not known, the fused build may give either value
    const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
    const fma = process.arch === 'arm64' || / fma /.test(cpuinfo);
    const known = process.arch === 'arm64' || cpuinfo !== '';
    for (const build of ['plain', 'fused'] as const) {
      const k = kernels(build);
      const tile = run(k, 4, 8, 2, tileA, false, tileB, false);
      const dot = run(k, 1, 1, 128, dotA, false, dotB, true)[0]!;
      for (const got of [...tile, dot]) {
        if (build === 'plain') expect(got, build).toBe(2 ** -11);
        else if (known) expect(got, build).toBe(fma ? exact : 2 ** -11);
        else expect([exact, 2 ** -11], build).toContain(got);
      }
    }
  });
});
