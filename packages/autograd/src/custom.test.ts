// customFunction: "coding your own function node", a forward on tensors and its local backward.
import { cpu } from '@nablajs/backend-cpu';
import { type Tensor, tensor, useBackend } from '@nablajs/tensor';
import { describe, expect, test } from 'vitest';
import { Variable, customFunction, grad, gradcheck, noGrad, variable } from './index.js';

useBackend(cpu());

const f64 = (data: number[], requiresGrad = true) =>
  variable(tensor(data, { dtype: 'float64' }), { requiresGrad });
const vals = (t: Tensor | Variable | null) => {
  expect(t).not.toBeNull();
  return Array.from((t instanceof Variable ? t.data : t!).dataSync());
};
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-12) {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++)
    expect(Math.abs(actual[i]! - expected[i]!), `entry ${i}`).toBeLessThanOrEqual(tol);
}

/** x³, with its local gradient 3x². */
const cube = customFunction({
  name: 'cube',
  forward(ctx, x) {
    ctx.saveForBackward(x);
    return x.mul(x).mul(x);
  },
  backward(ctx, g) {
    const [x] = ctx.saved;
    return g.mul(x!.square().mul(3));
  },
});

/** max(x, 0), saving the mask of positive entries. */
const relu = customFunction({
  name: 'myRelu',
  forward(ctx, x) {
    const mask = x.gt(0).cast(x.dtype);
    ctx.saveForBackward(mask);
    return x.mul(mask);
  },
  backward(ctx, g) {
    return [g.mul(ctx.saved[0]!)];
  },
});

describe('customFunction', () => {
  test('a custom cube: forward values, a node named after it, hand-derived and checked gradients', () => {
    const xs = [-1.5, 0.5, 2];
    const x = f64(xs);
    const y = cube(x);
    expectClose(
      vals(y),
      xs.map((v) => v ** 3),
    );
    expect(y.requiresGrad).toBe(true);
    expect(y.gradFn!.name).toBe('cube');
    // inside a graph: d/dx Σ cube(2x)·x = Σ 3(2x)²·2·x + (2x)³ = 32x³
    cube(x.mul(2)).mul(x).sum().backward();
    expectClose(
      vals(x.grad),
      xs.map((v) => 32 * v ** 3),
      1e-10,
    );
    expect(gradcheck(cube, [f64(xs)])).toBe(true);
  });

  test('a custom ReLU: gradient is the saved mask', () => {
    const x = f64([-1, 0.5, 2, -0.25]);
    const y = relu(x);
    expectClose(vals(y), [0, 0.5, 2, 0]);
    const [g] = grad(y.mul(tensor([1, 2, 3, 4], { dtype: 'float64' })).sum(), [x]);
    expect(vals(g!)).toEqual([0, 2, 3, 0]);
    expect(gradcheck(relu, [f64([-1, 0.5, 2, -0.25])])).toBe(true);
  });

  test('needsInputGrad says which inputs want a gradient; null leaves one out', () => {
    const seen: boolean[][] = [];
    const scale = customFunction({
      forward(ctx, x, s) {
        seen.push([...ctx.needsInputGrad]);
        ctx.saveForBackward(x, s);
        return x.mul(s);
      },
      backward(ctx, g) {
        const [x, s] = ctx.saved;
        return [
          ctx.needsInputGrad[0] ? g.mul(s!) : null,
          ctx.needsInputGrad[1] ? g.mul(x!).sum() : null,
        ];
      },
    });
    const x = f64([1, 2, 3]);
    const s = f64([4], false);
    const y = scale(x, s);
    expect(y.gradFn!.name).toBe('custom'); // the default name
    y.sum().backward();
    expect(seen).toEqual([[true, false]]);
    expect(vals(x.grad)).toEqual([4, 4, 4]);
    expect(s.grad).toBeNull();
    const t = f64([4]);
    scale(f64([1, 2, 3], false), t)
      .sum()
      .backward();
    expect(seen[1]).toEqual([false, true]);
    expect(vals(t.grad)).toEqual([6]);
  });

  test('numbers and tensors are accepted as constant inputs', () => {
    const mulAdd = customFunction({
      forward(_ctx, x, k, b) {
        return x.mul(k).add(b);
      },
      backward(ctx, g) {
        return [g.mul(2), null, null];
      },
    });
    const x = f64([1, 2]);
    const y = mulAdd(x, 2, tensor([10, 20], { dtype: 'float64' }));
    expect(vals(y)).toEqual([12, 24]);
    y.sum().backward();
    expect(vals(x.grad)).toEqual([2, 2]);
  });

  test('no node is recorded under noGrad or when no input requires grad', () => {
    const x = f64([1, 2]);
    const y = noGrad(() => cube(x));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(vals(y)).toEqual([1, 8]);
    expect(cube(f64([1, 2], false)).gradFn).toBeNull();
  });

  test('saved tensors are released after backward, as for built-in ops', () => {
    const x = f64([1, 2]);
    const y = cube(x);
    const node = y.gradFn!;
    y.sum().backward();
    expect(node.saved).toBeNull();
    expect(() => y.sum().backward()).toThrow(/already freed/);
  });
});
