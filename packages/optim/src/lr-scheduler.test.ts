import { cpu } from '@nablajs/backend-cpu';
import { NablaError, useBackend } from '@nablajs/tensor';
import { describe, expect, test } from 'vitest';
import { makeParams } from '../fixtures/replay.js';
import {
  CosineAnnealingLR,
  ExponentialLR,
  LRScheduler,
  OptimizerError,
  SGD,
  StepLR,
} from './index.js';

useBackend(cpu());

const sgd = (lr = 0.1) => new SGD(makeParams(), { lr });

describe('schedulers', () => {
  test('write lr into the groups and record initialLr; getLastLr is a copy', () => {
    const opt = sgd(0.2);
    const sched = new ExponentialLR(opt, { gamma: 0.5 });
    expect(opt.paramGroups[0]!.initialLr).toBe(0.2);
    expect(sched.baseLrs).toEqual([0.2]);
    expect(sched.lastEpoch).toBe(0);
    sched.step();
    sched.step();
    expect(opt.paramGroups[0]!.lr).toBe(0.05);
    const last = sched.getLastLr();
    last[0] = 7;
    expect(sched.getLastLr()).toEqual([0.05]);
  });

  test('a group added after the scheduler was built is an error, not a silent NaN', () => {
    const opt = sgd();
    const sched = new CosineAnnealingLR(opt, { tMax: 4 });
    opt.addParamGroup({ params: [makeParams()[0]!] });
    expect(() => sched.step()).toThrow(
      /the optimizer has 2 parameter groups, the scheduler was built for 1/,
    );
  });

  test('StepLR defaults gamma to 0.1; CosineAnnealingLR etaMin to 0', () => {
    const step = new StepLR(sgd(), { stepSize: 1 });
    step.step();
    expect(step.getLastLr()[0]).toBeCloseTo(0.01, 15);
    const cos = new CosineAnnealingLR(sgd(), { tMax: 2 });
    cos.step();
    cos.step();
    expect(cos.getLastLr()[0]).toBeCloseTo(0, 15);
  });

  test('a user-defined scheduler: subclass LRScheduler, implement getLr, call initialStep', () => {
    class Halve extends LRScheduler {
      protected readonly optionKeys = [] as const;
      constructor(opt: SGD) {
        super('Halve', opt, {});
        this.initialStep();
      }
      protected getLr() {
        return this.baseLrs.map((lr) => lr / 2 ** this.lastEpoch);
      }
    }
    const s = new Halve(sgd(1));
    s.step();
    s.step();
    expect(s.getLastLr()).toEqual([0.25]);
    expect(s.stateDict()).toEqual({ lastEpoch: 2, stepCount: 3, baseLrs: [1], lastLr: [0.25] });
  });

  test.each([
    ['StepLR stepSize 0', () => new StepLR(sgd(), { stepSize: 0 }), /StepLR: invalid stepSize: 0/],
    [
      'StepLR fractional stepSize',
      () => new StepLR(sgd(), { stepSize: 1.5 }),
      /stepSize must be a positive integer/,
    ],
    [
      'StepLR negative gamma',
      () => new StepLR(sgd(), { stepSize: 2, gamma: -1 }),
      /invalid gamma: -1/,
    ],
    [
      'ExponentialLR without gamma',
      () => new ExponentialLR(sgd(), {} as never),
      /ExponentialLR: invalid gamma: undefined/,
    ],
    [
      'CosineAnnealingLR tMax 0',
      () => new CosineAnnealingLR(sgd(), { tMax: 0 }),
      /invalid tMax: 0/,
    ],
    [
      'CosineAnnealingLR snake_case',
      () => new CosineAnnealingLR(sgd(), { T_max: 5 } as never),
      /unknown option 'T_max'/,
    ],
    [
      'not an optimizer',
      () => new StepLR({} as never, { stepSize: 1 }),
      /StepLR: expected an optimizer/,
    ],
    [
      'a bad lastEpoch',
      () => new StepLR(sgd(), { stepSize: 1, lastEpoch: -2 }),
      /invalid lastEpoch: -2/,
    ],
    [
      'resuming without initialLr',
      () => new StepLR(sgd(), { stepSize: 1, lastEpoch: 3 }),
      /parameter group 0 has no initialLr to resume from/,
    ],
  ])('%s raises OptimizerError', (_, make, message) => {
    expect(make).toThrow(OptimizerError);
    expect(make).toThrow(NablaError);
    expect(make).toThrow(message);
  });
});
