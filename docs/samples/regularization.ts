import { cpu } from '@nablajs/backend-cpu';
import { Linear, Sequential, Sigmoid, mseLoss } from '@nablajs/nn';
import { SGD } from '@nablajs/optim';
import { Dropout, l2Penalty } from '@nablajs/regularizers';
import { manualSeed, ones, randn, useBackend } from '@nablajs/tensor';

useBackend(cpu());

// #region l2
// Three copies of one network, three ways to write L2: a penalty in the loss,
// SGD's weightDecay,
// and the update of the lecture written out, θ ← (1 − ηλ)θ − η∇
const [eta, lambda] = [0.1, 0.05];
manualSeed(0);
const x = randn([8, 4]);
const t = randn([8, 1]);
const make = () => {
  manualSeed(1); // the same initial weights for each copy
  return new Sequential(new Linear(4, 3), new Sigmoid(), new Linear(3, 1));
};
const [withPenalty, withDecay, byHand] = [make(), make(), make()];

// 1. L(θ) = loss + λ/2 ‖θ‖², plain SGD
const sgd = new SGD(withPenalty.parameters(), { lr: eta });
mseLoss(withPenalty.forward(x), t, { reduction: 'sum' })
  .add(l2Penalty(withPenalty.parameters(), lambda))
  .backward();
sgd.step();

// 2. SGD with weight decay λ on the plain loss
const decay = new SGD(withDecay.parameters(), { lr: eta, weightDecay: lambda });
mseLoss(withDecay.forward(x), t, { reduction: 'sum' }).backward();
decay.step();

// 3. θ ← (1 − ηλ)θ − η∇, by hand (the slide's "1 + ηλ" is a sign typo: the
// prior shrinks θ)
mseLoss(byHand.forward(x), t, { reduction: 'sum' }).backward();
for (const p of byHand.parameters())
  p.data.assign(p.data.mul(1 - eta * lambda).sub(p.grad!.mul(eta)));

const gap = (a: Sequential, b: Sequential) =>
  Math.max(
    ...a
      .parameters()
      .map(
        (p, i) =>
          p.data.sub(b.parameters()[i]!.data).abs().max().dataSync()[0]!,
      ),
  );
console.log(gap(withPenalty, withDecay), gap(withPenalty, byHand));
// ~1e-8: the same update
// #endregion l2

// #region dropout
// Dropout keeps its mask m (1 = kept), the lecture's m⁽ˡ⁾; train() and eval()
// switch it
manualSeed(2);
// inverted dropout: kept units are scaled by 1/(1 − p) in training
const drop = new Dropout(0.5);
const h = ones([2, 8]);
const trained = drop.forward(h); // half the units zeroed, the others 2
console.log(await drop.mask!.array()); // [[0,0,1,0,0,0,1,0], [1,1,1,0,0,1,0,1]]
drop.eval();
const evaluated = drop.forward(h); // the identity

// the lecture's: mask only in training …
const classic = new Dropout(0.5, { mode: 'classic' });
classic.eval();
// … and every unit scaled by p at test time (0.5 here)
const scaled = classic.forward(h);
// #endregion dropout

export const results = {
  gapDecay: gap(withPenalty, withDecay),
  gapByHand: gap(withPenalty, byHand),
  trained: Array.from(trained.data.dataSync()),
  mask: Array.from(drop.mask!.dataSync()),
  evaluated: Array.from(evaluated.data.dataSync()),
  scaled: Array.from(scaled.data.dataSync()),
};
