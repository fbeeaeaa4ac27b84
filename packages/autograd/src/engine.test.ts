// backward() and grad(): order, accumulation, freeing, retainGraph, errors, higher order, hooks.
import { cpu } from '@nablajs/backend-cpu';
import {
  DisposedError,
  NablaError,
  ShapeError,
  type Tensor,
  tensor,
  useBackend,
} from '@nablajs/tensor';
import { describe, expect, test } from 'vitest';
import { type FunctionNode, Variable, backward, grad, variable, zeroGrad } from './index.js';

useBackend(cpu());

const f64 = (data: number[] | number[][], requiresGrad = true, name?: string) =>
  variable(tensor(data, { dtype: 'float64' }), { requiresGrad, name });
const vals = (t: Tensor | Variable | null) => {
  expect(t).not.toBeNull();
  return Array.from((t instanceof Variable ? t.data : t!).dataSync());
};
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-12) {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++)
    expect(
      Math.abs(actual[i]! - expected[i]!),
      `entry ${i}: ${actual[i]} vs ${expected[i]}`,
    ).toBeLessThanOrEqual(tol);
}
const sig = (a: number) => 1 / (1 + Math.exp(-a));

/** Every function node reachable from `v`. */
function nodesOf(v: Variable): FunctionNode[] {
  const out: FunctionNode[] = [];
  const todo = v.gradFn ? [v.gradFn] : [];
  while (todo.length) {
    const n = todo.pop()!;
    if (out.includes(n)) continue;
    out.push(n);
    for (const e of n.next) if (e && !(e instanceof Variable)) todo.push(e);
  }
  return out;
}

