// #region load
import { cpu } from '@nablajs/backend-cpu';
import { noGrad } from '@nablajs/autograd';
import { DataLoader, loadMnist } from '@nablajs/data';
import { CrossEntropyLoss, Linear, ReLU, Sequential, save } from '@nablajs/nn';
import { Adam } from '@nablajs/optim';
import { manualSeed, tensor, useBackend } from '@nablajs/tensor';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

useBackend(cpu());
manualSeed(1);

// 10,000 training images keep this quick; leave out `limit` for all 50,000
const { train, test } = await loadMnist({ limit: 10_000 });
console.log(train.count, test.count, train.rows, train.cols); // 10000 10000 28 28
// #endregion load

// #region train
// 784 pixels → 100 ReLU units → 10 scores, one per digit
const model = new Sequential(
  new Linear(784, 100),
  new ReLU(),
  new Linear(100, 10),
);
const lossFn = new CrossEntropyLoss(); // softmax and negative log-likelihood
const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
const loader = new DataLoader(train, { batchSize: 32, shuffle: true, seed: 1 });

for (let epoch = 1; epoch <= 2; epoch++) {
  let sum = 0;
  for (const { x, y } of loader) {
    const loss = lossFn.forward(model.forward(x), y);
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    sum += await loss.item();
  }
  console.log(`epoch ${epoch}: mean loss ${(sum / loader.length).toFixed(3)}`);
}
// epoch 1: mean loss 0.633, epoch 2: mean loss 0.281
// #endregion train

// #region evaluate
const testX = tensor(test.images, { shape: [test.count, 784] });
const testY = tensor(test.labels, { dtype: 'int32' });
model.eval(); // evaluation mode (it matters for dropout)
const predicted = noGrad(() => model.forward(testX).data.argmax(1));
const accuracy = await predicted.eq(testY).cast('float32').mean().item();
console.log(`test accuracy: ${(100 * accuracy).toFixed(1)} %`); // 92.2 %
// #endregion evaluate

// #region save
// safetensors, the format PyTorch users exchange; the keys are PyTorch's
// (0.weight, 0.bias, 2.weight, 2.bias)
const file = join(tmpdir(), 'nabla-mnist.safetensors');
await save(model, file, { accuracy: accuracy.toFixed(4) });
console.log(`saved to ${file}`);
// #endregion save

/** What the fresh process must find again: the first test image's probabilities. */
export const firstImage = {
  label: test.labels[0],
  probabilities: Array.from(
    await noGrad(() =>
      model.forward(testX.slice([[0, 1], null])).softmax(1),
    ).data.data(),
  ),
};
export { accuracy, file };
