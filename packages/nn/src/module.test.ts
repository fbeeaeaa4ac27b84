import { cpu } from '@nablajs/backend-cpu';
import { Variable, noGrad, variable } from '@nablajs/autograd';
import { NablaError, ShapeError, manualSeed, tensor, useBackend, zeros } from '@nablajs/tensor';
import { describe, expect, test } from 'vitest';
import {
  Flatten,
  Identity,
  type Input,
  LeakyReLU,
  Linear,
  Module,
  Parameter,
  ReLU,
  Sequential,
  Sigmoid,
  StateDictError,
  Tanh,
  mseLoss,
} from './index.js';

useBackend(cpu());

const values = (v: Variable | { data: { dataSync(): ArrayLike<number> } }) =>
  Array.from(v.data.dataSync());
const close = (a: ArrayLike<number>, b: number[], tol = 1e-6) =>
  b.forEach((x, i) => expect(a[i]).toBeCloseTo(x, -Math.log10(tol)));

class Net extends Module {
  fc1 = new Linear(4, 3);
  act = new Sigmoid();
  blocks = [new Linear(3, 3), new Linear(3, 2, { bias: false })];
  scale = new Parameter(tensor([2]));
  notAParameter = 7;
  forward(x: Input): Variable {
    let h = this.act.forward(this.fc1.forward(x));
    for (const b of this.blocks) h = b.forward(h);
    return h.mul(this.scale);
  }
}

