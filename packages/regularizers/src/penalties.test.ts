import { cpu } from '@nablajs/backend-cpu';
import { grad, variable } from '@nablajs/autograd';
import { Linear, mseLoss } from '@nablajs/nn';
import { Adam, AdamW, SGD } from '@nablajs/optim';
import { NablaError, randn, tensor, useBackend } from '@nablajs/tensor';
import { describe, expect, test } from 'vitest';
import { decoupledWeightDecay, l1Penalty, l2Penalty, maxNorm } from './index.js';

useBackend(cpu());

const arr = (t: { dataSync(): ArrayLike<number> }) => Array.from(t.dataSync());
const expectClose = (a: number[], b: number[], tol = 1e-12) => {
  expect(a.length).toBe(b.length);
  a.forEach((v, i) =>
    expect(Math.abs(v - b[i]!)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b[i]!))),
  );
};

/** A float64 regression problem: θ = (W [3,4], b [3]), loss = mse(xWᵀ + b, y). */
function problem() {
  const W = variable(randn([3, 4], { seed: 1, dtype: 'float64' }), { requiresGrad: true });
  const b = variable(randn([3], { seed: 2, dtype: 'float64' }), { requiresGrad: true });
  const x = randn([5, 4], { seed: 3, dtype: 'float64' });
  const y = randn([5, 3], { seed: 4, dtype: 'float64' });
  const loss = () => mseLoss(variable(x).matmul(W.transpose()).add(b), y, { reduction: 'sum' });
  return { params: [W, b], loss };
}