describe('backward', () => {
  test("the lecture's single layer: gradients are the hand-derived ones", () => {
    const xs = [0.5, -1.5];
    const Ws = [[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]]; // prettier-ignore
    const cs = [1, 0, 1];
    const x = f64(xs, false, 'x');
    const W = f64(Ws, true, 'W');
    const c = f64(cs, false, 'c');
    const a = W.matmul(x);
    const y = a.sigmoid();
    const loss = y.sub(c).square().sum();
    loss.backward();
    // ∂l/∂W[i][j] = 2(yᵢ − cᵢ)·yᵢ(1 − yᵢ)·xⱼ
    const ys = Ws.map((row) => sig(row[0]! * xs[0]! + row[1]! * xs[1]!));
    const expected = ys.flatMap((yi, i) => xs.map((xj) => 2 * (yi - cs[i]!) * yi * (1 - yi) * xj));
    expectClose(vals(W.grad), expected);
    expectClose(vals(loss), [ys.reduce((s, yi, i) => s + (yi - cs[i]!) ** 2, 0)]);
    expect(x.grad).toBeNull(); // inputs that do not require grad get none
    expect(a.grad).toBeNull(); // nor do non-leaves (without retainGrad)
  });

  test('runs in reverse topological order: a node waits for every consumer of its output', () => {
    // x → a = exp(x) → c = a·b, b = sin(x); d = c + a; loss = Σd. a is used by c and by d.
    const x = f64([0.3, -0.7]);
    const seen: string[] = [];
    const a = x.exp();
    const b = x.sin();
    const c = a.mul(b);
    const d = c.add(a);
    const loss = d.sum();
    for (const [name, v] of Object.entries({ a, b, c, d }))
      v.registerHook(() => {
        seen.push(name);
      });
    loss.backward();
    expect(seen).toHaveLength(4); // each once, with its gradient complete
    const at = (n: string) => seen.indexOf(n);
    expect(at('d')).toBeLessThan(at('c'));
    expect(at('c')).toBeLessThan(at('a'));
    expect(at('d')).toBeLessThan(at('a'));
    expect(at('c')).toBeLessThan(at('b'));
    // d/dx (eˣ sin x + eˣ) = eˣ(sin x + cos x + 1)
    expectClose(
      vals(x.grad),
      [0.3, -0.7].map((v) => Math.exp(v) * (Math.sin(v) + Math.cos(v) + 1)),
    );
  });

  test('a variable used several times accumulates its gradient', () => {
    const x = f64([2, -3]);
    x.mul(x).add(x).sum().backward(); // x² + x → 2x + 1
    expectClose(vals(x.grad), [5, -5]);
    const y = f64([1.5]);
    y.add(y).add(y).mul(y).sum().backward(); // 3y² → 6y
    expectClose(vals(y.grad), [9]);
  });

  test('.grad accumulates over backward calls until zeroGrad', () => {
    const x = f64([1, 2]);
    x.square().sum().backward();
    x.square().sum().backward();
    expectClose(vals(x.grad), [4, 8]);
    zeroGrad([x]);
    expect(x.grad).toBeNull();
    x.mul(3).sum().backward();
    expectClose(vals(x.grad), [3, 3]);
    x.zeroGrad();
    expect(x.grad).toBeNull();
  });

  test('saved tensors are freed as backward passes; retainGraph keeps them', () => {
    const x = f64([0.5, 1.5]);
    const loss = x.exp().mul(x).sum();
    const nodes = nodesOf(loss);
    expect(nodes.map((n) => n.name).sort()).toEqual(['exp', 'mul', 'sum']);
    expect(nodes.every((n) => n.saved !== null)).toBe(true);
    loss.backward();
    expect(nodes.every((n) => n.saved === null)).toBe(true);

    const z = f64([0.5, 1.5]);
    const kept = z.exp().mul(z).sum();
    kept.backward(undefined, { retainGraph: true });
    expect(nodesOf(kept).every((n) => n.saved !== null)).toBe(true);
    const once = vals(z.grad);
    kept.backward(); // second pass through the same graph: the gradient doubles
    expectClose(
      vals(z.grad),
      once.map((g) => 2 * g),
    );
    expectClose(
      once,
      [0.5, 1.5].map((v) => Math.exp(v) * (1 + v)),
    ); // d/dx x·eˣ
    expect(nodesOf(kept).every((n) => n.saved === null)).toBe(true);
  });

  test('backward through a freed graph raises a clear error', () => {
    const x = f64([1, 2]);
    const loss = x.square().sum();
    loss.backward();
    expect(() => loss.backward()).toThrow(DisposedError);
    expect(() => loss.backward()).toThrow(
      /already freed by an earlier backward.*retainGraph: true/,
    );
  });

  test('a non-scalar output needs a gradient: a clear error without one, a vector-Jacobian product with one', () => {
    const x = f64([1, 2, 3]);
    const y = x.square();
    expect(() => y.backward()).toThrow(ShapeError);
    expect(() => y.backward()).toThrow(/output \[3\] is not a scalar.*pass a gradient/);
    expect(() => y.backward(tensor([1, 1], { dtype: 'float64' }))).toThrow(
      /gradient \[2\] does not match output \[3\]/,
    );
    y.backward(tensor([1, 0.5, -1], { dtype: 'float64' }));
    expectClose(vals(x.grad), [2, 2, -6]); // 2x·v
    const s = f64([2]).sum();
    expect(s.shape).toEqual([]);
    const z = f64([2, 4]);
    z.square().sum().backward(3); // a number scales the seed
    expectClose(vals(z.grad), [12, 24]);
  });

  test('an output that does not require grad raises a clear error', () => {
    const y = f64([1, 2], false).mul(2).sum();
    expect(y.requiresGrad).toBe(false);
    expect(() => y.backward()).toThrow(/does not require grad/);
  });

  test('backward() of several outputs at once sums their contributions', () => {
    const x = f64([1, 2]);
    backward(
      [x.square().sum(), x.mul(x.mul(0).add(5))],
      [undefined, tensor([1, 2], { dtype: 'float64' })],
    );
    expectClose(vals(x.grad), [2 + 5, 4 + 10]);
  });

  test('a leaf that requires grad can itself be the output', () => {
    const x = f64([4]);
    x.sum().backward();
    expectClose(vals(x.grad), [1]);
  });

  test('a long chain back-propagates through every node', () => {
    const x = f64([1]);
    let y = x;
    for (let i = 0; i < 300; i++) y = y.mul(1.001);
    y.sum().backward();
    expectClose(vals(x.grad), [1.001 ** 300], 1e-12);
  });
});