describe('Module', () => {
  test('discovers parameters and children in definition order, with dotted names', () => {
    const net = new Net();
    expect(net.namedParameters().map(([n]) => n)).toEqual([
      'scale',
      'fc1.weight',
      'fc1.bias',
      'blocks.0.weight',
      'blocks.0.bias',
      'blocks.1.weight',
    ]);
    expect(net.namedChildren().map(([n]) => n)).toEqual(['fc1', 'act', 'blocks.0', 'blocks.1']);
    expect(net.children()).toHaveLength(4);
    expect(net.namedModules().map(([n]) => n)).toEqual(['', 'fc1', 'act', 'blocks.0', 'blocks.1']);
    expect(net.parameters()).toHaveLength(6);
    expect(
      net
        .parameters()
        .every((p) => p instanceof Parameter && p instanceof Variable && p.requiresGrad),
    ).toBe(true);
    expect(Object.keys(net.stateDict())).toEqual(net.namedParameters().map(([n]) => n));
    expect(net.stateDict()['fc1.weight']).toBe(net.fc1.weight.data);
  });

  test('Sequential names children 0, 1, … like PyTorch, and chains forward', () => {
    const model = new Sequential(new Linear(784, 30), new Sigmoid(), new Linear(30, 10));
    expect(Object.keys(model.stateDict())).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(model.stateDict()['0.weight']!.shape).toEqual([30, 784]);
    expect(model.length).toBe(3);
    expect(model[2]).toBeInstanceOf(Linear);
    expect([...model].map((m) => m.constructor.name)).toEqual(['Linear', 'Sigmoid', 'Linear']);
    const x = tensor(
      Array.from({ length: 2 * 784 }, (_, i) => Math.sin(i)),
      { shape: [2, 784] },
    );
    const manual = (model[2] as Linear).forward((model[0] as Linear).forward(x).sigmoid());
    const y = model.forward(x);
    expect(y.shape).toEqual([2, 10]);
    expect(values(y)).toEqual(values(manual));
    // nested Sequentials get nested names
    const outer = new Sequential(new Sequential(new Linear(2, 2)), new ReLU());
    expect(Object.keys(outer.stateDict())).toEqual(['0.0.weight', '0.0.bias']);
  });

  test('a shared parameter is listed once by parameters(), under each name by stateDict()', () => {
    const a = new Linear(2, 2);
    const tied = new Sequential(a, new Tanh(), a);
    expect(tied.parameters()).toHaveLength(2);
    expect(Object.keys(tied.stateDict())).toEqual(['0.weight', '0.bias']);
    const b = new Linear(2, 2);
    const shared = new Sequential(a, b);
    (b as unknown as { weight: Parameter }).weight = a.weight as Parameter;
    expect(shared.parameters()).toHaveLength(3);
    expect(Object.keys(shared.stateDict())).toEqual(['0.weight', '0.bias', '1.weight', '1.bias']);
  });

  test('train() and eval() recurse', () => {
    const net = new Net();
    expect(net.modules().every((m) => m.training)).toBe(true);
    expect(net.eval()).toBe(net);
    expect(net.modules().every((m) => !m.training)).toBe(true);
    net.train();
    expect(net.blocks[1]!.training).toBe(true);
    net.train(false);
    expect(net.blocks[1]!.training).toBe(false);
  });

  test('zeroGrad clears gradients; backward reaches every parameter', () => {
    const net = new Net();
    net
      .forward(tensor([[1, 2, 3, 4]]))
      .sum()
      .backward();
    expect(net.parameters().every((p) => p.grad !== null)).toBe(true);
    net.zeroGrad();
    expect(net.parameters().every((p) => p.grad === null)).toBe(true);
  });

  test('loadStateDict copies values in place and round-trips', () => {
    const a = new Net();
    const b = new Net();
    const before = b.fc1.weight.data;
    const res = b.loadStateDict(a.stateDict());
    expect(res).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(b.fc1.weight.data).toBe(before); // same tensor, new values
    for (const [k, t] of Object.entries(a.stateDict()))
      expect(Array.from(b.stateDict()[k]!.dataSync())).toEqual(Array.from(t.dataSync()));
    const x = tensor([[0.1, -0.2, 0.3, 0.5]]);
    expect(values(b.forward(x))).toEqual(values(a.forward(x)));
  });

  test('loadStateDict names missing and unexpected keys, and shape mismatches', () => {
    const model = new Sequential(new Linear(784, 30), new Sigmoid(), new Linear(30, 10));
    const sd = { ...model.stateDict() };
    const original = Array.from(
      model[0] === undefined ? [] : (model[0] as Linear).bias!.data.dataSync(),
    );

    const swapped = { ...sd, '0.weight': zeros([784, 30]), '0.bias': zeros([30]) };
    expect(() => model.loadStateDict(swapped)).toThrow(ShapeError);
    expect(() => model.loadStateDict(swapped)).toThrow('0.weight: expected [30,784], got [784,30]');
    expect(Array.from((model[0] as Linear).bias!.data.dataSync())).toEqual(original); // nothing written

    const { '2.bias': _dropped, ...missing } = sd;
    const err = (() => {
      try {
        model.loadStateDict({ ...missing, 'fc.weight': zeros([1]) });
      } catch (e) {
        return e;
      }
    })() as StateDictError;
    expect(err).toBeInstanceOf(StateDictError);
    expect(err).toBeInstanceOf(NablaError);
    expect(err.message).toContain('missing keys: 2.bias');
    expect(err.message).toContain('unexpected keys: fc.weight');
    expect(err.missingKeys).toEqual(['2.bias']);
    expect(err.unexpectedKeys).toEqual(['fc.weight']);

    const loose = model.loadStateDict(
      { '0.bias': zeros([30]), extra: zeros([2]) },
      { strict: false },
    );
    expect(loose.missingKeys).toEqual(['0.weight', '2.weight', '2.bias']);
    expect(loose.unexpectedKeys).toEqual(['extra']);
    expect(Array.from((model[0] as Linear).bias!.data.dataSync())).toEqual(new Array(30).fill(0));
    expect(() => model.loadStateDict({ ...sd, '0.bias': 3 as never })).toThrow(
      '0.bias: expected a Tensor',
    );
  });

  test('loadStateDict of something that is not a state dict is a typed error', () => {
    const model = new Sequential(new Linear(2, 3));
    for (const bad of [null, undefined, 5, 'x', [zeros([3, 2])]]) {
      expect(() => model.loadStateDict(bad as never), String(bad)).toThrow(NablaError);
      expect(() => model.loadStateDict(bad as never), String(bad)).toThrow(
        /^loadStateDict: expected a state dict \(name → Tensor\)/,
      );
    }
    // names are looked up as own keys only: 'constructor' or 'toString' are not entries
    const sd = Object.assign(Object.create(null) as Record<string, never>, model.stateDict());
    expect(model.loadStateDict(sd)).toEqual({ missingKeys: [], unexpectedKeys: [] });
  });

  test('toString describes the tree', () => {
    const model = new Sequential(
      new Linear(784, 30),
      new LeakyReLU(0.1),
      new Linear(30, 10, { bias: false }),
    );
    expect(model.toString()).toBe(
      [
        'Sequential(',
        '  (0): Linear(inFeatures=784, outFeatures=30, bias=true)',
        '  (1): LeakyReLU(negativeSlope=0.1)',
        '  (2): Linear(inFeatures=30, outFeatures=10, bias=false)',
        ')',
      ].join('\n'),
    );
  });
});

