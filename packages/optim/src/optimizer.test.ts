import { cpu } from '@nablajs/backend-cpu';
import { variable } from '@nablajs/autograd';
import { NablaError, memory, tensor, useBackend } from '@nablajs/tensor';
import { describe, expect, test } from 'vitest';
import { backwardAt, fixtures, makeParams } from '../fixtures/replay.js';
import { Adagrad, Adam, AdamW, type Optimizer, OptimizerError, RMSprop, SGD } from './index.js';

// Explicit frees (as on a GPU), so that bytes count exactly and a leaked temporary shows at once;
// the CPU backend's own accounting frees whole blocks only when the garbage collector takes them.
useBackend({ ...cpu(), gcUnit: undefined, free: () => {} });

// Every optimizer in its costliest configuration (most buffers and temporaries).
const HEAVY: [string, (p: ReturnType<typeof makeParams>) => Optimizer][] = [
  [
    'SGD',
    (p) => new SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.1, maximize: true }),
  ],
  ['SGD dampening', (p) => new SGD(p, { lr: 0.1, momentum: 0.9, dampening: 0.5 })],
  ['Adam', (p) => new Adam(p, { lr: 0.1, amsgrad: true, weightDecay: 0.1, maximize: true })],
  ['AdamW', (p) => new AdamW(p, { lr: 0.1, amsgrad: true })],
  ['RMSprop', (p) => new RMSprop(p, { lr: 0.01, centered: true, momentum: 0.9, weightDecay: 0.1 })],
  ['Adagrad', (p) => new Adagrad(p, { lr: 0.1, lrDecay: 0.1, weightDecay: 0.1, maximize: true })],
];

describe('updates', () => {
  for (const [name, make] of HEAVY)
    test(`${name}: writes into the parameters' storage and disposes every temporary`, () => {
      const params = makeParams();
      const tensors = params.map((p) => p.data);
      const views = params.map((p) => p.data.reshape([-1]));
      const opt = make(params);
      backwardAt(params, 0);
      opt.step(); // creates the state
      const before = memory().backends['cpu']!;
      for (let i = 0; i < 5; i++) opt.step();
      const after = memory().backends['cpu']!;
      expect(after.tensors).toBe(before.tensors);
      expect(after.bytes).toBe(before.bytes);
      params.forEach((p, i) => {
        expect(p.data).toBe(tensors[i]);
        expect(Array.from(views[i]!.dataSync())).toEqual(Array.from(p.data.dataSync()));
        expect(Array.from(p.data.dataSync())).not.toEqual(fixtures.init[i]);
      });
    });

  test('parameters without a gradient are skipped; zeroGrad clears gradients', () => {
    const params = makeParams();
    const opt = new Adam(params, { lr: 0.1 });
    backwardAt(params, 0);
    params[1]!.grad = null;
    opt.step();
    expect(Array.from(params[1]!.data.dataSync())).toEqual(fixtures.init[1]);
    expect(Array.from(params[0]!.data.dataSync())).not.toEqual(fixtures.init[0]);
    expect(opt.state.has(params[1]!)).toBe(false);
    opt.zeroGrad();
    expect(params.map((p) => p.grad)).toEqual([null, null]);
  });

  test('step(closure) evaluates the closure first and returns its result', () => {
    const params = makeParams();
    const opt = new SGD(params, { lr: 0.1 });
    let calls = 0;
    const out = opt.step(() => {
      calls++;
      backwardAt(params, 0);
      return 42;
    });
    expect(out).toBe(42);
    expect(calls).toBe(1);
    const first = fixtures.optimizers.find((c) => c.name === 'SGD plain')!.trajectory[0]!;
    first.forEach((want, i) =>
      Array.from(params[i]!.data.dataSync()).forEach((x, j) => expect(x).toBeCloseTo(want[j]!, 12)),
    );
  });

  test('float32 parameters follow the float64 trajectory closely', () => {
    const c = fixtures.optimizers.find((o) => o.name === 'Adam amsgrad')!;
    const params = fixtures.init.map((v, i) =>
      variable(tensor(v, { shape: fixtures.shapes[i]! }), { requiresGrad: true }),
    );
    const opt = new Adam(params, { lr: 0.1, amsgrad: true });
    c.trajectory.forEach((want, step) => {
      opt.zeroGrad();
      backwardAt(params, step);
      opt.step();
      params.forEach((p, i) => {
        expect(p.data.dtype).toBe('float32');
        Array.from(p.data.dataSync()).forEach((x, j) =>
          expect(Math.abs(x - want[i]![j]!)).toBeLessThan(1e-5),
        );
      });
    });
  });

  test('group options can change between steps; addParamGroup adds parameters later', () => {
    const params = makeParams();
    const opt = new SGD([params[0]!], { lr: 0.1 });
    opt.paramGroups[0]!.lr = 0;
    backwardAt(params, 0);
    opt.step();
    expect(Array.from(params[0]!.data.dataSync())).toEqual(fixtures.init[0]);
    opt.addParamGroup({ params: [params[1]!], momentum: 0.5 });
    expect(opt.paramGroups[1]).toMatchObject({
      lr: 0.1,
      momentum: 0.5,
      dampening: 0,
      nesterov: false,
    });
    expect(() => opt.addParamGroup({ params: [params[1]!] })).toThrow(/appears more than once/);

    const ada = new Adagrad([params[0]!], { initialAccumulatorValue: 0.5 });
    ada.addParamGroup({ params: [params[1]!], initialAccumulatorValue: 2 });
    expect(
      Array.from((ada.state.get(params[1]!)!.sum as { dataSync(): Float64Array }).dataSync()),
    ).toEqual([2, 2]);
    expect(ada.stateDict().state[0]!.step).toBe(0);
  });

  test('accepts any iterable of Variables, e.g. a generator like Module.parameters()', () => {
    const params = makeParams();
    function* gen() {
      yield* params;
    }
    const opt = new RMSprop(gen());
    expect(opt.paramGroups[0]!.params).toEqual(params);
    expect(opt.paramGroups[0]).toMatchObject({
      lr: 0.01,
      alpha: 0.99,
      eps: 1e-8,
      weightDecay: 0,
      momentum: 0,
      centered: false,
      maximize: false,
    });
  });
});

