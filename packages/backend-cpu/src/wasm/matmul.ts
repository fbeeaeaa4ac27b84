// float32 matmul on the WebAssembly SIMD kernels (kernels/*.wat).
//
// Each call copies the operands into the module's memory (one TypedArray.set when an operand's
// elements lie in a compact span, a gather otherwise; not at all when a large one is still there
// from the last call that copied it, see `Resident`), runs the kernel and copies C out. The memory
// is reused from call to call and only grows (to the largest call's needs; it is never given back),
// so a call allocates no buffer, only the small subarray views of the copies.
import { matmulRef } from '../matmul.js';
import { validates } from './builds.js';
import { RESIDENT_MIN, heap, instance, makeResident, reserve, residentAt } from './instance.js';
import { SLACK, align, checkView, layOut, place, placed, withoutA, workFloats } from './layout.js';
import { availableCores, type MatmulKernel, type Pool, readyPool } from './threads.js';

let threadCount: number | undefined;

/** Threads for large matmuls: the machine's cores, at most 4, unless `setMatmulThreads` said. */
function threads(): number {
  return (threadCount ??= Math.min(4, availableCores()));
}

/**
 * How many threads large float32 matmuls (over ~8·10⁶ multiply-adds) may use, this one included:
 * 1 keeps them on one thread. Threads need shared memory: Node's worker_threads, or a cross-origin
 * isolated page. Results are the same to the bit whatever the number (each thread computes whole
 * rows of C, in the order one thread would).
 */
export function setMatmulThreads(n: number): void {
  if (!(Number.isInteger(n) && n >= 1))
    throw new RangeError(`setMatmulThreads: expected a positive integer, got ${n}`);
  threadCount = n;
}

let simd: boolean | undefined;

/**
 * Whether this engine can run the kernels: WebAssembly with fixed-width SIMD (and bulk memory).
 * Validates the kernels' own module, so it is exact and cheap (~10 KB, not compiled). Engines that
 * also run relaxed SIMD get the kernels with fused multiply-adds (`kernelBuild`).
 */
export function wasmSimdSupported(): boolean {
  return (simd ??= validates('plain'));
}

/** Whether this call's A may stay resident: set by `matmulOwned` for the duration of its call
 * (`matmulF32`'s argument lists stay as they are). */
let keepA = false;

/**
 * `matmulF32` on arrays that change only through calls that say so (`written`): the CPU backend's
 * own storages. A large compact A then stays in the kernels' memory for the next call that reads
 * it (see `Resident`). A caller's own arrays may change under it, so `matmulF32` copies every time.
 */
// prettier-ignore
export function matmulOwned(
  M: number, N: number, K: number,
  a: Float32Array, aOffset: number, aStrideM: number, aStrideK: number,
  b: Float32Array, bOffset: number, bStrideK: number, bStrideN: number,
  out: Float32Array, outOffset: number, bias?: Float32Array, biasOffset = 0, biasStride = 1,
): void {
  keepA = true;
  try {
    matmulF32(M, N, K, a, aOffset, aStrideM, aStrideK, b, bOffset, bStrideK, bStrideN, out, outOffset, bias, biasOffset, biasStride);
  } finally {
    keepA = false;
  }
}

/**
 * out[outOffset + i·N + j] = Σ_k a[aOffset + i·aStrideM + k·aStrideK] · b[bOffset + k·bStrideK + j·bStrideN]
 * for i < M, j < N, in float32 with WebAssembly SIMD. Strides are in elements and may be anything
 * (transposed views, broadcast with stride 0, negative); `out` is written as a contiguous row-major
 * M x N block. With `bias`, bias[biasOffset + j·biasStride] is added to column j before the result
 * is copied out (a linear layer's forward in one call). Synchronous; instantiates the module on first
 * use. Engines without WebAssembly SIMD (see `wasmSimdSupported`), and operands too large for 32-bit
 * wasm memory, get `matmulRef`.
 */