describe('buffers', () => {
  class Stats extends Module {
    fc = new Linear(2, 2);
    constructor() {
      super();
      this.registerBuffer('count', zeros([], { dtype: 'int32' }));
      this.registerBuffer('scratch', zeros([2]), { persistent: false });
      this.registerBuffer('unset', null);
    }
    forward(x: Input): Variable {
      return this.fc.forward(x);
    }
  }

  test('listed by namedBuffers (persistent or not), saved only when persistent, never parameters', () => {
    const net = new Sequential(new Stats(), new Stats());
    expect(net.namedBuffers().map(([n]) => n)).toEqual([
      '0.count',
      '0.scratch',
      '1.count',
      '1.scratch',
    ]);
    expect(net.buffers()).toHaveLength(4);
    expect(Object.keys(net.stateDict())).toEqual([
      '0.count',
      '0.fc.weight',
      '0.fc.bias',
      '1.count',
      '1.fc.weight',
      '1.fc.bias',
    ]);
    expect(net.parameters()).toHaveLength(4);
    expect(net.getBuffer('1.count')).toBe(net.buffers()[2]);
    expect(net.getBuffer('0.unset')).toBeNull();
    expect(net.getBuffer('0.nothing')).toBeUndefined();
    expect(net.getBuffer('9.count')).toBeUndefined();
  });

  test("a module's own buffers come after its parameters and before its children's, as in PyTorch", () => {
    class Outer extends Stats {
      inner = new Stats();
    }
    expect(Object.keys(new Outer().stateDict())).toEqual([
      'count',
      'fc.weight',
      'fc.bias',
      'inner.count',
      'inner.fc.weight',
      'inner.fc.bias',
    ]);
  });

  test('loadStateDict restores buffers in place, strictly, cast to their dtype', () => {
    const a = new Stats();
    const count = a.getBuffer('count')!;
    const sd = { ...a.stateDict(), count: tensor(7) };
    a.loadStateDict(sd);
    expect(a.getBuffer('count')).toBe(count);
    expect(count.dtype).toBe('int32');
    expect(Array.from(count.dataSync())).toEqual([7]);
    const { count: _, ...withoutCount } = sd;
    expect(() => a.loadStateDict(withoutCount)).toThrow(/missing keys: count/);
    expect(() => a.loadStateDict({ ...sd, scratch: zeros([2]) })).toThrow(
      /unexpected keys: scratch/,
    );
    expect(() => a.loadStateDict({ ...sd, count: zeros([2]) })).toThrow(
      /count: expected \[\], got \[2\]/,
    );
  });

  test('registerBuffer refuses bad names and non-tensors; registering again replaces', () => {
    const s = new Stats();
    expect(() => s.registerBuffer('a.b', zeros([1]))).toThrow(/invalid buffer name/);
    expect(() => s.registerBuffer('', zeros([1]))).toThrow(/invalid buffer name/);
    expect(() => s.registerBuffer('__proto__', zeros([1]))).toThrow(/invalid buffer name/);
    expect(() => s.registerBuffer('fc', zeros([1]))).toThrow(/'fc' is already a property/);
    expect(() => s.registerBuffer('x', [1] as never)).toThrow(/must be a Tensor or null/);
    const fresh = zeros([], { dtype: 'int32' });
    s.registerBuffer('count', fresh);
    expect(s.getBuffer('count')).toBe(fresh);
  });

  test('to(backend) moves parameters, gradients and buffers; the Parameter objects stay', async () => {
    const other = cpu();
    const s = new Stats();
    const w = s.fc.weight;
    s.fc
      .forward(tensor([[1, 2]]))
      .sum()
      .backward();
    const before = Array.from(w.data.dataSync());
    expect(await s.to(other)).toBe(s);
    expect(s.fc.weight).toBe(w);
    expect(w.data.backend).toBe(other);
    expect(w.grad!.backend).toBe(other);
    expect(Array.from(w.data.dataSync())).toEqual(before);
    expect(s.buffers().every((b) => b.backend === other)).toBe(true);
  });
});

