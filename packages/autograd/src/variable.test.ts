// Variable: its fields, graph recording (and when it is off), the Tensor API mirror, and the free
// functions where / concat / stack / scatterAdd / unslice / softmaxCrossEntropy's reduction.
import { cpu } from '@nablajs/backend-cpu';
import {
  BINARY_OPS,
  COMPARE_OPS,
  COMPOSITES,
  DTypeError,
  type Tensor,
  UNARY_OPS,
  tensor,
  useBackend,
} from '@nablajs/tensor';
import { describe, expect, test } from 'vitest';
import {
  Variable,
  concat,
  grad,
  isGradEnabled,
  lift,
  noGrad,
  scatterAdd,
  softmaxCrossEntropy,
  stack,
  unslice,
  variable,
  where,
  withGradMode,
} from './index.js';

useBackend(cpu());

const f64 = (data: number[] | number[][], requiresGrad = true) =>
  variable(tensor(data, { dtype: 'float64' }), { requiresGrad });
const vals = (t: Tensor | Variable | null) => {
  expect(t).not.toBeNull();
  return Array.from((t instanceof Variable ? t.data : t!).dataSync());
};
const i32 = (data: number[][]) => tensor(data, { dtype: 'int32' });

describe('Variable', () => {
  test('variable(data, opts): data, grad, requiresGrad, gradFn, isLeaf, name', async () => {
    const v = variable([[1, 2], [3, 4]]); // prettier-ignore
    expect(v.data.shape).toEqual([2, 2]);
    expect(v.dtype).toBe('float32');
    expect([v.shape, v.rank, v.size]).toEqual([[2, 2], 2, 4]);
    expect(v.requiresGrad).toBe(false);
    expect(v.grad).toBeNull();
    expect(v.gradFn).toBeNull();
    expect(v.isLeaf).toBe(true);
    expect(Array.from(await v.values())).toEqual([1, 2, 3, 4]);

    const t = tensor([0.5], { dtype: 'float64' });
    const w = variable(t, { requiresGrad: true, name: 'w' });
    expect(w.data).toBe(t); // wraps the tensor, no copy
    expect(w.requiresGrad).toBe(true);
    expect(w.name).toBe('w');
    expect(await w.item()).toBe(0.5);
    expect(variable([1, 2], { dtype: 'float64' }).dtype).toBe('float64');
    expect(new Variable(t).requiresGrad).toBe(false);
  });

  test('an op records a function node only when an input requires grad', () => {
    const x = f64([1, 2]);
    const c = f64([3, 4], false);
    const y = x.mul(c);
    expect(y.requiresGrad).toBe(true);
    expect(y.isLeaf).toBe(false);
    expect(y.gradFn!.name).toBe('mul');
    expect(y.gradFn!.next).toEqual([x, null]); // edges: to the leaf x, none to the constant
    expect(vals(y)).toEqual([3, 8]);
    const z = y.exp();
    expect(z.gradFn!.next[0]).toBe(y.gradFn); // a non-leaf input: an edge to its node
    const k = c.mul(c);
    expect(k.requiresGrad).toBe(false);
    expect(k.gradFn).toBeNull();
  });

  test('noGrad turns recording off, returns its value and restores the mode (also after a throw)', () => {
    const x = f64([1, 2]);
    expect(isGradEnabled()).toBe(true);
    const y = noGrad(() => {
      expect(isGradEnabled()).toBe(false);
      return x.mul(2).sum();
    });
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(vals(y)).toEqual([6]);
    expect(isGradEnabled()).toBe(true);
    expect(() =>
      noGrad(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(isGradEnabled()).toBe(true);
    // nested: the inner mode wins, the outer one comes back
    noGrad(() => {
      expect(withGradMode(true, () => x.mul(2).requiresGrad)).toBe(true);
      expect(x.mul(2).requiresGrad).toBe(false);
    });
  });

  test('detach() cuts the graph: same values, shared tensor, no gradient through it', () => {
    const x = f64([1.5, -2]);
    const d = x.detach();
    expect(d.data).toBe(x.data);
    expect(d.requiresGrad).toBe(false);
    expect(d.isLeaf).toBe(true);
    x.mul(d).sum().backward(); // d/dx (x·const) = const, not 2x
    expect(vals(x.grad)).toEqual([1.5, -2]);
  });

  test('comparisons (bool), argmax/argmin and casts to int32 never require grad', () => {
    const x = f64([1, 5, 3]);
    for (const op of COMPARE_OPS) {
      const r = (x as unknown as Record<string, (o: number) => Variable>)[op]!(3);
      expect(r.requiresGrad, op).toBe(false);
      expect(r.dtype).toBe('bool');
    }
    expect(vals(x.gt(2))).toEqual([0, 1, 1]);
    expect(x.argmax().requiresGrad).toBe(false);
    expect(vals(x.argmax())).toEqual([1]);
    expect(vals(x.argmin())).toEqual([0]);
    const i = x.mul(1.5).cast('int32');
    expect(i.requiresGrad).toBe(false);
    expect(vals(i)).toEqual([1, 7, 4]);
    expect(x.cast('float64')).toBe(x);
    expect(x.cast('float32').gradFn!.name).toBe('cast');
  });

  test('an int32 variable cannot require grad (PyTorch: only floating point tensors can)', () => {
    const message = /^requiresGrad: an int32 variable cannot require grad/;
    expect(() => variable(i32([[1, 2]]), { requiresGrad: true })).toThrow(DTypeError);
    expect(() => variable(i32([[1, 2]]), { requiresGrad: true })).toThrow(message);
    expect(() => new Variable(i32([[1]]), true)).toThrow(message);
    const v = variable(i32([[1]]));
    expect(() => (v.requiresGrad = true)).toThrow(message);
    expect(v.requiresGrad).toBe(false);
    v.requiresGrad = false;
    expect(() => variable(tensor([true]), { requiresGrad: true })).toThrow(
      /^requiresGrad: a bool variable cannot require grad/,
    );
    const f = variable(tensor([1.5]));
    f.requiresGrad = true;
    expect(f.requiresGrad).toBe(true);
  });

  test('ops mirror the Tensor API: every unary, binary and composite op, same values', () => {
    const t = tensor([[0.5, 1.25, 2], [0.75, 1.5, 0.25]], { dtype: 'float64' }); // prettier-ignore
    const u = tensor([1.5, 0.5, 1], { dtype: 'float64' });
    const x = variable(t, { requiresGrad: true });
    const call = (o: object, name: string, ...args: unknown[]) =>
      (o as Record<string, (...a: unknown[]) => Tensor | Variable>)[name]!(...args);
    for (const op of UNARY_OPS)
      expect(vals(call(x, op) as Variable), op).toEqual(vals(call(t, op) as Tensor));
    for (const op of BINARY_OPS) {
      expect(vals(call(x, op, variable(u)) as Variable), op).toEqual(
        vals(call(t, op, u) as Tensor),
      );
      expect(vals(call(x, op, u) as Variable), `${op} with a Tensor`).toEqual(
        vals(call(t, op, u) as Tensor),
      );
      expect(vals(call(x, op, 2) as Variable), `${op} with a number`).toEqual(
        vals(call(t, op, 2) as Tensor),
      );
    }
    for (const op of Object.keys(COMPOSITES)) {
      const out = call(x, op) as Variable;
      expect(out).toBeInstanceOf(Variable);
      expect(out.requiresGrad, op).toBe(true);
      expect(vals(out), op).toEqual(vals(call(t, op) as Tensor));
    }
  });

  test('views and reductions: shapes as on Tensor', () => {
    const x = variable(tensor([[[1, 2, 3]], [[4, 5, 6]]], { dtype: 'float64' }), {
      requiresGrad: true,
    }); // [2,1,3]
    expect(x.reshape([3, 2]).shape).toEqual([3, 2]);
    expect(x.permute(2, 0, 1).shape).toEqual([3, 2, 1]);
    expect(x.transpose(0, 2).shape).toEqual([3, 1, 2]);
    expect(x.expand([4, 2, 2, 3]).shape).toEqual([4, 2, 2, 3]);
    expect(x.squeeze().shape).toEqual([2, 3]);
    expect(x.squeeze(1).unsqueeze(-1).shape).toEqual([2, 3, 1]);
    expect(x.flatten().shape).toEqual([6]);
    expect(vals(x.slice([null, 0, [0, 3, 2]]))).toEqual([1, 3, 4, 6]);
    expect(vals(x.sum([0, 1]))).toEqual([5, 7, 9]);
    expect(vals(x.max(2))).toEqual([3, 6]);
    expect(vals(x.min())).toEqual([1]);
    expect(x.sum(2, true).shape).toEqual([2, 1, 1]);
  });

  test('ties: maximum/minimum and max()/amax share evenly, max(axis) selects (as in PyTorch)', () => {
    const a = f64([1, 2, 3]);
    const b = f64([1, 5, 0]);
    const [ga, gb] = grad(a.maximum(b).sum(), [a, b]);
    expect(vals(ga!)).toEqual([0.5, 0, 1]);
    expect(vals(gb!)).toEqual([0.5, 1, 0]);
    const [gm] = grad(a.minimum(b).sum(), [a]);
    expect(vals(gm!)).toEqual([0.5, 1, 0]);
    const x = f64([
      [1, 3, 3],
      [2, 0, 2],
    ]);
    const [gx] = grad(x.max(1).sum(), [x]);
    expect(vals(gx!)).toEqual([0, 1, 0, 1, 0, 0]); // max(dim): the first maximum, argmax's
    const [gl] = grad(x.max([1]).sum(), [x]);
    expect(vals(gl!)).toEqual([0, 0.5, 0.5, 0.5, 0, 0.5]); // amax(dim): split
    const [gy] = grad(x.min(), [x]);
    expect(vals(gy!)).toEqual([0, 0, 0, 0, 1, 0]);
  });

  test('a float64 0-d operand of a float32 result: float32 value, float64 gradient (PyTorch)', () => {
    const x = variable([1, 2, 3], { requiresGrad: true });
    const s = variable(tensor(2, { dtype: 'float64' }), { requiresGrad: true });
    const y = x.mul(s);
    expect(y.dtype).toBe('float32');
    const [gx, gs] = grad(y.sum(), [x, s]);
    expect(gx!.dtype).toBe('float32');
    expect(gs!.dtype).toBe('float64');
    expect(vals(gs!)).toEqual([6]);
    expect(vals(gx!)).toEqual([2, 2, 2]);
  });

  test('lift() wraps constants: numbers take the variable dtype', () => {
    const x = f64([1]);
    expect(lift(x, x)).toBe(x);
    expect(lift(2, x).dtype).toBe('float64');
    expect(lift(2.5, variable([1], { dtype: 'int32' })).dtype).toBe('float32');
    expect(lift(tensor([1]), x).requiresGrad).toBe(false);
  });

  test('toString names the node', () => {
    const x = f64([1]);
    expect(x.toString()).toMatch(/^Variable\(.*requiresGrad\)$/s);
    expect(x.exp().toString()).toMatch(/gradFn=exp\)$/);
  });
});

describe('where / concat / stack / scatterAdd / unslice', () => {
  test('where: values, and the gradient goes to the chosen side (broadcast back)', () => {
    const cond = i32([
      [1, 0, 1],
      [0, 0, 1],
    ]).ne(0);
    const a = f64([10, 20, 30]);
    const b = f64([[-1], [-2]]);
    const y = where(cond, a, b);
    expect(vals(y)).toEqual([10, -1, 30, -2, -2, 30]);
    const [ga, gb] = grad(y.sum(), [a, b]);
    expect(vals(ga!)).toEqual([1, 0, 2]); // how often each column was chosen
    expect(vals(gb!)).toEqual([1, 2]);
    const z = where(cond, a, 0);
    expect(vals(z)).toEqual([10, 0, 30, 0, 0, 30]);
  });

  test('concat and stack: values, and each input gets its slice of the gradient', () => {
    const a = f64([[1], [2]]);
    const b = f64([
      [3, 4],
      [5, 6],
    ]);
    const y = concat([a, b], 1);
    expect(y.shape).toEqual([2, 3]);
    expect(vals(y)).toEqual([1, 3, 4, 2, 5, 6]);
    const w = tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { dtype: 'float64' },
    );
    const [ga, gb] = grad(y.mul(w).sum(), [a, b]);
    expect(vals(ga!)).toEqual([1, 4]);
    expect(vals(gb!)).toEqual([2, 3, 5, 6]);

    const p = f64([1, 2]);
    const q = f64([3, 4]);
    const s = stack([p, q], 1);
    expect(s.shape).toEqual([2, 2]);
    expect(vals(s)).toEqual([1, 3, 2, 4]);
    const [gp, gq] = grad(
      s
        .mul(
          tensor(
            [
              [1, 2],
              [3, 4],
            ],
            { dtype: 'float64' },
          ),
        )
        .sum(),
      [p, q],
    );
    expect(vals(gp!)).toEqual([1, 3]);
    expect(vals(gq!)).toEqual([2, 4]);
    expect(() => concat([])).toThrow(/at least one/);
  });

  test('scatterAdd sums repeated indices; its gradient gathers', () => {
    const src = f64([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const index = i32([
      [0, 0, 3],
      [1, 2, 1],
    ]);
    const y = scatterAdd([2, 4], 1, index, src);
    expect(vals(y)).toEqual([3, 0, 0, 3, 0, 10, 5, 0]);
    const w = tensor(
      [
        [1, 2, 3, 4],
        [5, 6, 7, 8],
      ],
      { dtype: 'float64' },
    );
    const [g] = grad(y.mul(w).sum(), [src]);
    expect(vals(g!)).toEqual([1, 1, 4, 6, 7, 6]);
  });

  test('gather picks along an axis; its gradient scatter-adds (repeated indices add up)', () => {
    const x = f64([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ]);
    const y = x.gather(
      1,
      i32([
        [0, 0, 3],
        [1, 2, 1],
      ]),
    );
    expect(vals(y)).toEqual([1, 1, 4, 6, 7, 6]);
    const [g] = grad(y.sum(), [x]);
    expect(vals(g!)).toEqual([2, 0, 0, 1, 0, 2, 1, 0]);
  });

  test('unslice writes into zeros where slice would read; its gradient slices', () => {
    const x = f64([
      [1, 2],
      [3, 4],
    ]);
    const y = unslice(
      x,
      [3, 4],
      [
        [1, 3],
        [0, 4, 2],
      ],
    );
    expect(vals(y)).toEqual([0, 0, 0, 0, 1, 0, 2, 0, 3, 0, 4, 0]);
    const w = tensor(
      [
        [1, 2, 3, 4],
        [5, 6, 7, 8],
        [9, 10, 11, 12],
      ],
      { dtype: 'float64' },
    );
    const [g] = grad(y.mul(w).sum(), [x]);
    expect(vals(g!)).toEqual([5, 7, 9, 11]);
    expect(() => unslice(x, [3, 4], [[0, 1]])).toThrow(/does not fit slice/);
  });
});

describe('relu backward is PyTorch’s threshold_backward', () => {
  // torch.autograd.grad(torch.relu(x), x, g) in PyTorch 1.13, float64, for x = [-1, 0, 2, nan] and
  // g = [nan, inf, 3, 4]: [0, 0, 3, 4], with create_graph=True or not (0 where relu(x) <= 0 whatever
  // the gradient; g where relu(x) is NaN)
  for (const createGraph of [false, true])
    test(`a NaN or infinite gradient where x <= 0 gives 0, a NaN x passes g (createGraph ${createGraph})`, () => {
      const x = new Variable(tensor([-1, 0, 2, NaN], { dtype: 'float64' }), true);
      const g = tensor([NaN, Infinity, 3, 4], { dtype: 'float64' });
      const [gx] = grad(x.relu(), [x], { gradOutputs: [g], createGraph });
      expect(vals(gx!)).toEqual([0, 0, 3, 4]);
    });
});

describe("softmaxCrossEntropy's reduction", () => {
  const logits = [
    [0.5, -1, 2, 0.25],
    [3, 0.1, -0.7, 1],
    [-2, 0, 1.5, 0.3],
  ];
  const labels = tensor([2, 0, 3], { dtype: 'int32' });

  test('mean and sum are those of the rows, as one node, with the same gradient', () => {
    for (const reduction of ['mean', 'sum'] as const) {
      const a = f64(logits);
      const rows = softmaxCrossEntropy(a, labels);
      const composed = reduction === 'mean' ? rows.mean() : rows.sum();
      const b = f64(logits);
      const fused = softmaxCrossEntropy(b, labels, reduction);
      expect(fused.shape).toEqual([]);
      expect(vals(fused)).toEqual(vals(composed));
      expect(fused.gradFn?.name).toBe('softmaxCrossEntropy');
      expect(fused.gradFn?.next[0]).toBe(b); // straight to the logits: no mean or sum node
      composed.backward();
      fused.backward();
      expect(vals(b.grad)).toEqual(vals(a.grad));
    }
  });

  test('float32, and an empty batch: a NaN mean and a zero sum, as in PyTorch', () => {
    const x = variable(tensor(logits), { requiresGrad: true });
    const composed = softmaxCrossEntropy(x, labels).mean();
    expect(vals(softmaxCrossEntropy(x, labels, 'mean'))).toEqual(vals(composed));
    const empty = variable(tensor([], { shape: [0, 4] }), { requiresGrad: true });
    const none = tensor([], { dtype: 'int32' });
    expect(vals(softmaxCrossEntropy(empty, none, 'mean'))[0]).toBeNaN();
    const sum = softmaxCrossEntropy(empty, none, 'sum');
    expect(vals(sum)).toEqual([0]);
    sum.backward();
    expect(empty.grad?.shape).toEqual([0, 4]);
  });

  test('Tensors in, a reduced Tensor out; an unknown reduction is refused', () => {
    const x = tensor(logits);
    expect(Array.from(softmaxCrossEntropy(x, labels, 'sum').dataSync())).toEqual(
      Array.from(softmaxCrossEntropy(x, labels).sum().dataSync()),
    );
    expect(() => softmaxCrossEntropy(x, labels, 'avg' as 'mean')).toThrow(
      /softmaxCrossEntropy.*unknown reduction 'avg'/,
    );
  });
});