describe('PyTorch 1.13 defaults', () => {
  const p = () => makeParams();
  test.each([
    [
      'SGD',
      () => new SGD(p(), { lr: 0.5 }),
      { lr: 0.5, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, maximize: false },
    ],
    [
      'Adam',
      () => new Adam(p()),
      { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false },
    ],
    [
      'AdamW',
      () => new AdamW(p()),
      {
        lr: 1e-3,
        betas: [0.9, 0.999],
        eps: 1e-8,
        weightDecay: 1e-2,
        amsgrad: false,
        maximize: false,
      },
    ],
    [
      'RMSprop',
      () => new RMSprop(p()),
      {
        lr: 1e-2,
        alpha: 0.99,
        eps: 1e-8,
        weightDecay: 0,
        momentum: 0,
        centered: false,
        maximize: false,
      },
    ],
    [
      'Adagrad',
      () => new Adagrad(p()),
      {
        lr: 1e-2,
        lrDecay: 0,
        weightDecay: 0,
        initialAccumulatorValue: 0,
        eps: 1e-10,
        maximize: false,
      },
    ],
  ] as const)('%s', (_, make, want) => {
    const { params: _p, ...options } = make().paramGroups[0]!;
    expect(options).toEqual(want);
  });
});

describe('invalid hyper-parameters raise OptimizerError', () => {
  const p = () => makeParams();
  test.each([
    ['negative lr', () => new SGD(p(), { lr: -0.1 }), /SGD: invalid learning rate: -0.1/],
    ['NaN lr', () => new Adam(p(), { lr: NaN }), /Adam: invalid learning rate: NaN/],
    ['missing lr', () => new SGD(p(), {} as never), /SGD: lr is required/],
    [
      'negative momentum',
      () => new SGD(p(), { lr: 0.1, momentum: -0.9 }),
      /invalid momentum value: -0.9/,
    ],
    [
      'negative weight decay',
      () => new AdamW(p(), { weightDecay: -1 }),
      /AdamW: invalid weightDecay value: -1/,
    ],
    [
      'nesterov without momentum',
      () => new SGD(p(), { lr: 0.1, nesterov: true }),
      /Nesterov momentum requires a momentum and zero dampening/,
    ],
    [
      'nesterov with dampening',
      () => new SGD(p(), { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }),
      /Nesterov momentum requires/,
    ],
    [
      'beta1 ≥ 1',
      () => new Adam(p(), { betas: [1.2, 0.999] }),
      /Adam: invalid beta parameter at index 0: 1.2; betas must be in \[0, 1\)/,
    ],
    [
      'beta2 = 1',
      () => new AdamW(p(), { betas: [0.9, 1] }),
      /invalid beta parameter at index 1: 1/,
    ],
    ['negative beta', () => new Adam(p(), { betas: [-0.1, 0.9] }), /index 0: -0.1/],
    ['one beta', () => new Adam(p(), { betas: [0.9] as never }), /betas must be a pair/],
    ['negative eps', () => new RMSprop(p(), { eps: -1e-8 }), /RMSprop: invalid epsilon value/],
    ['negative alpha', () => new RMSprop(p(), { alpha: -0.5 }), /invalid alpha value: -0.5/],
    [
      'negative lrDecay',
      () => new Adagrad(p(), { lrDecay: -1 }),
      /Adagrad: invalid lrDecay value: -1/,
    ],
    [
      'negative accumulator',
      () => new Adagrad(p(), { initialAccumulatorValue: -1 }),
      /initialAccumulatorValue/,
    ],
    [
      'a non-boolean flag',
      () => new Adam(p(), { amsgrad: 1 as never }),
      /invalid amsgrad: 1; amsgrad must be true or false/,
    ],
    [
      'a snake_case option',
      () => new SGD(p(), { lr: 0.1, weight_decay: 0.1 } as never),
      /unknown option 'weight_decay'; did you mean 'weightDecay'/,
    ],
    [
      'an unknown option',
      () => new Adam(p(), { momentum: 0.9 } as never),
      /unknown option 'momentum'; expected one of: lr, betas/,
    ],
    [
      'a bad group option',
      () => new SGD([{ params: p(), lr: -1 }], { lr: 0.1 }),
      /invalid learning rate: -1/,
    ],
    ['a group without lr', () => new SGD([{ params: p() }]), /lr is required/],
  ])('%s', (_, make, message) => {
    expect(make).toThrow(OptimizerError);
    expect(make).toThrow(NablaError);
    expect(make).toThrow(message);
  });
});

