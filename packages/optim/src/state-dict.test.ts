import { cpu } from '@nablajs/backend-cpu';
import { ShapeError, Tensor, tensor, useBackend, zeros } from '@nablajs/tensor';
import { variable } from '@nablajs/autograd';
import { describe, expect, test } from 'vitest';
import {
  backwardAt,
  expectAt,
  fixtures,
  makeOptimizer,
  makeParams,
  makeScheduler,
} from '../fixtures/replay.js';
import { Adam, OptimizerError, SGD, StepLR } from './index.js';

useBackend(cpu());

const byName = (name: string) => {
  const c = fixtures.optimizers.find((o) => o.name === name);
  if (!c) throw new Error(`no fixture ${name}`);
  return c;
};

// One case per optimizer and state layout (momentum buffers, moments, amsgrad, centered, sums,
// groups, parameters that skipped steps).
const ROUND_TRIP = [
  'SGD nesterov weightDecay maximize',
  'SGD param groups',
  'Adam amsgrad',
  'Adam skipped grads',
  'AdamW weightDecay amsgrad',
  'RMSprop centered momentum weightDecay alpha',
  'Adagrad maximize skipped grads',
  'Adam param groups',
];

describe('stateDict / loadStateDict', () => {
  for (const name of ROUND_TRIP)
    test(`round trip after 3 steps continues the trajectory: ${name}`, () => {
      const c = byName(name);
      const params = makeParams();
      const opt = makeOptimizer(c, params);
      for (let step = 0; step < 3; step++) {
        opt.zeroGrad();
        backwardAt(params, step, c.skip);
        opt.step();
      }
      const sd = opt.stateDict();
      const saved = params.map((p) => p.data.clone());
      // The original keeps going; the snapshot must not move with it.
      for (let step = 3; step < 6; step++) {
        opt.zeroGrad();
        backwardAt(params, step, c.skip);
        opt.step();
      }
      expectAt(params, c.trajectory[5]!, `${name}, original`);

      const fresh = saved.map((t) => variable(t, { requiresGrad: true }));
      // Different options on purpose: loading restores the saved ones.
      const wrong = { ...c, options: { ...c.options, lr: 123 } };
      const opt2 = makeOptimizer(wrong, fresh);
      opt2.loadStateDict(sd);
      expect(opt2.paramGroups.map((g) => g.lr)).toEqual(opt.paramGroups.map((g) => g.lr));
      for (let step = 3; step < 6; step++) {
        opt2.zeroGrad();
        backwardAt(fresh, step, c.skip);
        opt2.step();
        expectAt(fresh, c.trajectory[step]!, `${name}, reloaded, step ${step + 1}`);
      }
    });

  test('optimizer and scheduler resume together (Adam with CosineAnnealingLR)', () => {
    const c = byName('Adam with CosineAnnealingLR');
    const params = makeParams();
    const opt = makeOptimizer(c, params);
    const sched = makeScheduler(c.scheduler!.name, opt, c.scheduler!.options);
    for (let step = 0; step < 3; step++) {
      opt.zeroGrad();
      backwardAt(params, step);
      opt.step();
      sched.step();
    }
    const optState = opt.stateDict();
    const schedState = sched.stateDict();
    expect(optState.paramGroups[0]!.initialLr).toBe(0.1);
    expect(schedState).toMatchObject({ lastEpoch: 3, tMax: 3, etaMin: 0.01, baseLrs: [0.1] });

    const fresh = params.map((p) => variable(p.data.clone(), { requiresGrad: true }));
    const opt2 = makeOptimizer(c, fresh);
    opt2.loadStateDict(optState);
    const sched2 = makeScheduler(c.scheduler!.name, opt2, c.scheduler!.options);
    sched2.loadStateDict(schedState);
    expect(sched2.getLastLr()).toEqual(sched.getLastLr());
    for (let step = 3; step < 6; step++) {
      opt2.zeroGrad();
      backwardAt(fresh, step);
      opt2.step();
      sched2.step();
      expectAt(fresh, c.trajectory[step]!, `reloaded, step ${step + 1}`);
    }
  });

  test("PyTorch's layout: parameters by index in group order, buffers copied", () => {
    const params = makeParams();
    const opt = new Adam([{ params: [params[1]!], lr: 0.01 }, { params: [params[0]!] }], {
      lr: 0.1,
      amsgrad: true,
    });
    backwardAt(params, 0);
    opt.step();
    const sd = opt.stateDict();
    expect(sd.paramGroups).toEqual([
      {
        lr: 0.01,
        betas: [0.9, 0.999],
        eps: 1e-8,
        weightDecay: 0,
        amsgrad: true,
        maximize: false,
        params: [0],
      },
      {
        lr: 0.1,
        betas: [0.9, 0.999],
        eps: 1e-8,
        weightDecay: 0,
        amsgrad: true,
        maximize: false,
        params: [1],
      },
    ]);
    expect(Object.keys(sd.state)).toEqual(['0', '1']);
    expect(Object.keys(sd.state[0]!).sort()).toEqual(['expAvg', 'expAvgSq', 'maxExpAvgSq', 'step']);
    expect(sd.state[0]!.step).toBe(1);
    expect((sd.state[0]!.expAvg as Tensor).shape).toEqual([2]);
    expect((sd.state[1]!.expAvg as Tensor).shape).toEqual([3, 2]);
    const live = opt.state.get(params[1]!)!.expAvg as Tensor;
    expect(sd.state[0]!.expAvg).not.toBe(live);
    sd.paramGroups[0]!.betas[0] = 0.5;
    expect(opt.paramGroups[0]!.betas[0]).toBe(0.9);
  });

  test('SGD without momentum keeps no state; a parameter without a gradient gets none', () => {
    const params = makeParams();
    const plain = new SGD(params, { lr: 0.1 });
    backwardAt(params, 0);
    plain.step();
    expect(plain.stateDict().state).toEqual({});
    const momentum = new SGD(params, { lr: 0.1, momentum: 0.9 });
    params[1]!.grad = null;
    momentum.step();
    expect(Object.keys(momentum.stateDict().state)).toEqual(['0']);
  });

  test('loading casts buffers to the parameter dtype', () => {
    const p = variable(tensor([1, 2], { dtype: 'float32' }), { requiresGrad: true });
    const opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
    opt.loadStateDict({
      state: { 0: { momentumBuffer: tensor([1, 1], { dtype: 'float64' }) } },
      paramGroups: [{ ...opt.paramGroups[0]!, params: [0] }],
    });
    const buf = opt.state.get(p)!.momentumBuffer as Tensor;
    expect(buf.dtype).toBe('float32');
    p.grad = tensor([1, 1], { dtype: 'float32' });
    opt.step();
    expect(Array.from(p.data.dataSync())).toEqual([1 - 0.1 * 1.9, 2 - 0.1 * 1.9].map(Math.fround));
  });

  describe('mismatches raise clear errors and change nothing', () => {
    const setup = () => {
      const params = makeParams();
      const opt = new Adam(params, { lr: 0.1 });
      backwardAt(params, 0);
      opt.step();
      return { params, opt, sd: opt.stateDict() };
    };

    test('a different number of groups', () => {
      const { params, sd } = setup();
      const two = new Adam([{ params: [params[0]!] }, { params: [params[1]!] }]);
      expect(() => two.loadStateDict(sd)).toThrow(
        /state dict has 1 parameter groups, this optimizer has 2/,
      );
    });

    test('a group of another size', () => {
      const { params, sd } = setup();
      const one = new Adam([params[0]!]);
      expect(() => one.loadStateDict(sd)).toThrow(
        /parameter group 0 has 2 parameters in the state dict and 1 here/,
      );
    });

    test("another optimizer's state", () => {
      const { params, sd } = setup();
      const sgd = new SGD(params, { lr: 0.1, momentum: 0.9 });
      expect(() => sgd.loadStateDict(sd as never)).toThrow(OptimizerError);
      expect(() => sgd.loadStateDict(sd as never)).toThrow(
        /options of parameter group 0 are invalid; SGD: unknown option 'betas'/,
      );
      const groups = sgd.stateDict().paramGroups;
      expect(() => sgd.loadStateDict({ state: sd.state, paramGroups: groups })).toThrow(
        /unknown state entry 'step'; expected one of: momentumBuffer/,
      );
      expect(sgd.state.size).toBe(0);
      expect(sgd.paramGroups[0]!.lr).toBe(0.1);
    });

    test('buffers of the wrong shape', () => {
      const { opt, sd } = setup();
      sd.state[1]!.expAvg = zeros([3], { dtype: 'float64' });
      const before = opt.state.get(opt.paramGroups[0]!.params[1]!)!.expAvg;
      expect(() => opt.loadStateDict(sd)).toThrow(ShapeError);
      expect(() => opt.loadStateDict(sd)).toThrow(
        /state 'expAvg' of parameter 1 is \[3\], the parameter is \[2\]/,
      );
      expect(opt.state.get(opt.paramGroups[0]!.params[1]!)!.expAvg).toBe(before);
    });

    test('state for a parameter no group lists', () => {
      const { opt, sd } = setup();
      sd.state[7] = { step: 1 };
      expect(() => opt.loadStateDict(sd)).toThrow(/state for parameter 7/);
    });

    test('invalid saved options', () => {
      const { opt, sd } = setup();
      sd.paramGroups[0]!.betas = [1.5, 0.9];
      expect(() => opt.loadStateDict(sd)).toThrow(/invalid beta parameter at index 0: 1.5/);
      expect(() => opt.loadStateDict({} as never)).toThrow(/expected \{ state, paramGroups \}/);
    });

    test('schedulers', () => {
      const params = makeParams();
      const opt = new SGD(params, { lr: 0.1 });
      const sched = new StepLR(opt, { stepSize: 2 });
      const sd = sched.stateDict();
      expect(sd).toEqual({
        lastEpoch: 0,
        stepCount: 1,
        baseLrs: [0.1],
        lastLr: [0.1],
        stepSize: 2,
        gamma: 0.1,
      });
      expect(() => sched.loadStateDict({ ...sd, baseLrs: [0.1, 0.2] })).toThrow(
        /baseLrs must hold 1 numbers/,
      );
      expect(() => sched.loadStateDict({ ...sd, tMax: 3 })).toThrow(/unknown state key 'tMax'/);
      const { gamma: _, ...noGamma } = sd;
      expect(() => sched.loadStateDict(noGamma as never)).toThrow(/'gamma' is missing/);
    });
  });

  describe('a state dict parsed from an untrusted file never reaches Object.prototype', () => {
    // JSON.parse makes `__proto__` an own key, as a crafted checkpoint would
    const parse = (json: string) => JSON.parse(json) as Record<string, unknown>;
    const setup = () => {
      const params = makeParams();
      const opt = new Adam(params, { lr: 0.1 });
      backwardAt(params, 0);
      opt.step();
      return { opt, sd: opt.stateDict() };
    };
    test.each(['__proto__', 'constructor', 'prototype'])(
      'the key %s is refused everywhere',
      (key) => {
        const { opt, sd } = setup();
        const evil = parse(`{"${key}": {"polluted": 1}}`);
        const cases: unknown[] = [
          { ...sd, state: { ...sd.state, ...evil } },
          { ...sd, paramGroups: [{ ...sd.paramGroups[0]!, ...evil }] },
          { ...sd, state: { ...sd.state, 0: { ...sd.state[0]!, ...evil } } },
        ];
        for (const bad of cases) {
          expect(() => opt.loadStateDict(bad as never)).toThrow(OptimizerError);
          expect(() => opt.loadStateDict(bad as never)).toThrow(`key '${key}' is not allowed`);
        }
        const sched = new StepLR(opt, { stepSize: 2 });
        expect(() => sched.loadStateDict({ ...sched.stateDict(), ...evil } as never)).toThrow(
          `key '${key}' is not allowed`,
        );
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(opt.paramGroups[0]!.lr).toBe(0.1);
      },
    );
  });
});