export function matmulF32(
  M: number,
  N: number,
  K: number,
  a: Float32Array,
  aOffset: number,
  aStrideM: number,
  aStrideK: number,
  b: Float32Array,
  bOffset: number,
  bStrideK: number,
  bStrideN: number,
  out: Float32Array,
  outOffset: number,
  bias?: Float32Array,
  biasOffset = 0,
  biasStride = 1,
): void {
  if (M <= 0 || N <= 0) return;
  if (!(outOffset >= 0 && outOffset + M * N <= out.length)) {
    throw new RangeError(
      `matmulF32: out needs ${M * N} elements from offset ${outOffset}, has ${out.length}`,
    );
  }
  if (bias) checkView('bias', bias, biasOffset, 1, 0, N, biasStride);
  if (K <= 0) {
    out.fill(0, outOffset, outOffset + M * N);
    if (bias) addBias(out, outOffset, M, N, bias, biasOffset, biasStride);
    return;
  }
  checkView('a', a, aOffset, M, aStrideM, K, aStrideK);
  checkView('b', b, bOffset, K, bStrideK, N, bStrideN);
  // (arguments spelt out, not spread from an array: no allocation per call)
  if (wasmSimdSupported()) {
    const pool = M * N * K >= threading.minMacs ? readyPool(threads()) : undefined;
    const run = pool && runThreaded(pool, M, N, K, a, aOffset, aStrideM, aStrideK, b, bOffset, bStrideK, bStrideN); // prettier-ignore
    if (run) {
      run.bands.forEach(([start, rows], t) => {
        const o = outOffset + start * N;
        out.set(run.h.subarray(run.at[t]!, run.at[t]! + rows * N), o);
        if (bias) addBias(out, o, rows, N, bias, biasOffset, biasStride);
      });
      return;
    }
    const at = runWasm(keepA, M, N, K, a, aOffset, aStrideM, aStrideK, b, bOffset, bStrideK, bStrideN); // prettier-ignore
    if (at >= 0) {
      if (bias) addBiasRows(at, M, N, bias, biasOffset, biasStride);
      out.set(heap.subarray(at, at + M * N), outOffset);
      return;
    }
  }
  matmulRef(M, N, K, a, aOffset, aStrideM, aStrideK, b, bOffset, bStrideK, bStrideN, out, outOffset); // prettier-ignore
  if (bias) addBias(out, outOffset, M, N, bias, biasOffset, biasStride);
}

/** out[o + i·N + j] += bias[bo + j·bs]. */
function addBias(
  out: Float32Array,
  o: number,
  M: number,
  N: number,
  bias: Float32Array,
  bo: number,
  bs: number,
): void {
  for (let i = 0; i < M; i++)
    for (let j = 0, r = o + i * N; j < N; j++) out[r + j]! += bias[bo + j * bs]!;
}

/**
 * C's rows in the module's memory (M x N floats at `at`) += bias[bo + j·bs], in WebAssembly (a loop
 * here took 8.7 µs for W2's 128 x 30, the kernel 0.4). The bias goes where `runWasm` put the
 * kernel's work area (free once it has run, and reserved with it): `workFloats` is at least
 * 32 + N rounded up to 8, more than the N floats it needs.
 */
function addBiasRows(
  at: number,
  M: number,
  N: number,
  bias: Float32Array,
  bo: number,
  bs: number,
): void {
  const biasAt = align(at + M * N + SLACK);
  if (bs === 1) heap.set(bias.subarray(bo, bo + N), biasAt);
  else for (let j = 0; j < N; j++) heap[biasAt + j] = bias[bo + j * bs]!;
  instance().addRows(at * 4, M, N, biasAt * 4);
}

/**
 * matmulF32 on the kernels, leaving C in the module's memory: returns where it starts (in floats of
 * `heap`), or -1 when the operands do not fit in 32-bit wasm memory. `keep`: A may be read from, or
 * become, the resident copy (`matmulOwned`'s calls).
 */
function runWasm(
  keep: boolean,
  M: number,
  N: number,
  K: number,
  a: Float32Array,
  aOffset: number,
  aStrideM: number,
  aStrideK: number,
  b: Float32Array,
  bOffset: number,
  bStrideK: number,
  bStrideN: number,
): number {
  const k = instance();
  const lay = layOut(M, N, K, aStrideM, aStrideK, bStrideK, bStrideN);
  // a large compact A, or one in the resident copy, is read there: it needs no region here
  const aAway = keep && (lay.aSpan >= RESIDENT_MIN || residentAt(a, aOffset, lay.aSpan) >= 0);
  if (aAway) withoutA(lay);
  const cAt = lay.end;
  const workAt = align(cAt + M * N + SLACK);
  const end = workAt + workFloats(M, N, K);
  if (end * 4 > 0xffff0000) return -1;
  let h: Float32Array;
  try {
    h = reserve(k, end);
  } catch {
    return -1; // the engine refused to grow the memory
  }
  if (aAway) {
    // (looked up again: `reserve` may have dropped it)
    let at = residentAt(a, aOffset, lay.aSpan);
    if (at < 0) at = makeResident(k, a, aOffset, lay.aSpan);
    if (at < 0) {
      // the memory cannot grow to hold the copy: A at FIRST, as a caller's array
      return runWasm(false, M, N, K, a, aOffset, aStrideM, aStrideK, b, bOffset, bStrideK, bStrideN); // prettier-ignore
    }
    [lay.aAt, lay.aHere, h] = [at, true, heap];
  }
  const bAt = keep ? residentAt(b, bOffset, lay.bSpan) : -1; // (after A: it may have replaced it)
  if (bAt >= 0) [lay.bAt, lay.bHere] = [bAt, true];
  // prettier-ignore
  place(h, lay, M, N, K, a, aOffset, aStrideM, aStrideK, b, bOffset, bStrideK, bStrideN);
  // prettier-ignore
  k.matmul(M, N, K, lay.aAt * 4, placed[0]!, placed[1]!, lay.bAt * 4, placed[2]!, placed[3]!, cAt * 4, workAt * 4);
  return cAt;
}

