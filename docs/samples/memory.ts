import { cpu } from '@nablajs/backend-cpu';
import { Linear, Sequential, Sigmoid, mseLoss } from '@nablajs/nn';
import { SGD } from '@nablajs/optim';
import { memory, randn, tensor, useBackend } from '@nablajs/tensor';

useBackend(cpu());

// #region loop
// A PyTorch-style loop, with no dispose() and no tidy(): memory stays bounded
const x = randn([64, 50]);
const y = randn([64, 1]);
const model = new Sequential(
  new Linear(50, 100),
  new Sigmoid(),
  new Linear(100, 1),
);
const optimizer = new SGD(model.parameters(), { lr: 0.05 });

const bytesAt: number[] = [];
for (let step = 0; step < 3000; step++) {
  const loss = mseLoss(model.forward(x), y);
  optimizer.zeroGrad();
  // frees what each function node saved as soon as it has passed
  loss.backward();
  optimizer.step(); // in place: no new parameter tensors
  if (step % 300 === 299) {
    await new Promise((r) => setTimeout(r, 0)); // let finalizers run
    bytesAt.push(memory().bytes);
  }
}
// Each step makes about 50 kB of new tensors (its gradients reuse the last
// step's memory), 160 MB in all: the garbage collector takes them back, so the
// bytes held rise and fall (a few tens of MB; more on a busy machine, where the
// collector runs later) instead of growing
console.log(bytesAt.map((b) => (b / 1e6).toFixed(1)));
// #endregion loop

// #region dispose
// Exact control where you want it: dispose() now, or `using` at the end of a
// block
const big = randn([1000, 1000]);
const before = memory().tensors;
big.dispose(); // its storage goes back once no view uses it
{
  using scratch = tensor([1, 2, 3]); // disposed when the block ends
  console.log(scratch.isDisposed); // false
}
const change = memory().tensors - before;
console.log(change); // −1: big is gone (scratch came and went)
// #endregion dispose

// #region async
// Reading is asynchronous, because a GPU is: await data(), item() or array()
const total = await x.sum().item();
const values = await y.data(); // a Float32Array copy, row-major
const sync = x.sum().dataSync(); // the CPU backend can also read synchronously
// #endregion async

export const results = {
  bytesAt,
  disposed: big.isDisposed,
  change,
  total,
  sync: sync[0]!,
  valuesLength: values.length,
};
