// One program, run by the ES-module and the CommonJS entry with the module each of them loaded:
// autograd, a layer, an optimizer, and MNIST's optional peer asked for. The test runner compares
// what it prints with values worked out by hand (d/dx Σx² = 2x; the loss falls).
export async function program({ data, manualSeed, nn, optim, randn, tensor, variable }) {
  const x = variable([1, 2, 3], { requiresGrad: true });
  x.square().sum().backward();

  manualSeed(1);
  const inputs = randn([16, 3]);
  const targets = inputs.sum(1, true).mul(2).add(1);
  const model = new nn.Sequential(new nn.Linear(3, 8), new nn.Tanh(), new nn.Linear(8, 1));
  const opt = new optim.SGD(model.parameters(), { lr: 0.05 });
  const losses = [];
  for (let step = 0; step < 50; step++) {
    const loss = nn.mseLoss(model.forward(inputs), targets);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    losses.push(await loss.item());
  }

  let mnist;
  try {
    await data.loadMnist({ limit: 1 });
    mnist = 'loaded';
  } catch (err) {
    mnist = err.code;
  }
  return {
    grad: Array.from(await x.grad.data()),
    means: await tensor([
      [1, 2, 3],
      [4, 5, 6],
    ])
      .mean(1)
      .array(),
    firstLoss: losses[0],
    lastLoss: losses.at(-1),
    mnist,
  };
}