/**
 * Multiply-adds below which a matmul runs on one thread: `minMacs` (tests lower it). Two threads
 * measured on this 2-core machine (µs per call, back to back, so the worker is awake; 2026-12-06):
 * 128×784·784×30 (3.0 M, W2's forward) 178 on one, 185 on two; 64×784·784×100 (5.0 M, W3's) 283
 * and 288; 128×256·256×256 (8.4 M) 446 and 345–389; 256³ (16.8 M) 800 and 520–580. Below ~8 M the
 * second thread's band runs ~25 % slower than alone beside the first, and the hand-off and the wait
 * for it eat the rest; in a training step, where a worker sleeps between matmuls, it lost outright
 * (W2's first epoch: 0.51–0.52 s on the pool until it backed off, 0.48–0.50 without). Measured
 * again later that day with a worker that spins instead of sleeping and the operands already in
 * the shared memory: alone, the kernel splits well (W2's forward 128 → 75 µs, its weight gradient
 * 115 → 65 µs, ~53 µs saved each even when the batch is read cold), but in a training step the
 * worker began its band 35 µs after the main thread on average and each band took ~90 µs, and W2's
 * later epochs took 0.26–0.27 s on two threads (threshold 2 M, no back-off, the batch kept in the
 * shared memory from the forward to the weight gradient) against 0.21 s on one.
 */
export const threading = { minMacs: 1 << 23 };
/**
 * Rows of C each thread gets at least. The kernel takes its dot-product path for 12 rows or fewer,
 * which sums in another order than the panels a larger M takes; with bands of 13 rows or more every
 * thread runs the same panels as one thread would, so C is the same to the bit.
 */
const THREAD_MIN_ROWS = 13;

/**
 * Bands of rows of C, one per thread, each a multiple of 4 rows (the kernel's panel height) but the
 * last, none under THREAD_MIN_ROWS; fewer bands than `threads` when M is small.
 */
export function rowBands(M: number, threads: number): [number, number][] {
  for (let t = Math.min(threads, Math.floor(M / THREAD_MIN_ROWS)); t >= 2; t--) {
    const band = Math.ceil(M / t / 4) * 4;
    const bands: [number, number][] = [];
    for (let start = 0; start < M; start += band) bands.push([start, Math.min(band, M - start)]);
    if (bands.every(([, rows]) => rows >= THREAD_MIN_ROWS)) return bands;
  }
  return [[0, M]];
}

/**
 * matmulF32 on the pool's threads, one band of rows of C each: returns the bands and where each
 * band's C starts in `pool.heap`, or undefined when it should not or cannot run there.
 */
function runThreaded(
  pool: Pool,
  M: number,
  N: number,
  K: number,
  a: Float32Array,
  aOffset: number,
  aStrideM: number,
  aStrideK: number,
  b: Float32Array,
  bOffset: number,
  bStrideK: number,
  bStrideN: number,
): { h: Float32Array; bands: [number, number][]; at: number[] } | undefined {
  const bands = rowBands(M, pool.threads);
  if (bands.length < 2) return undefined;
  const lay = layOut(M, N, K, aStrideM, aStrideK, bStrideK, bStrideN);
  let end = lay.end;
  const at = bands.map(([, rows]) => {
    const c = end;
    end = align(c + rows * N + SLACK);
    return c;
  });
  const work = bands.map(([, rows]) => {
    const w = end;
    end = align(w + workFloats(rows, N, K));
    return w;
  });
  if (end * 4 > 0xffff0000) return undefined;
  const h = pool.heap(end);
  if (!h) return undefined;
  // prettier-ignore
  place(h, lay, M, N, K, a, aOffset, aStrideM, aStrideK, b, bOffset, bStrideK, bStrideN);
  const [sam, sak, sbk, sbn] = placed as [number, number, number, number];
  const jobs = bands.map(
    ([start, rows], t) =>
      [
        rows,
        N,
        K,
        (lay.aAt + start * sam) * 4,
        sam,
        sak,
        lay.bAt * 4,
        sbk,
        sbn,
        at[t]! * 4,
        work[t]! * 4,
      ] as Parameters<MatmulKernel>,
  );
  return pool.run(jobs) ? { h, bands, at } : undefined;
}
