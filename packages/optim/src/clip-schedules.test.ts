// Gradient clipping and the schedulers against PyTorch 1.13, step by step (fixtures/clip-schedules.json,
// written by scripts/make-clip-schedules.py): rates, momentum and clipped gradients to 1e-12.
import { readFileSync } from 'node:fs';
import { cpu } from '@nablajs/backend-cpu';
import { type Variable, variable } from '@nablajs/autograd';
import { tensor, useBackend } from '@nablajs/tensor';
import { describe, expect, test } from 'vitest';
import {
  Adam,
  CosineAnnealingLR,
  ExponentialLR,
  LambdaLR,
  type LRScheduler,
  LinearLR,
  MultiStepLR,
  OneCycleLR,
  type Optimizer,
  ReduceLROnPlateau,
  SGD,
  SequentialLR,
  StepLR,
  clipGradNorm,
  clipGradValue,
} from './index.js';

useBackend(cpu());

interface Spec {
  type: string;
  options?: Record<string, unknown>;
  lambdas?: string | string[];
  schedulers?: Spec[];
  milestones?: number[];
}
interface ScheduleCase {
  name: string;
  optimizer: 'SGD' | 'Adam';
  options?: Record<string, unknown>;
  lrs: number[];
  scheduler: Spec;
  steps: number;
  metrics?: number[];
  sequence: { lastLr: number[]; lr: number[]; momentum: number[] }[];
}
interface ClipCase {
  name: string;
  fn: 'clipGradNorm' | 'clipGradValue';
  maxNorm?: number;
  normType?: number | 'Infinity';
  clipValue?: number;
  shapes: number[][];
  grads: (number | string)[][];
  total: number | string | null;
  clipped: (number | string)[][];
}
const fixtures = JSON.parse(
  readFileSync(new URL('../fixtures/clip-schedules.json', import.meta.url), 'utf8'),
) as { torch: string; schedules: ScheduleCase[]; clip: ClipCase[] };

const LAMBDAS: Record<string, (e: number) => number> = {
  warmup5: (e) => Math.min(1, (e + 1) / 5),
  decay: (e) => 0.9 ** e,
  inverse: (e) => 1 / (1 + e),
};
const CLASSES = { LinearLR, MultiStepLR, OneCycleLR, CosineAnnealingLR, ExponentialLR, StepLR };

type Stepper = { step(metric?: number): void; getLastLr(): number[] };
function build(opt: Optimizer, spec: Spec): Stepper {
  if (spec.type === 'SequentialLR') {
    const schedulers = spec.schedulers!.map((s) => build(opt, s) as LRScheduler);
    return new SequentialLR(opt, { schedulers, milestones: spec.milestones! });
  }
  if (spec.type === 'LambdaLR') {
    const l = spec.lambdas!;
    return new LambdaLR(opt, {
      lrLambda: Array.isArray(l) ? l.map((n) => LAMBDAS[n]!) : LAMBDAS[l]!,
    });
  }
  if (spec.type === 'ReduceLROnPlateau') {
    const p = new ReduceLROnPlateau(opt, spec.options);
    return { step: (m) => p.step(m!), getLastLr: () => p.getLastLr() };
  }
  const Ctor = CLASSES[spec.type as keyof typeof CLASSES] as unknown as new (
    o: Optimizer,
    x: unknown,
  ) => LRScheduler;
  return new Ctor(opt, spec.options ?? {});
}

const close = (got: number[], want: number[], what: string, tol = 1e-12) => {
  expect(got.length, what).toBe(want.length);
  got.forEach((g, i) =>
    expect(Math.abs(g - want[i]!), `${what}[${i}]: ${g} vs ${want[i]}`).toBeLessThanOrEqual(
      tol * Math.max(1, Math.abs(want[i]!)),
    ),
  );
};

