// Leaf gradients that only backward held are given back to the CPU backend when cleared (zeroGrad),
// so the next backward reuses their memory; a gradient that user code saw, or that two leaves
// share, must keep its values. Gradients between nodes go back as soon as backward has used them.
// Values are checked against sums computed here by hand.
import { cpu } from '@nablajs/backend-cpu';
import { DisposedError, type Tensor, tensor, useBackend, zeros } from '@nablajs/tensor';
import { expect, test } from 'vitest';
import { Variable, customFunction, grad, variable, zeroGrad } from './index.js';

useBackend(cpu());

/** A float32 leaf of `n` values 1, 2, …, n times `scale`, shaped [n]. */
const leaf = (n: number, scale = 1) =>
  variable(tensor(Array.from({ length: n }, (_, i) => (i + 1) * scale)), { requiresGrad: true });
const vals = (t: Tensor | null) => Array.from(t!.dataSync());
/** Whether two tensors' storages are the same memory (a CPU typed array's region). */
const sameMemory = (a: Tensor, b: Tensor) => {
  const [x, y] = [a.storage as Float32Array, b.storage as Float32Array];
  return x.buffer === y.buffer && x.byteOffset === y.byteOffset;
};
/** ∂/∂w of Σ (w·c)² is 2c²w: a fresh gradient of w's size made by the rules. */
const squareLoss = (w: Variable, c: number) => w.mul(c).square().sum();
const expected = (n: number, scale: number, c: number) =>
  Array.from({ length: n }, (_, i) => 2 * c * c * (i + 1) * scale);

test('a gradient nobody read goes back to the backend at zeroGrad, and backward stays right', () => {
  const w = leaf(37);
  squareLoss(w, 2).backward();
  const first = w._grad!;
  expect(w._gradOwned).toBe(true);
  w.zeroGrad();
  expect(first.isDisposed).toBe(true);
  // the next result of that size takes the memory, zeroed
  const next = zeros([37]);
  expect(sameMemory(next, first)).toBe(true);
  expect(vals(next)).toEqual(Array(37).fill(0));
  squareLoss(w, 3).backward();
  expect(vals(w.grad)).toEqual(expected(37, 1, 3));
  // reading .grad counts as seen: no longer owned, so zeroGrad leaves it alone
  expect(w._gradOwned).toBe(false);
});

test('a gradient the user read keeps its values through zeroGrad and later steps', () => {
  const w = leaf(41);
  squareLoss(w, 2).backward();
  const kept = w.grad!;
  zeroGrad([w]);
  for (const c of [3, 4, 5]) {
    squareLoss(w, c).backward();
    w.zeroGrad();
  }
  expect(kept.isDisposed).toBe(false);
  expect(vals(kept)).toEqual(expected(41, 1, 2));
});

test('accumulating two backwards gives the sum, and the replaced gradient is reused', () => {
  const w = leaf(43);
  squareLoss(w, 1).backward();
  const first = w._grad!;
  squareLoss(w, 2).backward();
  expect(first.isDisposed).toBe(true);
  expect(w._gradOwned).toBe(true);
  expect(sameMemory(zeros([43]), first)).toBe(true); // given back
  // the sum (a tensor of its own, its storage's only one) goes back at zeroGrad as well
  const sumTensor = w._grad!;
  w.zeroGrad();
  expect(sameMemory(zeros([43]), sumTensor)).toBe(true);
  squareLoss(w, 1).backward();
  squareLoss(w, 2).backward();
  const sum = expected(43, 1, 1).map((v, i) => v + expected(43, 1, 2)[i]!);
  expect(vals(w.grad)).toEqual(sum);
});

test('two leaves given one gradient (a + b) do not recycle it: b keeps its gradient', () => {
  const a = leaf(47);
  const b = leaf(47, 2);
  a.add(b).mul(3).sum().backward(); // both get the same tensor of 3s
  a.zeroGrad();
  for (const c of [2, 5]) {
    const w = leaf(47);
    squareLoss(w, c).backward();
    w.zeroGrad();
  }
  expect(vals(b.grad)).toEqual(Array(47).fill(3));
});

