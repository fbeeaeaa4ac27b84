import { cpu } from '@nablajs/backend-cpu';
import type { Variable } from '@nablajs/autograd';
import { NablaError, ShapeError, useBackend } from '@nablajs/tensor';
import { describe, expect, test } from 'vitest';
import { type Input, Linear, Module, ModuleDict, ModuleList, Parameter, ReLU } from './index.js';

useBackend(cpu());

describe('ModuleList', () => {
  class Stack extends Module {
    layers = new ModuleList([new Linear(2, 3), new ReLU(), new Linear(3, 1)]);
    forward(x: Input): Variable {
      let v = x as Variable;
      for (const l of this.layers) v = l.forward(v);
      return v;
    }
  }

  test("registers its modules as PyTorch does: 'layers.0.weight', …", () => {
    const m = new Stack();
    expect(m.namedParameters().map(([n]) => n)).toEqual([
      'layers.0.weight',
      'layers.0.bias',
      'layers.2.weight',
      'layers.2.bias',
    ]);
    expect(Object.keys(m.stateDict())).toEqual(m.namedParameters().map(([n]) => n));
    expect(m.parameters().length).toBe(4);
  });

  test('indexing, get(-1), length, append, extend, insert, iteration', () => {
    const l = new ModuleList();
    expect(l.length).toBe(0);
    const [a, b, c] = [new Linear(1, 1), new Linear(1, 2), new Linear(2, 1)];
    l.append(a).extend([c]);
    l.insert(1, b);
    expect([...l]).toEqual([a, b, c]);
    expect(l[1]).toBe(b);
    expect(l.get(-1)).toBe(c);
    expect(l.length).toBe(3);
    expect(l.namedParameters().map(([n]) => n)).toEqual([
      '0.weight',
      '0.bias',
      '1.weight',
      '1.bias',
      '2.weight',
      '2.bias',
    ]);
    expect(() => l.get(3)).toThrow(ShapeError);
    expect(() => l.append({} as Module)).toThrow(/is not a Module/);
    expect(() => l.forward()).toThrow(/has no forward of its own/);
  });
});

describe('ModuleDict', () => {
  test("registers under its keys in insertion order: 'heads.cls.weight'", () => {
    class Net extends Module {
      heads = new ModuleDict({ cls: new Linear(2, 3), box: new Linear(2, 4, { bias: false }) });
      forward(x: Input): Variable {
        return this.heads.get('cls').forward(x);
      }
    }
    const m = new Net();
    expect(Object.keys(m.stateDict())).toEqual([
      'heads.cls.weight',
      'heads.cls.bias',
      'heads.box.weight',
    ]);
    m.heads.set('extra', new Linear(1, 1));
    m.heads.delete('cls');
    expect(m.heads.keys()).toEqual(['box', 'extra']);
    expect(m.heads.size).toBe(2);
    expect(m.heads.has('box')).toBe(true);
    expect([...m.heads].map(([k]) => k)).toEqual(['box', 'extra']);
    expect(m.parameters().length).toBe(3);
    m.eval();
    expect(m.heads.get('box').training).toBe(false);
  });

  test('bad keys, unknown keys and forward raise clear errors', () => {
    const d = new ModuleDict([['a', new ReLU()]]);
    expect(() => d.set('a.b', new ReLU())).toThrow(/not a valid module name/);
    expect(() => d.set('', new ReLU())).toThrow(/not a valid module name/);
    expect(() => d.get('b')).toThrow(/no module under 'b'.*the keys are 'a'/);
    expect(() => d.forward()).toThrow(NablaError);
  });
});

describe('modules hidden in a container discovery cannot see', () => {
  class Hidden extends Module {
    constructor(readonly blocks: unknown) {
      super();
    }
    forward(x: Input): Variable {
      return x as Variable;
    }
  }

  test.each([
    ['a plain object', () => ({ a: new Linear(1, 1) }), /property 'blocks'.*a plain object/],
    ['a Map', () => new Map([['a', new Linear(1, 1)]]), /property 'blocks'.*a Map/],
    ['a Set', () => new Set([new Linear(1, 1)]), /property 'blocks'.*a Set/],
    ['a nested array', () => [[new Linear(1, 1)]], /property 'blocks'.*a nested array/],
    ['a plain object of parameters', () => ({ w: new Linear(1, 1).weight }), /a plain object/],
  ])('%s raises, naming the property and ModuleDict', (_what, make, message) => {
    const m = new Hidden(make());
    for (const call of [() => m.parameters(), () => m.stateDict(), () => m.namedChildren()]) {
      expect(call).toThrow(NablaError);
      expect(call).toThrow(message);
      expect(call).toThrow(/ModuleDict/);
    }
  });

  test('options objects, arrays of modules and of parameters stay fine', () => {
    const m = new Hidden({ size: 3, nested: { lr: 0.1 } });
    expect(m.parameters()).toEqual([]);
    const n = new Hidden([new Linear(1, 1), new Parameter(new Linear(1, 1).weight.data)]);
    expect(n.namedParameters().map(([k]) => k)).toEqual([
      'blocks.1',
      'blocks.0.weight',
      'blocks.0.bias',
    ]);
  });
});