describe('Linear', () => {
  test('weight [out, in], bias [out], PyTorch default init U(-1/√in, 1/√in)', () => {
    manualSeed(5);
    const l = new Linear(100, 40);
    expect(l.weight.shape).toEqual([40, 100]);
    expect(l.bias!.shape).toEqual([40]);
    const w = Array.from(l.weight.data.dataSync());
    const b = Array.from(l.bias!.data.dataSync());
    const bound = 1 / Math.sqrt(100);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...b.map(Math.abs))).toBeLessThanOrEqual(bound);
    // U(-a, a) has variance a²/3
    const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
    expect(variance).toBeGreaterThan(((bound * bound) / 3) * 0.9);
    expect(variance).toBeLessThan(((bound * bound) / 3) * 1.1);
    manualSeed(5);
    expect(Array.from(new Linear(100, 40).weight.data.dataSync())).toEqual(w);
  });

  test('forward is x·Wᵀ + b, for batches, single samples and Tensors', () => {
    const l = new Linear(3, 2);
    l.weight.data.assign(
      tensor([
        [1, 2, 3],
        [-1, 0, 1],
      ]),
    );
    l.bias!.data.assign(tensor([0.5, -0.5]));
    expect(
      values(
        l.forward(
          tensor([
            [1, 1, 1],
            [1, 2, 3],
          ]),
        ),
      ),
    ).toEqual([6.5, -0.5, 14.5, 1.5]);
    const one = l.forward(variable(tensor([1, 2, 3])));
    expect(one.shape).toEqual([2]);
    expect(values(one)).toEqual([14.5, 1.5]);
    const nb = new Linear(3, 2, { bias: false });
    expect(nb.bias).toBeNull();
    expect(nb.parameters()).toHaveLength(1);
    nb.weight.data.assign(
      tensor([
        [1, 2, 3],
        [-1, 0, 1],
      ]),
    );
    expect(values(nb.forward(tensor([[1, 1, 1]])))).toEqual([6, 0]);
  });

  test('gradients: dW = gᵀx, db = Σg', () => {
    const l = new Linear(2, 2);
    l.weight.data.assign(
      tensor([
        [1, 2],
        [3, 4],
      ]),
    );
    l.bias!.data.assign(tensor([0, 0]));
    l.forward(
      tensor([
        [1, 2],
        [3, 5],
      ]),
    )
      .sum()
      .backward();
    expect(Array.from(l.weight.grad!.dataSync())).toEqual([4, 7, 4, 7]);
    expect(Array.from(l.bias!.grad!.dataSync())).toEqual([2, 2]);
  });

  test('a wrong feature count is a clear ShapeError', () => {
    const l = new Linear(784, 30);
    expect(() => l.forward(zeros([32, 30]))).toThrow(ShapeError);
    expect(() => l.forward(zeros([32, 30]))).toThrow('input [32,30] does not end in 784 features');
    expect(() => new Linear(-1, 2)).toThrow('inFeatures must be a non-negative integer');
  });

  test('a layer with zero input features works, as in PyTorch: the output is the bias', () => {
    const l = new Linear(0, 3);
    expect(l.weight.shape).toEqual([3, 0]);
    expect(Array.from(l.bias!.data.dataSync())).toEqual([0, 0, 0]); // PyTorch's bound 0 for fanIn 0
    l.bias!.data.assign(tensor([1, 2, 3]));
    const y = l.forward(zeros([2, 0]));
    expect(y.shape).toEqual([2, 3]);
    expect(Array.from(y.data.dataSync())).toEqual([1, 2, 3, 1, 2, 3]);
    y.sum().backward();
    expect(l.weight.grad!.shape).toEqual([3, 0]);
    expect(Array.from(l.bias!.grad!.dataSync())).toEqual([2, 2, 2]);
    const none = new Linear(3, 0);
    expect(none.forward(zeros([2, 3])).shape).toEqual([2, 0]);
    // an empty tensor can be assigned to (there is nothing to write)
    expect(zeros([3, 0]).assign(5).shape).toEqual([3, 0]);
  });

  test('float64 layers', () => {
    const l = new Linear(2, 3, { dtype: 'float64' });
    expect(l.weight.dtype).toBe('float64');
    expect(l.forward(tensor([[1, 2]], { dtype: 'float64' })).dtype).toBe('float64');
  });
});