test('gradients that hooks, retainGrad or a custom backward saw are never recycled', () => {
  const stash: Tensor[] = [];
  // a hook on an intermediate whose gradient reaches the leaf as a view (reshape)
  const w1 = leaf(53);
  const h = w1.reshape([53, 1]).mul(2);
  h.registerHook((g) => void stash.push(g.data));
  const r = h.reshape([53]);
  r.retainGrad();
  r.mul(r).sum().backward();
  // a hook on the leaf itself
  const w2 = leaf(53);
  w2.registerHook((g) => void stash.push(g.data));
  w2.mul(4).sum().backward();
  // a custom function's backward that keeps what it returns
  const twice = customFunction({
    forward: (_ctx, x) => x.mul(2),
    backward: (_ctx, g) => {
      const out = g.mul(2);
      stash.push(out);
      return out;
    },
  });
  const w3 = leaf(53);
  twice(w3).sum().backward();
  const copies = stash.map(vals);
  const retained = vals(r._grad);
  zeroGrad([w1, w2, w3]);
  for (const c of [2, 3, 4, 5]) {
    const w = leaf(53);
    squareLoss(w, c).backward();
    w.zeroGrad();
  }
  expect(stash.map(vals)).toEqual(copies);
  expect(vals(r.grad)).toEqual(retained);
});

test('a gradient the user passed to backward is not recycled with the leaf that got it', () => {
  const w = leaf(59);
  const seed = tensor(Array.from({ length: 59 }, (_, i) => i));
  w.backward(seed);
  w.zeroGrad();
  squareLoss(leaf(59), 2).backward();
  expect(vals(seed)).toEqual(Array.from({ length: 59 }, (_, i) => i));
});

test('createGraph gradients are not owned', () => {
  const w = leaf(61);
  squareLoss(w, 2).backward({ createGraph: true });
  expect(w._gradOwned).toBe(false);
});

test('a view of recycled storage raises a DisposedError instead of reading reused memory', () => {
  const w = leaf(67);
  squareLoss(w, 2).backward();
  const view = w._grad!.reshape([67, 1]);
  w.zeroGrad();
  expect(() => view.add(1)).toThrow(DisposedError);
});

test('a gradient between nodes goes back once its node has used it, and values stay right', () => {
  // x·2 → square → sum: square's rule gets a gradient of 71 made by sum's rule and makes a new one,
  // so the gradient it got goes back before mul's rule runs (and mul's result can take it)
  const w = leaf(71);
  const hooked: Tensor[] = [];
  const y = w.mul(2);
  y.square().sum().backward();
  expect(vals(w.grad)).toEqual(expected(71, 1, 2));
  // a gradient a rule passes on unchanged to two inputs (a + a) is used twice, then given back
  const a = leaf(71);
  const s = a.mul(3);
  s.add(s).relu().sum().backward();
  expect(vals(a.grad)).toEqual(Array(71).fill(6));
  // one a hook saw keeps its values through later steps
  const b = leaf(71);
  const t = b.mul(2);
  t.registerHook((g) => void hooked.push(g.data));
  t.mul(5).sum().backward();
  for (const c of [2, 3]) squareLoss(leaf(71), c).backward();
  expect(vals(hooked[0]!)).toEqual(Array(71).fill(5));
  expect(vals(b.grad)).toEqual(Array(71).fill(10));
});

test('grad() does not give back the gradients it returns', () => {
  const w = leaf(73);
  const h = w.mul(2);
  const [gh] = grad(h.square().sum(), h);
  for (const c of [2, 3]) squareLoss(leaf(73), c).backward();
  expect(vals(gh!.data)).toEqual(Array.from({ length: 73 }, (_, i) => 4 * (i + 1)));
});