describe('penalties', () => {
  test('values: λ/2·‖θ‖² and λ·Σ|θ|', () => {
    const ps = [variable(tensor([1, -2])), variable(tensor([[3]]))];
    expect(arr(l2Penalty(ps, 0.5).data)).toEqual([3.5]);
    expect(arr(l1Penalty(ps, 0.5).data)).toEqual([3]);
    const layer = new Linear(2, 1);
    layer.weight.data.assign(tensor([[1, 2]]));
    layer.bias!.data.assign(tensor([2]));
    expect(arr(l2Penalty(layer, 2).data)).toEqual([9]); // a Module's parameters
    expect(() => l2Penalty([], 1)).toThrow('got no parameters');
  });

  test('a strength that is negative or not finite is refused, naming the argument', () => {
    const ps = [variable(tensor([1, -2]))];
    for (const bad of [-1, NaN, Infinity, -Infinity]) {
      expect(() => l2Penalty(ps, bad)).toThrow(NablaError);
      expect(() => l2Penalty(ps, bad)).toThrow(
        `l2Penalty: lambda must be a finite number ≥ 0, got ${bad}`,
      );
      expect(() => l1Penalty(ps, bad)).toThrow(`l1Penalty: lambda must be a finite number ≥ 0`);
      expect(() => decoupledWeightDecay(ps, bad, 0.1)).toThrow(
        `decoupledWeightDecay: lr must be a finite number ≥ 0, got ${bad}`,
      );
      expect(() => decoupledWeightDecay(ps, 0.1, bad)).toThrow(
        `decoupledWeightDecay: weightDecay must be a finite number ≥ 0, got ${bad}`,
      );
    }
    expect(() => maxNorm(ps, NaN)).toThrow('maxNorm must be ≥ 0');
    expect(arr(ps[0]!.data)).toEqual([1, -2]);
  });

  test('∇(loss + l2Penalty) = ∇loss + λθ, and ∇l1Penalty = λ·sign θ', () => {
    const { params, loss } = problem();
    const lambda = 0.3;
    const plain = grad(loss(), params);
    const penalized = grad(loss().add(l2Penalty(params, lambda)), params);
    params.forEach((p, i) =>
      expectClose(
        arr(penalized[i]!.data),
        arr(plain[i]!.data).map((g, k) => g + lambda * p.data.dataSync()[k]!),
      ),
    );
    const l1 = grad(l1Penalty(params, lambda), params);
    params.forEach((p, i) =>
      expect(arr(l1[i]!.data)).toEqual(arr(p.data).map((v) => lambda * Math.sign(v))),
    );
  });

  test('an SGD step on loss + l2Penalty equals weight decay: θ ← (1 − ηλ)θ − η∇loss, and decoupled decay', () => {
    const lr = 0.05;
    const lambda = 0.3;
    // 1. SGD on the penalized loss
    const a = problem();
    const ga = grad(a.loss().add(l2Penalty(a.params, lambda)), a.params);
    const viaPenalty = a.params.map((p, i) => arr(p.data.sub(ga[i]!.data.mul(lr))));
    // 2. SGD with weightDecay as PyTorch's SGD applies it: g ← g + λθ; θ ← θ − ηg
    const b = problem();
    const gb = grad(b.loss(), b.params);
    const weightDecay = b.params.map((p, i) =>
      arr(p.data.sub(gb[i]!.data.add(p.data.mul(lambda)).mul(lr))),
    );
    // 3. the lecture's closed form (1 − ηλ)θ − η∇ (its slide prints 1 + ηλ: a sign typo)
    const closed = b.params.map((p, i) =>
      arr(p.data.mul(1 - lr * lambda).sub(gb[i]!.data.mul(lr))),
    );
    // 4. decoupled: shrink θ in place, then the plain gradient step
    const c = problem();
    const gc = grad(c.loss(), c.params);
    decoupledWeightDecay(c.params, lr, lambda);
    const decoupled = c.params.map((p, i) => arr(p.data.sub(gc[i]!.data.mul(lr))));
    for (let i = 0; i < 2; i++) {
      expectClose(viaPenalty[i]!, weightDecay[i]!);
      expectClose(closed[i]!, weightDecay[i]!);
      expectClose(decoupled[i]!, weightDecay[i]!);
    }
  });

  test("@nablajs/optim agrees: SGD on loss + l2Penalty = SGD's weightDecay; decoupled decay + Adam = AdamW", () => {
    const lr = 0.05;
    const lambda = 0.3;
    const steps = (
      opt: { zeroGrad(): void; step(): void },
      p: ReturnType<typeof problem>,
      penalty: number,
      before?: () => void,
    ) => {
      for (let s = 0; s < 3; s++) {
        opt.zeroGrad();
        const loss = p.loss();
        (penalty ? loss.add(l2Penalty(p.params, penalty)) : loss).backward();
        before?.();
        opt.step();
      }
      return p.params.map((q) => arr(q.data));
    };
    const a = problem();
    const b = problem();
    const viaPenalty = steps(new SGD(a.params, { lr, momentum: 0.9 }), a, lambda);
    const viaOptimizer = steps(new SGD(b.params, { lr, momentum: 0.9, weightDecay: lambda }), b, 0);
    viaPenalty.forEach((v, i) => expectClose(v, viaOptimizer[i]!, 1e-10));

    const c = problem();
    const d = problem();
    const adamw = steps(new AdamW(c.params, { lr, weightDecay: lambda }), c, 0);
    const manual = steps(new Adam(d.params, { lr }), d, 0, () =>
      decoupledWeightDecay(d.params, lr, lambda),
    );
    adamw.forEach((v, i) => expectClose(v, manual[i]!, 1e-10));
  });

  test('decoupledWeightDecay scales in place without recording a graph', () => {
    const p = variable(tensor([2, -4]), { requiresGrad: true });
    const data = p.data;
    decoupledWeightDecay([p], 0.1, 0.5);
    expect(p.data).toBe(data);
    expect(arr(p.data)).toEqual([1.9, -3.8].map(Math.fround));
    expect(p.gradFn).toBeNull();
  });
});

describe('maxNorm', () => {
  test('rescales the rows whose norm exceeds the limit, like torch.renorm; leaves biases', () => {
    const layer = new Linear(2, 3);
    layer.weight.data.assign(
      tensor([
        [3, 4],
        [0.3, 0.4],
        [0, -10],
      ]),
    );
    layer.bias!.data.assign(tensor([100, 0, 0]));
    const n = maxNorm(layer, 2);
    expect(n).toBe(2);
    const s1 = 2 / (5 + 1e-7);
    const s3 = 2 / (10 + 1e-7);
    expectClose(
      arr(layer.weight.data),
      [3 * s1, 4 * s1, 0.3, 0.4, 0, -10 * s3].map(Math.fround),
      1e-7,
    );
    expect(arr(layer.bias!.data)).toEqual([100, 0, 0]);
    expect(maxNorm(layer, 2)).toBe(0);
  });

  test('axis selects the slices: axis 1 renormalizes columns', () => {
    const w = variable(
      tensor([
        [3, 1],
        [4, 0],
      ]),
    );
    expect(maxNorm([w], 1, 1)).toBe(1);
    expectClose(arr(w.data), [3 / (5 + 1e-7), 1, 4 / (5 + 1e-7), 0].map(Math.fround), 1e-7);
    expect(() => maxNorm([w], -1)).toThrow('maxNorm must be ≥ 0');
    expect(() => maxNorm([w], 1, 2)).toThrow('axis 2 is out of range');
  });
});
