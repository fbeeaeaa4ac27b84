// Nabla (CPU backend) on C1: LeNet-5 as a Sequential, crossEntropy (mean), Adam, batches in file
// order as views of one tensor of the training images [60000, 1, 28, 28], as the PyTorch peer takes
// them (`x[start : start + BATCH]`, torch_lenet.py), not copied batch by batch (as DataLoader does).
import { noGrad } from '@nablajs/autograd';
import { cpu } from '@nablajs/backend-cpu';
import { DataLoader, type MnistData } from '@nablajs/data';
import { Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential, crossEntropy } from '@nablajs/nn';
import { Adam } from '@nablajs/optim';
import { type Backend, manualSeed, type Tensor, tensor, useBackend } from '@nablajs/tensor';
import type { Trainer } from '../mnist/protocol.js';
import { C1 } from './workload.js';

/** LeNet-5 with PyTorch's default initialisation (every layer's own). */
export function lenet(): Sequential {
  return new Sequential(
    new Conv2d(1, 6, 5, { padding: 2 }),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(6, 16, 5),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Linear(400, 120),
    new ReLU(),
    new Linear(120, 84),
    new ReLU(),
    new Linear(84, 10),
  );
}

export function nablaLenetTrainer(
  data: MnistData,
  backend: Backend = cpu(),
): Trainer<{ net: Sequential; opt: Adam }> {
  useBackend(backend);
  const images = (split: MnistData['train']) => ({ ...split, featureShape: [1, 28, 28] });
  const { count } = data.train;
  const X = tensor(data.train.images, { shape: [count, 1, 28, 28], backend });
  const Y = tensor(data.train.labels, { dtype: 'int32', backend });
  return {
    create(seed) {
      manualSeed(seed);
      const net = lenet();
      return { net, opt: new Adam(net.parameters(), { lr: C1.lr }) };
    },
    train({ net, opt }, maxBatches = Infinity) {
      let b = 0;
      for (let start = 0; start < count; start += C1.batchSize) {
        if (b++ >= maxBatches) break;
        const range = [start, Math.min(start + C1.batchSize, count)] as const;
        const loss = crossEntropy(net.forward(X.slice([range])), Y.slice([range]));
        opt.zeroGrad();
        loss.backward();
        opt.step();
      }
    },
    async accuracy({ net }) {
      net.eval();
      const hits: Tensor[] = [];
      noGrad(() => {
        for (const { x, y } of new DataLoader(images(data.test), { batchSize: 1000 }))
          hits.push(net.forward(x).data.argmax(1).eq(y).sum());
      });
      let correct = 0;
      for (const t of hits) correct += await t.item();
      return correct / data.test.count;
    },
  };
}
