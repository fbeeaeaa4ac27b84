// The README's examples, run as tests. The code between `README:<name>` markers must appear in
// README.md verbatim as a ```ts block (dedented), so the README cannot drift from code that runs.
// README:imports
import { cpu } from '@nablajs/backend-cpu';
import { rand, tensor, useBackend, zeros } from '@nablajs/tensor';
import { type Variable, grad, noGrad, toMermaid, variable } from '@nablajs/autograd';

useBackend(cpu());
// README:end
import { readFileSync } from 'node:fs';
import { describe, expect, test, vi } from 'vitest';

const source = readFileSync(new URL(import.meta.url), 'utf8');
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The lines between `// README:<name>` and `// README:end`, with their common indent removed. */
function region(name: string): string {
  const lines = source.split('\n');
  const start = lines.findIndex((l) => l.trim() === `// README:${name}`);
  const end = lines.findIndex((l, i) => i > start && l.trim() === '// README:end');
  expect(start, `marker README:${name}`).toBeGreaterThanOrEqual(0);
  const body = lines.slice(start + 1, end);
  const indent = Math.min(...body.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
  return body.map((l) => l.slice(indent)).join('\n');
}

/** The ```ts blocks of the README. */
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!.trimEnd());

describe('README', () => {
  test('keeps the install line, shows the imports the examples run with, has no placeholder left', () => {
    expect(readme).toContain('npm i @nablajs/autograd');
    expect(blocks).toContain(region('imports'));
    expect(readme).not.toMatch(/## Example\s*$/); // the placeholder the package started with
  });

  test('quick start: the single-layer network, backward and its graph', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    // README:single-layer
    // the lecture's single-layer network: a = W·x, y = σ(a), and a loss against the label c
    const x = variable(tensor([[0.5], [-1.5]]), { name: 'x' });
    const W = variable(
      tensor([
        [0.1, -0.2],
        [0.3, 0.4],
        [-0.5, 0.6],
      ]),
      { requiresGrad: true, name: 'W' },
    );
    const c = variable(tensor([[1], [0], [1]]), { name: 'c' });

    const y = W.matmul(x).sigmoid(); // forward: records a matmul node and a sigmoid node
    const loss = y.sub(c).square().sum();
    loss.backward(); // backward: the function nodes in reverse topological order

    console.log(W.grad!.toString()); // ∂loss/∂W, a [3, 2] tensor
    console.log(toMermaid(loss)); // the computation graph, for a Markdown page
    // README:end
    expect(blocks).toContain(region('single-layer'));
    // ∂loss/∂W[i][j] = 2(yᵢ − cᵢ)·yᵢ(1 − yᵢ)·xⱼ, by hand (float32: 1e-6)
    const xs = [0.5, -1.5];
    const Ws = [[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]]; // prettier-ignore
    const expected = Ws.flatMap((row, i) => {
      const yi = 1 / (1 + Math.exp(-(row[0]! * xs[0]! + row[1]! * xs[1]!)));
      return xs.map((xj) => 2 * (yi - [1, 0, 1][i]!) * yi * (1 - yi) * xj);
    });
    Array.from(W.grad!.dataSync()).forEach((g, k) => expect(g).toBeCloseTo(expected[k]!, 6));
    expect(log).toHaveBeenCalledTimes(2);
    expect(String(log.mock.calls[1]![0])).toMatch(/^flowchart LR\n/);
    // the drawing shown in the README is the one this code makes (its structure: graph.test.ts)
    expect(readme).toContain('```mermaid\n' + toMermaid(loss) + '\n```');
    log.mockRestore();
  });

  test("the lecture's Theano example, in Nabla: one SGD step lowers the cost", async () => {
    // README:theano
    // the input, and the sizes of the layers
    const x = variable(tensor([0.2, -1.0, 0.5, 0.9]), { name: 'x' });
    const H = 16; // hidden layer size
    const NLABELS = 3;
    const uniform = (shape: number[], name: string) =>
      variable(rand(shape).sub(0.5), { requiresGrad: true, name });
    const shared0s = (shape: number[], name: string) =>
      variable(zeros(shape), { requiresGrad: true, name });

    // the parameters of the hidden layer, then of the output layer
    const Wi = uniform([H, x.size], 'Wi');
    const bi = shared0s([H], 'bi');
    const Wo = uniform([NLABELS, H], 'Wo');
    const bo = shared0s([NLABELS], 'bo');

    // the hidden layer, the output layer and the cost: -log p(gold | x)
    const model = (x: Variable) => {
      const h = Wi.matmul(x).add(bi).relu();
      return Wo.matmul(h).add(bo).softmax(); // p(y | x)
    };
    const pYGivenX = model(x);
    const yPred = pYGivenX.argmax();
    const gold = 2; // the gold target
    const cost = pYGivenX.slice([gold]).log().neg();

    // 1/ store all the learnt parameters
    const params = [Wi, bi, Wo, bo];
    // 2/ get the gradients of everyone (Theano's T.grad)
    const gradients = grad(cost, params);
    // 3/ update: p ← p − η·g, computed without recording a graph
    const learningRate = 0.1;
    noGrad(() => {
      params.forEach((p, i) => p.data.assign(p.sub(gradients[i]!.mul(learningRate)).data));
    });

    const before = await cost.item();
    const after = await model(x).slice([gold]).log().neg().item(); // smaller than before
    // README:end
    expect(blocks).toContain(region('theano'));
    expect(after).toBeLessThan(before);
    expect(before - after).toBeGreaterThan(1e-3);
    expect([0, 1, 2]).toContain(await yPred.item());
    expect(gradients.map((g) => g.shape)).toEqual(params.map((p) => p.shape));
    expect(gradients.some((g) => g.requiresGrad)).toBe(false);
    expect(params.every((p) => p.grad === null)).toBe(true); // grad() returns, backward() accumulates
  });
});
