import { cpu } from '@nablajs/backend-cpu';
import {
  NablaError,
  ShapeError,
  randn,
  tensor,
  useBackend,
} from '@nablajs/tensor';
import { Linear } from '@nablajs/nn';

useBackend(cpu());

// #region sample
const x = randn([32, 784]);
const w = randn([30, 784]);
try {
  x.matmul(w);
} catch (e) {
  if (e instanceof ShapeError) {
    console.log(e.message);
    // matmul: inner dimensions differ: [32,784] @ [30,784]; did you mean
    // b.transpose()?
    console.log(e.op, e.hint); // matmul did you mean b.transpose()?
  }
}
const fixed = x.matmul(w.transpose()); // [32, 30]

// Every error Nabla raises on bad input is a NablaError, with the op and a hint
const attempts = [
  // ShapeError: 3 elements do not make 2×2
  () => tensor([1, 2, 3]).reshape([2, 2]),
  // ShapeError: shapes do not broadcast
  () => tensor([1, 2]).add(tensor([1, 2, 3])),
  // ShapeError: item() of 30 elements
  () => new Linear(784, 30).forward(randn([784])).item(),
];
for (const attempt of attempts) {
  try {
    await attempt();
  } catch (e) {
    console.log(
      e instanceof NablaError,
      (e as Error).name,
      (e as Error).message,
    );
  }
}
// #endregion sample

const messages: string[] = [];
for (const attempt of [() => x.matmul(w), ...attempts])
  try {
    await attempt();
  } catch (e) {
    messages.push(`${(e as Error).name}: ${(e as Error).message}`);
  }
export const results = { fixedShape: fixed.shape, messages };
