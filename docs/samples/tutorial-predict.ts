// #region sample
import { cpu } from '@nablajs/backend-cpu';
import { noGrad } from '@nablajs/autograd';
import { loadMnist } from '@nablajs/data';
import { Linear, ReLU, Sequential, load } from '@nablajs/nn';
import { tensor, useBackend } from '@nablajs/tensor';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

useBackend(cpu());

// the same architecture, then the saved weights (strict: names and shapes must match)
const model = new Sequential(
  new Linear(784, 100),
  new ReLU(),
  new Linear(100, 10),
);
const { tensors, metadata } = await load(
  join(tmpdir(), 'nabla-mnist.safetensors'),
);
model.loadStateDict(tensors);
model.eval();
console.log(metadata); // { accuracy: '0.9219' }

// one test image: 28×28 pixels in [0, 1], flattened to a row of 784
const { test } = await loadMnist({ limit: 1 });
const image = tensor(test.images, { shape: [1, 784] });
const probabilities = noGrad(() => model.forward(image).softmax(1));
const digit = await probabilities.data.argmax(1).item();
console.log(`it reads a ${digit} (the label says ${test.labels[0]})`);
console.log(
  `P(${digit}) = ${(await probabilities.data.max().item()).toFixed(3)}`,
);
// it reads a 7 (the label says 7), P(7) = 0.995
// #endregion sample

export const prediction = {
  digit,
  probabilities: Array.from(await probabilities.data.data()),
};
