// Nabla (CPU backend) on C1: LeNet-5 as a Sequential, crossEntropy (mean), Adam, batches in file
// order as views of one tensor of the training images [60000, 1, 28, 28], as the PyTorch peer takes
// them (`x[start : start + BATCH]`, torch_lenet.py), not copied batch by batch (as DataLoader does).
import { noGrad } from '@nablajs/autograd';
import { cpu } from '@nablajs/backend-cpu';
import { DataLoader, type MnistData } from '@nablajs/data';
import { Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential, crossEntropy } from '@nablajs/nn';
import { Adam } from '@nablajs/optim';
import { type Backend, manualSeed, type Tensor, useBackend } from '@nablajs/tensor';
import { viewBatches } from '../mnist/nabla.js';
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
  const batches = viewBatches(data.train, [1, 28, 28], C1.batchSize, backend);
  return {
    create(seed) {
      manualSeed(seed);
      const net = lenet();
      return { net, opt: new Adam(net.parameters(), { lr: C1.lr }) };
    },
    train({ net, opt }, maxBatches = Infinity) {
      for (const { x, y } of batches(maxBatches)) {
        const loss = crossEntropy(net.forward(x), y);
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
