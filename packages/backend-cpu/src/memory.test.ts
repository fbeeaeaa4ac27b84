// The CPU backend's memory: typed arrays the garbage collector frees in a synchronous loop too, and
// memory() counting them by block (see `memory()` in @nablajs/tensor for what it counts).
import { type MemoryStats, memory, type Tensor, zeros } from '@nablajs/tensor';
import { describe, expect, test } from 'vitest';
import { CHUNK_BYTES } from './alloc.js';
import { cpu } from './index.js';

// A backend of its own name, so that this file's counts are not mixed with anything else's.
const backend = { ...cpu(), name: 'gc-cpu' };
const stats = (): MemoryStats => ({ ...(memory().backends['gc-cpu'] ?? { tensors: 0, bytes: 0 }) });
const gc = (globalThis as { gc?: () => void }).gc!;
const macrotask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
/** Collects garbage and lets FinalizationRegistry callbacks (which run in later tasks) happen. */
async function settle(): Promise<void> {
  for (let i = 0; i < 4; i++) {
    gc();
    await macrotask();
  }
}
/** Bytes of live ArrayBuffers, after full collections until the count settles (a collection's
 * sweeping of array buffers runs in the background and is counted by the next). */
function arrayBuffers(): number {
  let last = Infinity;
  for (let i = 0; i < 6; i++) {
    gc();
    const now = process.memoryUsage().arrayBuffers;
    if (now >= last) return now;
    last = now;
  }
  return last;
}

describe("the CPU backend's accounting by garbage-collected blocks", () => {
  test('counts tensors at once, and the bytes of the blocks they live in', () => {
    expect(typeof gc).toBe('function'); // vitest runs with --expose-gc
    const before = stats();
    const big = zeros([100_000], { backend }); // 400 kB: an ArrayBuffer of its own
    expect(stats()).toEqual({ tensors: before.tensors + 1, bytes: before.bytes + 400_000 });
    const small = zeros([10], { backend }); // carved from the current chunk
    const view = small.reshape([2, 5]);
    expect(stats().tensors).toBe(before.tensors + 3);
    // the chunk is counted once, when the first tensor is made on it
    expect([0, CHUNK_BYTES]).toContain(stats().bytes - before.bytes - 400_000);
    big.dispose();
    small.dispose();
    view.dispose();
    expect(stats().tensors).toBe(before.tensors); // the bytes go with the collector
  });

  test('after the event loop turns, memory() is within 10 % of the array buffers held', async () => {
    await settle();
    const [s0, ab0] = [stats(), arrayBuffers()];
    const kept: Tensor[] = [];
    // results of every size: small ones share chunks, big ones (> 256 kB) have buffers of their own
    for (let i = 0; i < 400; i++) {
      const n = [10, 1000, 30_000, 100_000][i % 4]!;
      kept.push(zeros([n], { backend }).add(i));
    }
    await settle();
    const held = arrayBuffers() - ab0;
    const counted = stats().bytes - s0.bytes;
    expect(held).toBeGreaterThan(100 * 400_000);
    expect(Math.abs(counted - held)).toBeLessThan(0.1 * held);
    expect(stats().tensors - s0.tensors).toBeGreaterThanOrEqual(400);
    expect(kept[399]!.dataSync()[0]).toBe(399);
    kept.length = 0;
    await settle();
    // what is left of them: at most the chunk being filled
    expect(arrayBuffers() - ab0).toBeLessThan(CHUNK_BYTES + 100_000);
    expect(stats().bytes - s0.bytes).toBeLessThanOrEqual(CHUNK_BYTES);
  });

  test('inside a synchronous loop the counts only rise; the memory itself is freed', async () => {
    const a = zeros([256], { backend });
    await settle();
    const [s0, ab0] = [stats(), arrayBuffers()];
    for (let i = 0; i < 20_000; i++) a.add(i).mul(a.reshape([16, 16]).sum()); // 2 kB a step
    const inLoop = stats();
    const abInLoop = arrayBuffers() - ab0;
    // four tensors a step (the sum, the view among them; the scalar operand is disposed by add)
    expect(inLoop.tensors - s0.tensors).toBe(80_000);
    expect(inLoop.bytes - s0.bytes).toBeGreaterThan(35 * CHUNK_BYTES);
    expect(abInLoop).toBeLessThan(2 * CHUNK_BYTES); // of 40 made
    await settle();
    expect(stats().tensors - s0.tensors).toBeLessThan(CHUNK_BYTES / 16);
    expect(stats().bytes - s0.bytes).toBeLessThanOrEqual(CHUNK_BYTES);
  });
});

describe('a synchronous loop frees what it makes', () => {
  test('100,000 × a.add(1).dispose() keeps no array buffers', () => {
    const a = zeros([1000], { backend }); // 400 MB of results
    const ab0 = arrayBuffers();
    for (let i = 0; i < 100_000; i++) a.add(1).dispose();
    // it once kept every slab (~390 MB) until the loop ended
    expect(arrayBuffers() - ab0).toBeLessThan(2 * CHUNK_BYTES);
  });

  test('big results, 2,000 × 400 kB, are freed too', () => {
    const a = zeros([100_000], { backend });
    const ab0 = arrayBuffers();
    for (let i = 0; i < 2000; i++) a.add(i);
    expect(arrayBuffers() - ab0).toBeLessThan(20 * 400_000);
  });
});
