// AdaptiveAvgPool2d against PyTorch 1.13 (fixtures/layers.json, scripts/gen-layer-fixtures.py), an
// independent loop over the bins, and finite differences.
import { readFileSync } from 'node:fs';
import { cpu } from '@nablajs/backend-cpu';
import { Variable, gradcheck } from '@nablajs/autograd';
import { ShapeError, randn, tensor, useBackend } from '@nablajs/tensor';
import { describe, expect, test } from 'vitest';
import { adaptiveBin } from './adaptive-pool.js';
import { AdaptiveAvgPool2d, adaptiveAvgPool2d } from './index.js';

useBackend(cpu());

interface PoolCase {
  shape: number[];
  outputSize: number | [number | null, number | null];
  input: number[];
  output: number[];
  outShape: number[];
  gradOutput: number[];
  grad: number[];
}
const { adaptiveAvgPool2d: cases } = JSON.parse(
  readFileSync(new URL('../fixtures/layers.json', import.meta.url), 'utf8'),
) as { adaptiveAvgPool2d: PoolCase[] };

const close = (a: ArrayLike<number>, b: number[], what: string) => {
  expect(a.length, what).toBe(b.length);
  b.forEach((e, i) => {
    if (Math.abs(a[i]! - e) > 1e-12) expect.fail(`${what}[${i}]: got ${a[i]}, expected ${e}`);
  });
};

describe('adaptiveAvgPool2d', () => {
  for (const c of cases)
    test(`[${c.shape}] → ${JSON.stringify(c.outputSize)} matches PyTorch, values and gradient`, () => {
      const x = new Variable(tensor(c.input, { shape: c.shape, dtype: 'float64' }), true);
      const y = new AdaptiveAvgPool2d(c.outputSize).forward(x);
      expect(y.shape).toEqual(c.outShape);
      close(y.data.dataSync(), c.output, 'output');
      y.backward(tensor(c.gradOutput, { shape: c.outShape, dtype: 'float64' }));
      close(x.grad!.dataSync(), c.grad, '∂input');
    });

  test("PyTorch's bin edges: start ⌊i·n/out⌋, end ⌈(i+1)·n/out⌉", () => {
    expect([0, 1, 2].map((i) => adaptiveBin(i, 7, 3))).toEqual([
      [0, 3],
      [2, 5],
      [4, 7],
    ]);
    expect([0, 1, 2].map((i) => adaptiveBin(i, 2, 3))).toEqual([
      [0, 1],
      [0, 2],
      [1, 2],
    ]);
  });

  test('equals a loop over the bins (odd sizes, larger output than input)', () => {
    const [N, C, H, W, h, w] = [2, 2, 5, 3, 3, 4];
    const x = randn([N, C, H, W], { dtype: 'float64', seed: 7 });
    const xs = x.dataSync();
    const want: number[] = [];
    for (let n = 0; n < N * C; n++)
      for (let i = 0; i < h; i++)
        for (let j = 0; j < w; j++) {
          const [r0, r1] = adaptiveBin(i, H, h);
          const [c0, c1] = adaptiveBin(j, W, w);
          let s = 0;
          for (let r = r0; r < r1; r++)
            for (let q = c0; q < c1; q++) s += xs[n * H * W + r * W + q]!;
          want.push(s / ((r1 - r0) * (c1 - c0)));
        }
    close(adaptiveAvgPool2d(x, [h, w]).data.dataSync(), want, 'output');
  });

  test('gradcheck (float64)', () => {
    const x = new Variable(randn([1, 2, 5, 4], { dtype: 'float64', seed: 2 }), true);
    expect(gradcheck((x) => adaptiveAvgPool2d(x, [3, 3]), [x])).toBe(true);
    expect(gradcheck((x) => adaptiveAvgPool2d(x, 1), [x])).toBe(true);
  });

  test('errors name the layer and the shapes', () => {
    expect(() => new AdaptiveAvgPool2d(1).forward(randn([8, 16]))).toThrow(
      /AdaptiveAvgPool2d\(outputSize=1\).*expected input \[N, C, H, W\] or \[C, H, W\], got \[8,16\]/,
    );
    expect(() => adaptiveAvgPool2d(randn([1, 1, 4, 4]), [0, 2])).toThrow(ShapeError);
    expect(new AdaptiveAvgPool2d([null, 2]).toString()).toBe(
      'AdaptiveAvgPool2d(outputSize=[null, 2])',
    );
  });
});
