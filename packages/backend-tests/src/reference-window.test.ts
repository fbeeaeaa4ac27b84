import { WINDOW_OPS } from '@nablajs/tensor';
import { describe, expect, test } from 'vitest';
import { WINDOW_CASES } from './cases/index.js';
import { type Nd, fromValues } from './nd.js';
import * as ref from './reference-window.js';

// The window reference pinned by hand, and by what PyTorch 1.13 printed for the same inputs
// (F.unfold, F.fold, F.max_pool1d/2d with return_indices).

const nd = (values: number[], shape: number[]): Nd => fromValues('float64', shape, values);
const vals = (x: Nd): number[] => [...x.data];

describe('window reference', () => {
  test('every window op has cases', () => {
    for (const op of WINDOW_OPS) expect(WINDOW_CASES[op].length, op).toBeGreaterThan(0);
  });

  test('output sizes: PyTorch formula', () => {
    expect(ref.windowGeometry([28, 28], [5, 5], { padding: [2, 2] }).output).toEqual([28, 28]);
    expect(ref.windowGeometry([9], [3], { stride: [2], padding: [1], dilation: [2] }).output).toEqual([4]); // prettier-ignore
    expect(ref.windowGeometry([7, 6], [3, 3], { stride: [2, 2], padding: [1, 1] }).output).toEqual([4, 3]); // prettier-ignore
  });

  test('im2col of a 3×3 image by 2×2 windows, and a padded 1-d one', () => {
    const x = nd([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3]);
    const cols = ref.im2col(x, ref.windowGeometry([3, 3], [2, 2]));
    expect(cols.shape).toEqual([1, 4, 4]);
    // prettier-ignore
    expect(vals(cols)).toEqual([1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8, 5, 6, 8, 9]);
    const y = ref.im2col(
      nd([1, 2, 3, 4, 5, 6], [1, 2, 3]),
      ref.windowGeometry([3], [3], { padding: [1] }),
    );
    // rows: channel 0 at offsets 0, 1, 2, then channel 1
    expect(vals(y)).toEqual([0, 1, 2, 1, 2, 3, 2, 3, 0, 0, 4, 5, 4, 5, 6, 5, 6, 0]);
  });

  test('col2im of ones counts how many windows cover each position', () => {
    const g = ref.windowGeometry([3, 3], [2, 2]);
    const { out } = ref.col2im(nd(new Array(16).fill(1), [1, 4, 4]), g);
    expect(vals(out)).toEqual([1, 2, 1, 2, 4, 2, 1, 2, 1]);
    const dil = ref.windowGeometry([5], [2], { dilation: [3] });
    expect(vals(ref.col2im(nd([1, 2, 10, 20], [1, 2, 2]), dil).out)).toEqual([1, 2, 0, 10, 20]);
  });

  test("max pooling: PyTorch's ties, NaN, −∞ and dilation", () => {
    // PyTorch's pooling stride defaults to the kernel
    const pool = (v: number[], k: number, o: { padding?: number[]; dilation?: number[] } = {}) => {
      const r = ref.maxPool(
        nd(v, [1, 1, v.length]),
        ref.windowGeometry([v.length], [k], { stride: [k], ...o }),
      );
      return [vals(r.values), vals(r.indices)];
    };
    expect(pool([1, NaN, 3, NaN], 4)).toEqual([[NaN], [3]]);
    expect(pool([2, 2, 1, 2], 4)).toEqual([[2], [0]]);
    expect(pool([-Infinity, -Infinity, -Infinity, -Infinity], 2, { padding: [1] })).toEqual([
      [-Infinity, -Infinity, -Infinity],
      [0, 1, 3],
    ]);
    expect(pool([1, 2, 3, 4], 2, { padding: [1] })).toEqual([
      [1, 3, 4],
      [0, 2, 3],
    ]);
    expect(pool([1, 2, 3, 4], 2, { dilation: [3] })).toEqual([[4], [3]]);
  });

  test('maxPoolGrad adds each gradient at its index', () => {
    const g = ref.windowGeometry([4], [2], { padding: [1] });
    const idx = fromValues('int32', [1, 1, 3], [0, 2, 2]);
    expect(vals(ref.maxPoolGrad(nd([1, 2, 3], [1, 1, 3]), idx, g).out)).toEqual([1, 0, 5, 0]);
  });
});
