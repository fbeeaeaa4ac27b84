// #region sample
import { cpu } from '@nablajs/backend-cpu';
import { noGrad } from '@nablajs/autograd';
import { DataLoader, loadMnist } from '@nablajs/data';
import {
  CrossEntropyLoss,
  Linear,
  type Module,
  Sequential,
  Sigmoid,
  init,
} from '@nablajs/nn';
import { SGD } from '@nablajs/optim';
import { manualSeed, tensor, useBackend } from '@nablajs/tensor';

useBackend(cpu());

/** 784 inputs, `depth` hidden layers of 30 sigmoid units, 10 outputs (softmax in the loss). */
function network(depth: number): Sequential {
  const sizes = [784, ...Array<number>(depth).fill(30), 10];
  const layers: Module[] = [];
  for (let l = 1; l < sizes.length; l++) {
    const linear = new Linear(sizes[l - 1]!, sizes[l]!);
    init.nielsen(linear.weight); // N(0, 1/fanIn)
    init.nielsen(linear.bias!); // N(0, 1)
    layers.push(linear);
    if (l < sizes.length - 1) layers.push(new Sigmoid());
  }
  return new Sequential(...layers);
}

// A small run: the first 5,000 training images, one epoch, scored on 1,000 test
// images
const { train, test } = await loadMnist({ limit: 5000 });
const testX = tensor(test.images.subarray(0, 1000 * 784), {
  shape: [1000, 784],
});
const testY = tensor(test.labels.subarray(0, 1000), { dtype: 'int32' });

async function trainAndTest(depth: number): Promise<number> {
  manualSeed(1);
  const model = network(depth);
  const lossFn = new CrossEntropyLoss();
  const optimizer = new SGD(model.parameters(), { lr: 0.5 });
  for (const { x, y } of new DataLoader(train, {
    batchSize: 10,
    shuffle: true,
    seed: 1,
  })) {
    const loss = lossFn.forward(model.forward(x), y);
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
  }
  const predicted = noGrad(() => model.forward(testX).data.argmax(1));
  return predicted.eq(testY).cast('float32').mean().item();
}

const accuracy: Record<number, number> = {};
for (const depth of [0, 1, 2]) accuracy[depth] = await trainAndTest(depth);
console.log(accuracy);
// { '0': 0.825, '1': 0.862, '2': 0.786 }: one epoch on 5,000 images
// #endregion sample

export { accuracy };
