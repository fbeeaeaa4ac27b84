// One memory run in this process: train W1 or W3 in a synchronous loop (no dispose, no tidy, no
// yield to the event loop) and sample RSS, heap, array buffers and memory() every `every` steps.
import { cpu } from '@nablajs/backend-cpu';
import { DataLoader, type ArrayDataset } from '@nablajs/data';
import { Linear, type Module, ReLU, Sequential, Sigmoid, crossEntropy, init } from '@nablajs/nn';
import { Adam, SGD, type Optimizer } from '@nablajs/optim';
import { manualSeed, memory, useBackend } from '@nablajs/tensor';
import { initStd, type Workload } from '../mnist/workloads.js';

/** One sample of the process's memory after `step` steps, in bytes. */
export interface MemorySample {
  step: number;
  rss: number;
  heapUsed: number;
  /** V8's heap as reserved from the system (heapUsed plus free space). */
  heapTotal: number;
  arrayBuffers: number;
  /** memory().backends.cpu */
  tensors: number;
  bytes: number;
}

export function model(w: Workload): { net: Module; opt: Optimizer } {
  manualSeed(1);
  const layers: Module[] = [];
  for (let i = 1; i < w.sizes.length; i++) {
    const layer = new Linear(w.sizes[i - 1]!, w.sizes[i]!);
    init.normal(layer.weight, { std: initStd(w, w.sizes[i - 1]!) });
    init.zeros(layer.bias!);
    layers.push(layer);
    if (i < w.sizes.length - 1) layers.push(w.activation === 'relu' ? new ReLU() : new Sigmoid());
  }
  const net = new Sequential(...layers);
  const opt =
    w.optimizer === 'adam'
      ? new Adam(net.parameters(), { lr: w.lr })
      : new SGD(net.parameters(), { lr: w.lr });
  return { net, opt };
}

/** `steps` training steps of `w` over `data` (epochs repeat), sampling every `every` steps. */
export function memoryRun(
  w: Workload,
  data: ArrayDataset,
  steps: number,
  every: number,
  onSample: (s: MemorySample) => void,
): void {
  useBackend(cpu());
  const { net, opt } = model(w);
  const loader = new DataLoader(data, { batchSize: w.batchSize, dropLast: true });
  const gc = (globalThis as { gc?: () => void }).gc;
  let step = 0;
  while (step < steps)
    for (const { x, y } of loader) {
      const loss = crossEntropy(net.forward(x), y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      if (++step % every === 0) {
        // twice: array buffers freed by the first are swept in the background, and counted by the next
        if (process.env.MEMORY_GC) for (let i = 0; i < 2; i++) gc?.();
        const m = process.memoryUsage();
        const c = memory().backends['cpu'] ?? { tensors: 0, bytes: 0 };
        const { rss, heapUsed, heapTotal, arrayBuffers } = m;
        onSample({ step, rss, heapUsed, heapTotal, arrayBuffers, ...c });
      }
      if (step >= steps) break;
    }
}

/** Random images and labels of MNIST's shapes (the data does not change what memory does). */
export function syntheticMnist(count: number): ArrayDataset {
  const images = new Float32Array(count * 784);
  for (let i = 0; i < images.length; i++) images[i] = ((i * 2654435761) >>> 24) / 255;
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) labels[i] = (i * 7) % 10;
  return { images, labels };
}
