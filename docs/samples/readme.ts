// #region sample
import { nn, optim, randn } from 'nablajs'; // npm i nablajs: the CPU backend is selected on import
const x = randn([64, 3]);
const y = x.sum(1, true).mul(2).add(1); // learn y = 2·Σx + 1
const model = new nn.Sequential(new nn.Linear(3, 16), new nn.ReLU(), new nn.Linear(16, 1));
const opt = new optim.SGD(model.parameters(), { lr: 0.05 });
for (let step = 1; step <= 200; step++) {
  const loss = nn.mseLoss(model.forward(x), y);
  opt.zeroGrad();
  loss.backward();
  opt.step();
  if (step % 50 === 0) console.log(`step ${step}: loss ${await loss.item()}`);
}
// #endregion sample

/** The loss after training, against y's variance at the start (4·3 = 12 for x ~ N(0, 1)³). */
export const finalLoss = await nn.mseLoss(model.forward(x), y).item();
