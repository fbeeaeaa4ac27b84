// Nabla on a backend (the CPU by default): Sequential of Linear layers, crossEntropy (mean), SGD or
// Adam, batches in file order. On the CPU they are views of one tensor of the training set, as the
// PyTorch peer takes them (`x[start : start + batch]`, torch_mnist.py): no copy per batch (through
// DataLoader, which copies each batch as PyTorch's DataLoader does, W2's epoch took ~20 % longer and W3's ~3 %,
// 2026-12-06). On a GPU they come from DataLoader, uploaded batch by batch: the training set in one
// buffer (188 MB) would pass WebGPU's default binding limit (128 MiB).
import { noGrad } from '@nablajs/autograd';
import { cpu } from '@nablajs/backend-cpu';
import { DataLoader, type MnistData } from '@nablajs/data';
import { Linear, type Module, ReLU, Sequential, Sigmoid, crossEntropy, init } from '@nablajs/nn';
import { Adam, type Optimizer, SGD } from '@nablajs/optim';
import { type Backend, manualSeed, type Tensor, tensor, useBackend } from '@nablajs/tensor';
import type { Trainer } from './protocol.js';
import { initStd, type Workload } from './workloads.js';

interface Model {
  net: Module;
  opt: Optimizer;
}

/**
 * The training split's batches in file order, at most `maxBatches`, as views of one tensor of it
 * (the images shaped [count, ...featureShape]): made once, then sliced per epoch without a copy.
 */
export function viewBatches(
  split: MnistData['train'],
  featureShape: readonly number[],
  batchSize: number,
  backend: Backend,
): (maxBatches?: number) => Generator<{ x: Tensor; y: Tensor }> {
  const X = tensor(split.images, { shape: [split.count, ...featureShape], backend });
  const Y = tensor(split.labels, { dtype: 'int32', backend });
  return function* (maxBatches = Infinity) {
    for (let b = 0, start = 0; start < split.count && b < maxBatches; b++, start += batchSize) {
      const range = [start, Math.min(start + batchSize, split.count)] as const;
      yield { x: X.slice([range]), y: Y.slice([range]) };
    }
  };
}

/** Batches between yields to the event loop on an asynchronous (GPU) backend: collected tensors
 * give their buffers back in finalizers, which only run between tasks. */
const YIELD_EVERY = 100;

export function nablaTrainer(
  w: Workload,
  data: MnistData,
  backend: Backend = cpu(),
): Trainer<Model> {
  useBackend(backend);
  const views = backend.sync
    ? viewBatches(data.train, [w.sizes[0]!], w.batchSize, backend)
    : undefined;
  return {
    create(seed) {
      manualSeed(seed);
      const layers: Module[] = [];
      for (let i = 1; i < w.sizes.length; i++) {
        const fanIn = w.sizes[i - 1]!;
        const layer = new Linear(fanIn, w.sizes[i]!);
        init.normal(layer.weight, { std: initStd(w, fanIn) });
        init.zeros(layer.bias!);
        layers.push(layer);
        if (i < w.sizes.length - 1)
          layers.push(w.activation === 'relu' ? new ReLU() : new Sigmoid());
      }
      const net = new Sequential(...layers);
      const opt =
        w.optimizer === 'adam'
          ? new Adam(net.parameters(), { lr: w.lr })
          : new SGD(net.parameters(), { lr: w.lr });
      return { net, opt };
    },
    train({ net, opt }, maxBatches = Infinity) {
      const step = (x: Tensor, y: Tensor) => {
        const l = crossEntropy(net.forward(x), y);
        opt.zeroGrad();
        l.backward();
        opt.step();
        return l.data;
      };
      if (views) {
        for (const { x, y } of views(maxBatches)) step(x, y);
        return;
      }
      const batches = new DataLoader(data.train, { batchSize: w.batchSize });
      return (async () => {
        let b = 0;
        let loss: Tensor | undefined;
        for (const { x, y } of batches) {
          if (b++ >= maxBatches) break;
          loss = step(x, y);
          if (b % YIELD_EVERY === 0) await new Promise((r) => setImmediate(r));
        }
        await loss?.item(); // the GPU has run every step once the last loss is read
      })();
    },
    async accuracy({ net }) {
      let correct = 0;
      const hits: Tensor[] = [];
      noGrad(() => {
        for (const { x, y } of new DataLoader(data.test, { batchSize: 1000 }))
          hits.push(net.forward(x).data.argmax(1).eq(y).sum());
      });
      for (const t of hits) correct += await t.item();
      return correct / data.test.count;
    },
  };
}