describe('options changed after construction are checked at step', () => {
  for (const [name, make] of HEAVY)
    test(`${name}: a NaN lr (or momentum, betas) set on a group is refused, the weights untouched`, () => {
      const params = makeParams();
      const opt = make(params);
      const before = params.map((p) => Array.from(p.data.dataSync()));
      backwardAt(params, 0);
      const group = opt.paramGroups[0]! as unknown as Record<string, unknown>;
      group.lr = NaN;
      expect(() => opt.step()).toThrow(OptimizerError);
      expect(() => opt.step()).toThrow(/step: parameter group 0: .*invalid learning rate: NaN/);
      group.lr = 0.1;
      if ('betas' in group) group.betas = [0.9, Infinity];
      else if ('momentum' in group) group.momentum = -1;
      else group.weightDecay = -1;
      expect(() => opt.step()).toThrow(OptimizerError);
      params.forEach((p, i) => expect(Array.from(p.data.dataSync())).toEqual(before[i]));
    });
});

describe('a group checked at one step is checked again when its options change', () => {
  for (const [name, make] of HEAVY)
    test(`${name}: after a good step, a NaN lr, an array changed in place and an unknown key are refused`, () => {
      const params = makeParams();
      const opt = make(params);
      backwardAt(params, 0);
      opt.step(); // passes: the group's options are remembered
      const group = opt.paramGroups[0]! as unknown as Record<string, unknown>;
      group.lr = NaN;
      expect(() => opt.step()).toThrow(/step: parameter group 0: .*invalid learning rate: NaN/);
      group.lr = 0.1;
      opt.step();
      if (Array.isArray(group.betas)) {
        (group.betas as number[])[1] = Infinity;
        expect(() => opt.step()).toThrow(OptimizerError);
        (group.betas as number[])[1] = 0.999;
        opt.step();
      }
      group.bogus = 1;
      expect(() => opt.step()).toThrow(OptimizerError);
      delete group.bogus;
      opt.step();
    });
});

describe('invalid parameter lists raise OptimizerError', () => {
  test.each([
    ['an empty list', () => new SGD([], { lr: 0.1 }), /empty parameter list/],
    [
      'a single Variable',
      () => new SGD(makeParams()[0]! as never, { lr: 0.1 }),
      /iterable of Variables or of parameter groups, got a Variable \[3,2\]/,
    ],
    [
      'Tensors',
      () => new SGD([tensor([1])] as never, { lr: 0.1 }),
      /can only optimize Variables, but parameter 0 of group 0 is a Tensor/,
    ],
    [
      'a non-leaf',
      () => new SGD([makeParams()[0]!.mul(2)], { lr: 0.1 }),
      /non-leaf Variable \[3,2\] \(made by mul\)/,
    ],
    [
      'a duplicate',
      () => {
        const [a] = makeParams();
        return new SGD([a!, a!], { lr: 0.1 });
      },
      /appears more than once/,
    ],
    [
      'a group without params',
      () => new SGD([{ lr: 0.1 }] as never, { lr: 0.1 }),
      /parameter group must be an object \{ params/,
    ],
    [
      'a group with one Variable',
      () => new SGD([{ params: makeParams()[0]! }] as never, { lr: 0.1 }),
      /wrap a single parameter in an array/,
    ],
  ])('%s', (_, make, message) => {
    expect(make).toThrow(OptimizerError);
    expect(make).toThrow(message);
  });

  test('a gradient of the wrong shape is a ShapeError at step', () => {
    const params = makeParams();
    const opt = new SGD(params, { lr: 0.1 });
    params[1]!.grad = tensor([1, 2, 3], { dtype: 'float64' });
    expect(() => opt.step()).toThrow(/SGD: gradient \[3\] does not match its parameter \[2\]/);
  });
});
