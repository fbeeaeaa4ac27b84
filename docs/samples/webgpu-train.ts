// #region sample
// npm i @nablajs/tensor @nablajs/backend-webgpu @nablajs/nn @nablajs/optim webgpu
import { webgpu } from '@nablajs/backend-webgpu';
import { Linear, ReLU, Sequential, mseLoss } from '@nablajs/nn';
import { SGD } from '@nablajs/optim';
import { manualSeed, randn, useBackend } from '@nablajs/tensor';

const gpu = await webgpu(); // navigator.gpu in a browser, Dawn (`webgpu`) in Node
console.log(gpu.adapterInfo.device); // e.g. 'nvidia-h100-80gb-hbm3'
useBackend(gpu);
manualSeed(1); // the same weights as on the CPU: one Philox stream for both

// A first network's program, unchanged: only the backend differs
const x = randn([64, 3]);
const y = x.sum(1, true).mul(2).add(1);
const model = new Sequential(new Linear(3, 16), new ReLU(), new Linear(16, 1));
const optimizer = new SGD(model.parameters(), { lr: 0.05 });

const losses: number[] = [];
for (let step = 0; step <= 200; step++) {
  const loss = mseLoss(model.forward(x), y);
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
  // a read waits for the GPU; read every 50 steps, not every step
  if (step % 50 === 0) losses.push(await loss.item());
}
console.log(losses); // [12.19, 0.056, 0.034, 0.029, 0.025], the CPU's to float32 rounding
// #endregion sample

export { losses };
