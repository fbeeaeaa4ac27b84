// #region shapes
import { cpu } from '@nablajs/backend-cpu';
import { noGrad } from '@nablajs/autograd';
import { DataLoader, loadMnist } from '@nablajs/data';
import {
  BatchNorm2d,
  Conv2d,
  CrossEntropyLoss,
  Flatten,
  Linear,
  MaxPool2d,
  ReLU,
  Sequential,
  load,
  save,
} from '@nablajs/nn';
import { Adam } from '@nablajs/optim';
import {
  type Tensor,
  manualSeed,
  randn,
  tensor,
  useBackend,
} from '@nablajs/tensor';

useBackend(cpu());
manualSeed(1);

// LeNet-5 as PyTorch tutorials write it. Images are [N, C, H, W]: a batch of
// N images, C channels (1: grey), H × W pixels.
const lenet = () =>
  new Sequential(
    new Conv2d(1, 6, 5, { padding: 2 }), // [N, 1, 28, 28] → [N, 6, 28, 28]
    new ReLU(),
    new MaxPool2d(2), //                    → [N, 6, 14, 14]
    new Conv2d(6, 16, 5), //                → [N, 16, 10, 10]
    new ReLU(),
    new MaxPool2d(2), //                    → [N, 16, 5, 5]
    new Flatten(), //                       → [N, 400]
    new Linear(400, 120),
    new ReLU(),
    new Linear(120, 84),
    new ReLU(),
    new Linear(84, 10), //                  → [N, 10] logits
  );

const model = lenet();
const conv1 = model[0] as Conv2d;
console.log(conv1.weight.shape); // [6, 1, 5, 5]: [out, in, kH, kW]

// The shape after each layer, for a batch of 8 images
const shapes: number[][] = [];
let h = randn([8, 1, 28, 28]);
for (const layer of model) {
  h = noGrad(() => layer.forward(h).data);
  shapes.push([...h.shape]);
}
console.log(shapes.map((s) => s.join('×')).join(' → '));
// 8×6×28×28 → 8×6×28×28 → 8×6×14×14 → 8×16×10×10 → … → 8×400 → … → 8×10
// #endregion shapes

// #region train
// A quick run: 600 training images for two epochs, scored on 500 test
// images. MNIST rows of 784 pixels become [1, 28, 28] images.
const { train, test } = await loadMnist({ limit: 600 });
const images = { ...train, featureShape: [1, 28, 28] };
const testX = tensor(test.images.subarray(0, 500 * 784), {
  shape: [500, 1, 28, 28],
});
const testY = tensor(test.labels.subarray(0, 500), { dtype: 'int32' });

const lossFn = new CrossEntropyLoss();
const optimizer = new Adam(model.parameters(), { lr: 2e-3 });
const loader = new DataLoader(images, {
  batchSize: 16,
  shuffle: true,
  seed: 1,
});
for (let epoch = 0; epoch < 2; epoch++)
  for (const { x, y } of loader) {
    const loss = lossFn.forward(model.forward(x), y); // x: [16, 1, 28, 28]
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
  }

async function accuracy(net: Sequential, x: Tensor): Promise<number> {
  net.eval(); // batch norm and dropout switch to inference
  const predicted = noGrad(() => net.forward(x).data.argmax(1));
  return predicted.eq(testY).cast('float32').mean().item();
}
const trained = await accuracy(model, testX);
console.log(trained); // 0.788 after 76 steps (9 epochs on 50,000: 0.989)
// #endregion train

// #region save
// A state dict maps PyTorch's names to tensors: '0.weight', '0.bias', …
// `save` writes it as safetensors, which PyTorch reads too.
const { mkdtemp } = await import('node:fs/promises');
const { tmpdir } = await import('node:os');
const { join } = await import('node:path');
const path = join(await mkdtemp(join(tmpdir(), 'lenet-')), 'lenet.safetensors');
await save(model, path);

const restored = lenet(); // the same architecture, fresh weights
restored.loadStateDict((await load(path)).tensors);
const reloaded = await accuracy(restored, testX);
console.log(reloaded === trained); // true
// #endregion save

// #region batchnorm
// Batch norm keeps running statistics in buffers: saved in the state dict
// (PyTorch's keys), not parameters, updated in training and used in eval.
const bn = new BatchNorm2d(16);
console.log(Object.keys(bn.stateDict()));
// ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']
bn.forward(randn([8, 16, 5, 5]).mul(3).add(2)); // training: batch statistics
const runningMean = Array.from(await bn.runningMean!.data()); // moved 10 % of the way to ≈ 2
// #endregion batchnorm

export const weightShape = conv1.weight.shape;
export { shapes, trained, reloaded, runningMean };
export const bnKeys = Object.keys(bn.stateDict());
export const bnParameters = bn.parameters().length;
