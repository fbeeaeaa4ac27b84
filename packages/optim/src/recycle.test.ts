// zeroGrad gives gradients that only backward held back to the CPU backend for reuse: training
// stays right, and a gradient the user read keeps its values. References computed here by hand.
import { variable } from '@nablajs/autograd';
import { cpu } from '@nablajs/backend-cpu';
import { type Tensor, tensor, useBackend } from '@nablajs/tensor';
import { expect, test } from 'vitest';
import { Adam, SGD } from './index.js';

useBackend(cpu());

const target = Array.from({ length: 33 }, (_, i) => i / 4 - 3);

test('SGD with zeroGrad every step follows w ← w − η·2(w − t); a gradient read stays intact', () => {
  const w = variable(tensor(new Float64Array(33)), { requiresGrad: true });
  const t = tensor(Float64Array.from(target));
  const opt = new SGD([w], { lr: 0.1 });
  let ref = Array(33).fill(0) as number[];
  let read: Tensor | null = null;
  let readRef: number[] = [];
  for (let step = 0; step < 6; step++) {
    opt.zeroGrad();
    w.sub(t).square().sum().backward();
    if (step === 2) {
      read = w.grad; // the user keeps this one
      readRef = ref.map((v, i) => 2 * (v - target[i]!));
    }
    opt.step();
    ref = ref.map((v, i) => v - 0.1 * 2 * (v - target[i]!));
  }
  const got = Array.from(w.data.dataSync());
  got.forEach((v, i) => expect(v).toBeCloseTo(ref[i]!, 12));
  Array.from(read!.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(readRef[i]!, 12));
});

test('Adam reads gradients without keeping them: recycled ones do not change its state', () => {
  // two copies of one problem, one cleared with zeroGrad (recycling) and one with fresh leaves
  const a = variable(tensor(new Float64Array(33)), { requiresGrad: true });
  const b = variable(tensor(new Float64Array(33)), { requiresGrad: true });
  const t = tensor(Float64Array.from(target));
  const optA = new Adam([a], { lr: 0.05 });
  const optB = new Adam([b], { lr: 0.05 });
  for (let step = 0; step < 5; step++) {
    optA.zeroGrad();
    a.sub(t).square().sum().backward();
    optA.step();
    b.grad = null; // plain assignment: nothing recycled
    b.sub(t).square().sum().backward();
    optB.step();
  }
  expect(Array.from(a.data.dataSync())).toEqual(Array.from(b.data.dataSync()));
});