describe('grad()', () => {
  test("returns the gradients (Theano's T.grad) without touching .grad", () => {
    const x = f64([1, 2]);
    const w = f64([3, -1]);
    const [gx, gw] = grad(x.mul(w).sum(), [x, w]);
    expectClose(vals(gx!), [3, -1]);
    expectClose(vals(gw!), [1, 2]);
    expect(x.grad).toBeNull();
    expect(w.grad).toBeNull();
    expect(gx!.requiresGrad).toBe(false); // without createGraph: plain values
  });

  test('with respect to a non-leaf, and from several outputs with gradOutputs', () => {
    const x = f64([1, 2]);
    const h = x.mul(2);
    const [gh] = grad(h.square().sum(), [h]);
    expectClose(vals(gh!), [4, 8]); // 2h
    const [gx] = grad([x.sum(), x.square()], [x], {
      gradOutputs: [undefined, tensor([1, -1], { dtype: 'float64' })],
    });
    expectClose(vals(gx!), [1 + 2, 1 - 4]);
  });

  test('unused inputs raise unless allowUnused, which gives zeros', () => {
    const x = f64([1, 2]);
    const u = f64([5, 6, 7]);
    expect(() => grad(x.sum(), [x, u])).toThrow(/input 1 \[3\] is not used.*allowUnused/);
    const [gx, gu] = grad(x.square().sum(), [x, u], { allowUnused: true });
    expectClose(vals(gx!), [2, 4]);
    expectClose(vals(gu!), [0, 0, 0]);
  });

  test('an unused input raises before anything is freed: the graph can still be used', () => {
    const x = f64([1, 2]);
    const u = f64([5, 6, 7]);
    const y = x.exp().mul(u.sum().detach()).sum(); // u is cut off by detach
    expect(() => grad(y, [x, u])).toThrow(/input 1 \[3\] is not used/);
    const [g] = grad(y, [x]);
    expectClose(vals(g!), [18 * Math.E, 18 * Math.exp(2)], 1e-9);
    // an input that is an intermediate of another graph is unused too
    const other = f64([3]).mul(2);
    const z = x.square().sum();
    expect(() => grad(z, [other])).toThrow(/input 0 \[1\] is not used/);
    expectClose(vals(grad(z, [x])[0]!), [2, 4]);
  });

  test('retainGraph lets grad run twice through one graph', () => {
    const x = f64([1, 2]);
    const y = x.exp().sum();
    grad(y, [x], { retainGraph: true });
    const [g] = grad(y, [x]);
    expectClose(vals(g!), [Math.E, Math.exp(2)]);
    expect(() => grad(y, [x])).toThrow(DisposedError);
  });

  test('backward(options) takes the options without a gradient, as PyTorch keywords do', () => {
    const x = f64([1, 2]);
    const y = x.pow(3).sum();
    y.backward({ retainGraph: true });
    expectClose(vals(x.grad), [3, 12]);
    y.backward({ createGraph: true });
    expectClose(vals(x.grad), [6, 24]);
    // a gradient that is not a Variable, Tensor or number is a typed error naming the op
    const z = x.square();
    expect(() => z.backward('ones' as never)).toThrow(NablaError);
    expect(() => z.backward('ones' as never)).toThrow(
      /^backward: gradient must be a Variable, a Tensor or a number, got string/,
    );
    expect(() => tensor([1]).mul({} as never)).toThrow(/^mul: expects Tensors, got an object/);
  });

  test('createGraph: d²/dx² x³ = 6x, and d³/dx³ x³ = 6', () => {
    const xs = [-1.5, 0.5, 2];
    const x = f64(xs);
    const [d1] = grad(x.pow(3).sum(), [x], { createGraph: true });
    expect(d1!.requiresGrad).toBe(true);
    expectClose(
      vals(d1!),
      xs.map((v) => 3 * v * v),
    );
    const [d2] = grad(d1!.sum(), [x], { createGraph: true });
    expectClose(
      vals(d2!),
      xs.map((v) => 6 * v),
    );
    const [d3] = grad(d2!.sum(), [x]);
    expectClose(vals(d3!), [6, 6, 6]);
  });

  test("createGraph: the sigmoid's second derivative σ(1−σ)(1−2σ)", () => {
    const xs = [-2, 0.3, 1.7];
    const x = f64(xs);
    const [d1] = grad(x.sigmoid().sum(), [x], { createGraph: true });
    const [d2] = grad(d1!.sum(), [x]);
    expectClose(
      vals(d2!),
      xs.map((v) => sig(v) * (1 - sig(v)) * (1 - 2 * sig(v))),
    );
  });

  test('Hessian-vector product: for f(x) = ½ xᵀAx with A symmetric, Hv = Av', () => {
    const A = [[2, -1, 0.5], [-1, 3, 0.25], [0.5, 0.25, 1]]; // prettier-ignore
    const vs = [0.7, -1.2, 2];
    const a = f64(A, false);
    const x = f64([0.3, -0.8, 1.1]);
    const v = f64(vs, false);
    const f = x.matmul(a.matmul(x)).mul(0.5);
    const [g] = grad(f, [x], { createGraph: true }); // ∇f = Ax
    const [hv] = grad(g!.mul(v).sum(), [x]);
    expectClose(
      vals(hv!),
      A.map((row) => row.reduce((s, aij, j) => s + aij * vs[j]!, 0)),
    );
  });

  test('mixed second partials: ∂²(x·y²)/∂x∂y = 2y', () => {
    const x = f64([1.5]);
    const y = f64([-2]);
    const [gx] = grad(x.mul(y.square()).sum(), [x], { createGraph: true });
    const [gxy] = grad(gx!.sum(), [y]);
    expectClose(vals(gxy!), [-4]);
  });
});