describe('Flatten', () => {
  test('merges startDim..endDim (default: all but the batch axis), gradient flows back', () => {
    const x = new Variable(
      tensor(
        Array.from({ length: 24 }, (_, i) => i),
        { shape: [2, 3, 2, 2] },
      ),
      true,
    );
    const y = new Flatten().forward(x);
    expect(y.shape).toEqual([2, 12]);
    expect(values(y)).toEqual(Array.from({ length: 24 }, (_, i) => i));
    expect(new Flatten(0, 1).forward(x).shape).toEqual([6, 2, 2]);
    expect(new Flatten(-2).forward(x).shape).toEqual([2, 3, 4]);
    y.mul(tensor([2]))
      .sum()
      .backward();
    expect(x.grad!.shape).toEqual([2, 3, 2, 2]);
    expect(Array.from(x.grad!.dataSync())).toEqual(new Array(24).fill(2));
  });

  test('bad axes name the layer and the input', () => {
    expect(() => new Flatten().forward(tensor([1, 2]))).toThrow(
      /Flatten\(startDim=1, endDim=-1\).*cannot merge axes 1..-1 of input \[2\]/,
    );
    expect(() => new Flatten(2, 1).forward(zeros([2, 3, 4]))).toThrow(
      /startDim must not come after endDim/,
    );
    expect(new Flatten().toString()).toBe('Flatten(startDim=1, endDim=-1)');
  });
});

describe('activations', () => {
  test('hand-computed values', () => {
    const x = tensor([-2, 0, 3]);
    expect(values(new Identity().forward(x))).toEqual([-2, 0, 3]);
    expect(values(new ReLU().forward(x))).toEqual([0, 0, 3]);
    close(values(new LeakyReLU().forward(x)), [-0.02, 0, 3]);
    close(values(new Sigmoid().forward(x)), [1 / (1 + Math.exp(2)), 0.5, 1 / (1 + Math.exp(-3))]);
    close(values(new Tanh().forward(x)), [Math.tanh(-2), 0, Math.tanh(3)]);
  });
});

test('learns y = 2x − 1 with manual SGD (a Linear regression)', () => {
  manualSeed(1);
  const model = new Linear(1, 1);
  const x = tensor([[-1], [0], [1], [2]]);
  const y = tensor([[-3], [-1], [1], [3]]);
  for (let step = 0; step < 60; step++) {
    model.zeroGrad();
    mseLoss(model.forward(x), y).backward();
    noGrad(() => {
      for (const p of model.parameters()) p.data.assign(p.data.sub(p.grad!.mul(0.3)));
    });
  }
  close(values(model.weight), [2], 1e-4);
  close(values(model.bias!), [-1], 1e-4);
});

test('a training loop without dispose() keeps memory bounded', async () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc (vitest.shared.ts sets it)');
  const { memory } = await import('@nablajs/tensor');
  const model = new Sequential(new Linear(20, 16), new Sigmoid(), new Linear(16, 4));
  const x = tensor(
    Array.from({ length: 8 * 20 }, (_, i) => Math.cos(i)),
    { shape: [8, 20] },
  );
  const y = tensor([0, 1, 2, 3, 0, 1, 2, 3], { dtype: 'int32' });
  const { crossEntropy } = await import('./index.js');
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 0));
    }
    return memory();
  };
  const steps = async (n: number) => {
    for (let s = 0; s < n; s++) {
      model.zeroGrad();
      crossEntropy(model.forward(x), y).backward();
      noGrad(() => model.parameters().forEach((p) => p.data.assign(p.data.sub(p.grad!.mul(0.1)))));
    }
  };
  await steps(20);
  const before = await settle();
  await steps(600);
  const made = memory().tensors - before.tensors; // made and not yet reclaimed: ~all of them
  const after = await settle();
  // The CPU backend reclaims memory by block (a 1 MiB chunk holds many small tensors): what stays is
  // the chunk being filled and those holding the last step's gradients, not a share of the 600
  // steps' tensors.
  expect(made).toBeGreaterThan(600 * 10);
  expect(after.tensors - before.tensors).toBeLessThan(made / 2);
  expect(after.bytes - before.bytes).toBeLessThanOrEqual(3 * 2 ** 20);
});
