// #region sample
import { manualSeed, nn, optim, randn } from 'nablajs';

manualSeed(1);
const x = randn([32, 4]);
const y = x.square().sum(1, true); // learn ‖x‖²

const model = new nn.Sequential(
  new nn.Linear(4, 32),
  new nn.Tanh(),
  new nn.Linear(32, 1),
);
const optimizer = new optim.Adam(model.parameters(), { lr: 1e-2 });
const losses: number[] = [];
for (let step = 0; step < 300; step++) {
  const loss = nn.mseLoss(model.forward(x), y);
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
  losses.push(await loss.item());
}
console.log(losses[0], losses.at(-1));
// the loss falls by two orders of magnitude
// #endregion sample

export { losses };