describe('schedulers match PyTorch 1.13 step by step', () => {
  test('fixtures are PyTorch 1.13', () => expect(fixtures.torch).toMatch(/^1\.13/));

  test.each(fixtures.schedules.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const groups = c.lrs.map((lr, i) => ({
      params: [variable(tensor([0, 0, 0].slice(0, 2 + i)), { requiresGrad: true })],
      lr,
    }));
    const opt: Optimizer =
      c.optimizer === 'Adam'
        ? new Adam(groups, c.options)
        : new SGD(groups, { lr: 1, ...c.options });
    const sched = build(opt, c.scheduler);
    const momentum = () =>
      opt.paramGroups.map((g) => {
        const r = g as unknown as { betas?: [number, number]; momentum?: number };
        return r.betas ? r.betas[0] : (r.momentum ?? 0);
      });
    const check = (e: number) => {
      const want = c.sequence[e]!;
      close(sched.getLastLr(), want.lastLr, `epoch ${e} getLastLr`);
      close(
        opt.paramGroups.map((g) => g.lr),
        want.lr,
        `epoch ${e} lr`,
      );
      close(momentum(), want.momentum, `epoch ${e} momentum`);
    };
    check(0);
    for (let e = 0; e < c.steps; e++) {
      opt.step();
      sched.step(c.metrics?.[e]);
      check(e + 1);
    }
  });
});

describe('clipping matches PyTorch 1.13', () => {
  test.each(fixtures.clip.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const params: Variable[] = c.shapes.map((s) =>
      variable(
        tensor(new Float64Array(s.reduce((a, b) => a * b)), { shape: s, dtype: 'float64' }),
        { requiresGrad: true },
      ),
    );
    params.forEach(
      (p, i) =>
        (p.grad = tensor(c.grads[i]!.map(Number), { shape: c.shapes[i]!, dtype: 'float64' })),
    );
    const noGrad = variable(tensor([0, 0], { dtype: 'float64' }), { requiresGrad: true });
    if (c.fn === 'clipGradNorm') {
      const total = clipGradNorm([...params, noGrad], c.maxNorm!, Number(c.normType));
      const t = total.dataSync()[0]!;
      if (typeof c.total === 'number') close([t], [c.total], 'total norm');
      else expect(t).toBe(Number(c.total));
    } else clipGradValue([...params, noGrad], c.clipValue!);
    expect(noGrad.grad).toBeNull();
    params.forEach((p, i) => {
      const got = Array.from(p.grad!.dataSync());
      const want = c.clipped[i]!.map(Number);
      want.forEach((w, j) => {
        if (Number.isNaN(w)) expect(got[j]).toBeNaN();
        else close([got[j]!], [w], `${c.name} grad ${i}[${j}]`);
      });
    });
  });
});

