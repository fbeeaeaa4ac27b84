// The memory rule of docs/concepts/memory.md on the GPU: a training loop written like PyTorch's, with
// no dispose() and no tidy(), keeps the bytes it holds bounded; the garbage collector's
// FinalizationRegistry gives unreferenced tensors' buffers back.
import { manualSeed, memory, type MemoryStats, randn, tensor, useBackend } from '@nablajs/tensor';
import { expect, test } from 'vitest';
// Not dependencies of this package; reached by path, as tensor's memory test reaches the CPU backend.
import { crossEntropy, Linear, ReLU, Sequential } from '../../nn/src/index.js';
import { Adam } from '../../optim/src/index.js';
import { describeWithBackend } from '@nablajs/backend-tests';
import { gpuBackend } from './test-gpu.js';

const gc = (globalThis as { gc?: () => void }).gc;
const macrotask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
/** Collects garbage and lets the FinalizationRegistry callbacks (later tasks) run. */
async function settle(): Promise<MemoryStats> {
  for (let i = 0; i < 4; i++) {
    gc!();
    await macrotask();
    await macrotask();
  }
  return { ...(memory().backends['webgpu'] ?? { tensors: 0, bytes: 0 }) };
}

await describeWithBackend('WebGPU', gpuBackend, (gpu) =>
  test('1,000 training steps of an MLP with no dispose keep GPU bytes bounded', async () => {
    expect(gc, 'vitest runs with --expose-gc (vitest.shared.ts)').toBeTypeOf('function');
    useBackend(gpu);
    manualSeed(1);
    const model = new Sequential(new Linear(64, 32), new ReLU(), new Linear(32, 10));
    const opt = new Adam(model.parameters(), { lr: 0.01 });
    const x = randn([16, 64]);
    const y = tensor(
      Array.from({ length: 16 }, (_, i) => (i * 7) % 10),
      { dtype: 'int32' },
    );
    const losses: number[] = [];
    const at: Record<number, MemoryStats> = {};
    let peak = 0; // bytes seen at the reads, before any forced collection
    const start = performance.now();
    for (let step = 1; step <= 1000; step++) {
      const loss = crossEntropy(model.forward(x), y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      if (step === 1 || step % 100 === 0) {
        losses.push(await loss.item());
        peak = Math.max(peak, memory().backends['webgpu']!.bytes);
        if (step === 100 || step === 1000) at[step] = await settle();
      }
    }
    const seconds = (performance.now() - start) / 1000;
    console.log(
      `1,000 steps in ${seconds.toFixed(1)} s; peak ${peak} bytes; webgpu after 100 steps: ${JSON.stringify(at[100])}, after 1,000: ${JSON.stringify(at[1000])}`,
    );
    // what a step keeps (parameters, gradients, Adam's m and v) is a few kB: bytes do not grow with steps
    expect(at[1000]!.bytes).toBeLessThanOrEqual(2 * at[100]!.bytes);
    expect(at[1000]!.tensors).toBeLessThanOrEqual(2 * at[100]!.tensors);
    // V8's own collections keep it bounded too (a few MB seen; the bound is loose on purpose)
    expect(peak).toBeLessThan(64 * 2 ** 20);
    // and the loop trained: 16 fixed samples are learned by heart
    expect(losses).toHaveLength(11);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[0]!).toBeGreaterThan(1);
    expect(losses[10]!).toBeLessThan(0.01);
  }, 120_000),
);