describe('retainGrad and hooks', () => {
  test('retainGrad keeps the gradient of a non-leaf', () => {
    const x = f64([1, 2]);
    const h = x.mul(3).retainGrad();
    const k = x.mul(4);
    h.square().add(k).sum().backward();
    expectClose(vals(h.grad), [6, 12]); // 2h
    expect(k.grad).toBeNull();
    expect(h.isLeaf).toBe(false);
  });

  test('a hook sees the gradient of a non-leaf, may replace it, and can be removed', () => {
    const x = f64([1, -2]);
    const seen: number[][] = [];
    const run = () => {
      x.zeroGrad();
      const h = x.square();
      const remove = h.registerHook((g) => {
        seen.push(vals(g));
        return g.mul(10);
      });
      return { h, remove };
    };
    let { h, remove } = run();
    h.mul(3).sum().backward();
    expect(seen).toEqual([[3, 3]]);
    expectClose(vals(x.grad), [60, -120]); // 10·3·2x
    ({ h, remove } = run());
    remove();
    h.mul(3).sum().backward();
    expect(seen).toHaveLength(1);
    expectClose(vals(x.grad), [6, -12]);
  });

  test('a hook returning nothing leaves the gradient as it is; retainGrad stores the replaced one', () => {
    const x = f64([2]);
    const h = x.mul(5).retainGrad();
    let calls = 0;
    h.registerHook(() => {
      calls++;
    });
    h.registerHook((g) => g.neg());
    h.sum().backward();
    expect(calls).toBe(1);
    expectClose(vals(h.grad), [-1]);
    expectClose(vals(x.grad), [-5]);
  });

  test('a leaf hook runs once, on the summed gradient of all its uses', () => {
    const x = f64([3]);
    const seen: number[][] = [];
    x.registerHook((g) => {
      seen.push(vals(g));
      return g.mul(2);
    });
    x.mul(x).add(x).sum().backward(); // 2x + 1 = 7
    expect(seen).toEqual([[7]]);
    expectClose(vals(x.grad), [14]);
  });

  test('hooks also run under grad()', () => {
    const x = f64([1, 2]);
    const h = x.mul(2);
    h.registerHook((g) => g.mul(0));
    const [gx] = grad(h.add(x).sum(), [x]);
    expectClose(vals(gx!), [1, 1]);
  });
});

describe('in-place modification of saved tensors', () => {
  test('assign() on a tensor saved for backward raises a clear error at backward', () => {
    const x = f64([1, 2]);
    const y = x.exp(); // saves x and y
    const loss = y.sum();
    x.data.assign(tensor([5, 5], { dtype: 'float64' }));
    expect(() => loss.backward()).toThrow(DisposedError);
    const z = f64([1, 2]);
    const w = z.square().sum();
    z.data.reshape([2, 1]).assign(0); // through a view of the same storage
    expect(() => w.backward()).toThrow(
      /saved by square was modified in place after it was saved \(version 1, expected 0\)/,
    );
  });

  test('updating a parameter after backward is fine, and the next forward sees the new value', () => {
    const x = f64([1, 2]);
    x.square().sum().backward();
    x.data.assign(x.data.sub(x.grad!.mul(0.25))); // x − ¼·2x = x/2
    expectClose(vals(x), [0.5, 1]);
    x.zeroGrad();
    x.square().sum().backward();
    expectClose(vals(x.grad), [1, 2]);
  });
});