describe('errors and state dicts', () => {
  const sgd = (lr = 0.1) =>
    new SGD([variable(tensor([1, 2]), { requiresGrad: true })], { lr, momentum: 0.9 });

  test('a SequentialLR resumed from its state dict continues where it was', () => {
    const make = () => {
      const opt = sgd();
      const warm = new LinearLR(opt, { startFactor: 0.1, totalIters: 3 });
      const cos = new CosineAnnealingLR(opt, { tMax: 5 });
      return { opt, s: new SequentialLR(opt, { schedulers: [warm, cos], milestones: [3] }) };
    };
    const a = make();
    for (let i = 0; i < 5; i++) a.s.step();
    const sd = JSON.parse(JSON.stringify(a.s.stateDict())) as ReturnType<SequentialLR['stateDict']>;
    const b = make();
    b.s.loadStateDict(sd);
    b.opt.paramGroups[0]!.lr = a.opt.paramGroups[0]!.lr;
    for (let i = 0; i < 4; i++) {
      a.s.step();
      b.s.step();
      expect(b.s.getLastLr()).toEqual(a.s.getLastLr());
    }
  });

  test('state dicts of the new schedulers round-trip; bad ones raise', () => {
    const opt = sgd();
    const m = new MultiStepLR(opt, { milestones: [4, 2], gamma: 0.5 });
    expect(m.milestones).toEqual([2, 4]);
    expect(m.stateDict()).toMatchObject({ milestones: [2, 4], gamma: 0.5 });
    expect(() => m.loadStateDict({ ...m.stateDict(), milestones: 'x' as never })).toThrow(
      /invalid milestones/,
    );
    const one = new OneCycleLR(sgd(), { maxLr: 1, totalSteps: 3 });
    const sd = one.stateDict();
    expect(sd).toMatchObject({ annealStrategy: 'cos', cycleMomentum: true, maxLrs: [1] });
    expect(() => one.loadStateDict({ ...sd, annealStrategy: 3 as never })).toThrow(
      /invalid annealStrategy/,
    );
    const p = new ReduceLROnPlateau(opt, { patience: 0 });
    p.step(1);
    p.step(2);
    const q = new ReduceLROnPlateau(sgd(), { patience: 0 });
    q.loadStateDict(JSON.parse(JSON.stringify(p.stateDict())));
    expect(q.best).toBe(1);
  });

  test.each([
    [
      'OneCycleLR stepped past totalSteps',
      () => {
        const s = new OneCycleLR(sgd(), { maxLr: 1, totalSteps: 2 });
        s.step();
        s.step();
        s.step();
      },
      /tried to step 4 times; the specified number of total steps is 2/,
    ],
    [
      'OneCycleLR without steps',
      () => new OneCycleLR(sgd(), { maxLr: 1 }),
      /totalSteps or \(epochs and stepsPerEpoch\)/,
    ],
    [
      'OneCycleLR momentum on Adagrad-like groups',
      () => new OneCycleLR({ paramGroups: [{ lr: 1 }] }, { maxLr: 1, totalSteps: 5 }),
      /must have momentum/,
    ],
    [
      'LinearLR startFactor 2',
      () => new LinearLR(sgd(), { startFactor: 2 }),
      /startFactor must be in \[0, 1\]/,
    ],
    [
      'LambdaLR with a number',
      () => new LambdaLR(sgd(), { lrLambda: 3 as never }),
      /lrLambda must be a function/,
    ],
    [
      'LambdaLR with one function too many',
      () => new LambdaLR(sgd(), { lrLambda: [() => 1, () => 1] }),
      /expected 1 values for lrLambda/,
    ],
    [
      'SequentialLR milestones',
      () => {
        const opt = sgd();
        return new SequentialLR(opt, {
          schedulers: [new StepLR(opt, { stepSize: 1 })],
          milestones: [2],
        });
      },
      /expected 0 milestones for 1 schedulers/,
    ],
    [
      'SequentialLR of another optimizer',
      () =>
        new SequentialLR(sgd(), {
          schedulers: [new StepLR(sgd(), { stepSize: 1 })],
          milestones: [],
        }),
      /another optimizer/,
    ],
    [
      'ReduceLROnPlateau factor 1',
      () => new ReduceLROnPlateau(sgd(), { factor: 1 }),
      /factor should be < 1.0/,
    ],
    [
      'ReduceLROnPlateau snake_case',
      () => new ReduceLROnPlateau(sgd(), { min_lr: 0.1 } as never),
      /did you mean 'minLr'/,
    ],
  ])('%s raises', (_what, make, message) => {
    expect(make).toThrow(message);
  });

  test('clipGradNorm: errorIfNonfinite, a gradient shared by two parameters scaled once, bad arguments', () => {
    const [a, b] = [
      variable(tensor([3]), { requiresGrad: true }),
      variable(tensor([4]), { requiresGrad: true }),
    ];
    a.add(b).sum().backward();
    // both gradients are [1]; total √2: each scaled once, to 1/√2
    const total = clipGradNorm([a, b], 1);
    expect(total.dataSync()[0]).toBeCloseTo(Math.SQRT2, 6);
    expect(a.grad!.dataSync()[0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(b.grad!.dataSync()[0]).toBeCloseTo(Math.SQRT1_2, 6);
    a.grad = tensor([NaN]);
    expect(() => clipGradNorm(a, 1, 2, { errorIfNonfinite: true })).toThrow(
      /total norm of order 2 of the gradients is NaN/,
    );
    expect(() => clipGradNorm([a], -1)).toThrow(/invalid maxNorm/);
    expect(() => clipGradNorm([a], 1, 0)).toThrow(/invalid normType/);
    expect(clipGradNorm([variable(tensor([1]))], 1).dataSync()[0]).toBe(0);
    expect(() => clipGradValue([a], -2)).toThrow(/invalid clipValue/);
  });
});
