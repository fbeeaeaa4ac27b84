import { cpu } from '@nablajs/backend-cpu';
import { Linear, MSELoss, Sequential, Tanh } from '@nablajs/nn';
import { Adam, SGD, StepLR } from '@nablajs/optim';
import { manualSeed, randn, useBackend } from '@nablajs/tensor';

useBackend(cpu());
manualSeed(0);

// #region sample
const x = randn([64, 3]);
const y = x.sum(1, true).sin();
const model = new Sequential(new Linear(3, 16), new Tanh(), new Linear(16, 1));
const lossFn = new MSELoss();

const optimizer = new SGD(model.parameters(), {
  lr: 0.1,
  momentum: 0.9,
  nesterov: true,
});
// halve lr every 30 epochs
const scheduler = new StepLR(optimizer, { stepSize: 30, gamma: 0.5 });

const losses: number[] = [];
for (let epoch = 0; epoch < 100; epoch++) {
  optimizer.zeroGrad(); // sets every .grad to null
  const loss = lossFn.forward(model.forward(x), y);
  loss.backward();
  optimizer.step(); // updates the parameters' tensors in place
  scheduler.step(); // once per epoch, after optimizer.step()
  losses.push(await loss.item());
}
console.log(losses[0], losses.at(-1), scheduler.getLastLr());
// 0.534 0.020 [0.0125]
// #endregion sample

// #region groups
// Parameter groups take their own options, as in PyTorch
const [body, head] = [model[0]!, model[2]!];
const adam = new Adam(
  [{ params: body.parameters() }, { params: head.parameters(), lr: 1e-2 }],
  {
    lr: 1e-3,
  },
);
console.log(adam.paramGroups.map((g) => g.lr)); // [0.001, 0.01]
const checkpoint = {
  optimizer: optimizer.stateDict(),
  scheduler: scheduler.stateDict(),
};
// #endregion groups

export const results = {
  first: losses[0]!,
  last: losses.at(-1)!,
  lr: scheduler.getLastLr(),
  groupLrs: adam.paramGroups.map((g) => g.lr),
  checkpointKeys: Object.keys(checkpoint.optimizer),
};
