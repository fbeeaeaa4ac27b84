// #region sample
import { manualSeed, nn, optim, randn } from 'nablajs'; // the CPU backend is selected on import

manualSeed(1);

// data: 64 points in 3-D and the function to learn, y = 2·(x₁ + x₂ + x₃) + 1
const x = randn([64, 3]);
const y = x.sum(1, true).mul(2).add(1);

// a network with one hidden layer of 16 ReLU units, and plain SGD
const model = new nn.Sequential(
  new nn.Linear(3, 16),
  new nn.ReLU(),
  new nn.Linear(16, 1),
);
const optimizer = new optim.SGD(model.parameters(), { lr: 0.05 });

for (let step = 0; step <= 200; step++) {
  const loss = nn.mseLoss(model.forward(x), y); // forward: records the graph
  optimizer.zeroGrad();
  loss.backward(); // backward: fills p.grad of every parameter
  optimizer.step(); // p ← p − lr·p.grad
  if (step % 50 === 0) console.log(step, await loss.item());
}
// 0 12.19, 50 0.056, 100 0.034, 150 0.029, 200 0.025
// #endregion sample

export const finalLoss = await nn.mseLoss(model.forward(x), y).item();
