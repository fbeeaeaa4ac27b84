// #region sample
import { cpu } from '@nablajs/backend-cpu';
import { Linear, MSELoss, ReLU, Sequential } from '@nablajs/nn';
import { Adam } from '@nablajs/optim';
import { manualSeed, randn, useBackend } from '@nablajs/tensor';

useBackend(cpu());
manualSeed(0);

// N is batch size; D_in is input dimension;
// H is hidden dimension; D_out is output dimension.
const [N, D_in, H, D_out] = [64, 1000, 100, 10];

// Create random Tensors to hold inputs and outputs.
// (No Variable wrapper: a Tensor passed to a module is a constant input.)
const x = randn([N, D_in]);
const y = randn([N, D_out]);

// Use the nn package to define our model as a sequence of layers.
const model = new Sequential(
  new Linear(D_in, H),
  new ReLU(),
  new Linear(H, D_out),
);
const lossFn = new MSELoss({ reduction: 'sum' }); // size_average=False

// Optimizer will update the weights of the model.
const lr0 = 1e-4;
const optimizer = new Adam(model.parameters(), { lr: lr0 });
for (let t = 0; t < 10; t++) {
  // Forward pass: compute predicted y by passing x.
  const yPred = model.forward(x);
  // Compute and print loss.
  const loss = lossFn.forward(yPred, y);
  console.log(t, await loss.item());
  // loss.data[0] in the lecture's PyTorch 0.3
  // Optim in two steps
  optimizer.zeroGrad();
  // Backward pass: compute gradient of the loss wrt parameters
  loss.backward();
  // Calling the step function on an Optimizer makes an update
  optimizer.step();
}
// #endregion sample

export const finalLoss = await lossFn.forward(model.forward(x), y).item();
export const parameterCount = model
  .parameters()
  .reduce((n, p) => n + p.size, 0);
