// The Module API of issue 18: apply, requiresGrad_, forward hooks, zeroGrad({ setToNone }),
// toString's tree; each as PyTorch's.
import { type Variable, variable } from '@nablajs/autograd';
import { cpu } from '@nablajs/backend-cpu';
import { tensor, useBackend } from '@nablajs/tensor';
import { describe, expect, test } from 'vitest';
import { type Input, Linear, type Module, ReLU, Sequential, init } from './index.js';

useBackend(cpu());

const net = () => new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2));
const vals = (v: Variable) => Array.from(v.data.dataSync());

describe('Module', () => {
  test('apply visits every module, children first (PyTorch order), and returns the module', () => {
    const m = net();
    const seen: string[] = [];
    expect(m.apply((x) => seen.push(x.constructor.name))).toBe(m);
    expect(seen).toEqual(['Linear', 'ReLU', 'Linear', 'Sequential']);
    // the usual use: initialize every Linear
    m.apply((x) => {
      if (x instanceof Linear) init.constant(x.weight, 0.5);
    });
    for (const p of m.parameters().filter((_, i) => i % 2 === 0))
      expect(new Set(p.data.dataSync())).toEqual(new Set([0.5]));
  });

  test('requiresGrad_(false) freezes every parameter; true thaws them', () => {
    const m = net();
    m.requiresGrad_(false);
    expect(m.parameters().every((p) => !p.requiresGrad)).toBe(true);
    const y = m.forward(tensor([[1, 2, 3]])).sum();
    expect(y.requiresGrad).toBe(false);
    m.children()[0]!.requiresGrad_();
    expect(m.parameters().map((p) => p.requiresGrad)).toEqual([true, true, false, false]);
  });

  test('forward pre-hooks may replace the inputs, hooks the output; removing stops them', () => {
    const m = new Linear(2, 1);
    init.constant(m.weight, 1);
    init.constant(m.bias!, 0);
    const calls: string[] = [];
    const offPre = m.registerForwardPreHook((mod: Module, inputs: Input[]) => {
      calls.push(`pre ${mod.constructor.name}`);
      return [variable([[10, 20]]), ...inputs.slice(1)];
    });
    const offPost = m.registerForwardHook((_m, _inputs, out) => {
      calls.push('post');
      return out.mul(2);
    });
    expect(vals(m.forward(tensor([[1, 1]])))).toEqual([60]);
    expect(calls).toEqual(['pre Linear', 'post']);
    offPre();
    expect(vals(m.forward(tensor([[1, 1]])))).toEqual([4]);
    offPost();
    expect(vals(m.forward(tensor([[1, 1]])))).toEqual([2]);
    // the wrapper is neither a parameter nor a submodule
    expect(m.namedParameters().map(([n]) => n)).toEqual(['weight', 'bias']);
    expect(Object.keys(m.stateDict())).toEqual(['weight', 'bias']);
  });

  test('a hook on a child runs inside the parent forward', () => {
    const m = net();
    const shapes: number[][] = [];
    m.children()[0]!.registerForwardHook((_m, _i, out) => void shapes.push([...out.shape]));
    m.forward(tensor([[1, 2, 3]]));
    expect(shapes).toEqual([[1, 4]]);
  });

  test('zeroGrad sets gradients to null, or to zeros with setToNone: false', () => {
    const m = net();
    m.forward(tensor([[1, 2, 3]]))
      .sum()
      .backward();
    const before = m.parameters()[0]!.grad!;
    m.zeroGrad({ setToNone: false });
    const g = m.parameters()[0]!.grad!;
    expect(g).not.toBe(before);
    expect(Array.from(g.dataSync()).every((v) => v === 0)).toBe(true);
    m.zeroGrad();
    expect(m.parameters().every((p) => p.grad === null)).toBe(true);
  });

  test('toString prints the module tree as PyTorch does (camelCase options)', () => {
    expect(net().toString()).toBe(
      [
        'Sequential(',
        '  (0): Linear(inFeatures=3, outFeatures=4, bias=true)',
        '  (1): ReLU()',
        '  (2): Linear(inFeatures=4, outFeatures=2, bias=true)',
        ')',
      ].join('\n'),
    );
  });
});
