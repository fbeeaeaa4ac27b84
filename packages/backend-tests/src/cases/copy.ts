import { type Tensor, isContiguous, zeros } from '@nablajs/tensor';
import { expect } from 'vitest';
import type { CaseContext, Layout } from '../context.js';
import { type Nd, at, fill, ravel, unravel } from '../nd.js';
import * as ref from '../reference.js';
import { type Case, EDGES, INT_EDGES, between } from './case.js';

const values = between(-5, 5, -100, 100);

function zerosOf(ctx: CaseContext, shape: number[]): [Tensor, Nd] {
  return [
    ctx.track(zeros(shape, { backend: ctx.backend, dtype: ctx.dtype })),
    fill(ctx.dtype, shape, () => 0),
  ];
}

/** `base` with `src` written at the positions `pos(idx of src)`. */
function written(base: Nd, src: Nd, pos: (idx: number[]) => number[]): Nd {
  const data = Float64Array.from(base.data);
  for (let i = 0; i < src.data.length; i++)
    data[ravel(pos(unravel(i, src.shape)), base.shape)] = src.data[i]!;
  return { ...base, data };
}

const LAYOUTS: readonly Layout[] = ['transposed', 'sliced', 'broadcast-outer', 'broadcast-inner'];

export const COPY_CASES: Case[] = [
  {
    name: 'assign into a sliced view writes only the view',
    async run(ctx) {
      const [base, b] = zerosOf(ctx, [5, 6]);
      const view = ctx.track(
        base.slice([
          [1, undefined, 2],
          [0, undefined, 3],
        ]),
      );
      const [src, s] = ctx.input([2, 2], values, 'transposed');
      view.assign(src);
      await ctx.expect(
        base,
        written(b, s, ([i, j]) => [1 + 2 * i!, 3 * j!]),
        { exact: true, label: 'base' },
      );
      await ctx.expect(view, s, { exact: true, label: 'view' });
    },
  },
  {
    name: 'assign a transposed source into a transposed destination',
    async run(ctx) {
      const [base, b] = zerosOf(ctx, [3, 4]);
      const [src, s] = ctx.input([4, 3], values, 'transposed');
      ctx.track(base.transpose()).assign(src);
      await ctx.expect(
        base,
        written(b, s, ([i, j]) => [j!, i!]),
        { exact: true },
      );
    },
  },
  {
    name: 'assign broadcasts a smaller tensor and a number',
    async run(ctx) {
      const [base] = zerosOf(ctx, [3, 4]);
      const [row, r] = ctx.input([4], values, 'sliced');
      base.assign(row);
      const afterRow = fill(ctx.dtype, [3, 4], (idx) => at(r, idx));
      await ctx.expect(base, afterRow, { exact: true, label: 'row' });
      ctx.track(base.slice([null, [1, 3]])).assign(2.5); // int32 truncates to 2
      const v = ctx.nd([2.5], []).data[0]!;
      const afterNumber = written(
        afterRow,
        fill(ctx.dtype, [3, 2], () => v),
        ([i, j]) => [i!, 1 + j!],
      );
      await ctx.expect(base, afterNumber, { exact: true, label: 'number' });
    },
  },
  {
    name: 'assign casts from another dtype',
    async run(ctx) {
      for (const from of ctx.dtypes.filter((d) => d !== ctx.dtype)) {
        const [base] = zerosOf(ctx, [2, 3]);
        const [src, s] = ctx.input([2, 3], values, 'sliced', from);
        base.assign(src);
        await ctx.expect(base, ref.cast(s, ctx.dtype), { exact: true, label: `from ${from}` });
      }
    },
  },
  {
    name: 'assign into a 0-d view and an empty view',
    async run(ctx) {
      const [base, b] = zerosOf(ctx, [3, 4]);
      const [src, s] = ctx.input([], values, 'sliced');
      ctx.track(base.slice([1, 2])).assign(src);
      ctx.track(base.slice([[2, 2]])).assign(src);
      await ctx.expect(
        base,
        written(b, s, () => [1, 2]),
        { exact: true },
      );
    },
  },
  {
    name: 'clone of strided views is row-major and independent',
    async run(ctx) {
      for (const layout of LAYOUTS) {
        const [t, x] = ctx.input([3, 4], values, layout);
        const c = ctx.track(t.clone());
        expect(isContiguous(c.shape, c.strides), `${layout} clone is row-major`).toBe(true);
        await ctx.expect(c, x, { exact: true, label: `clone of ${layout}` });
        c.assign(0);
        await ctx.expect(t, x, {
          exact: true,
          label: `${layout} original after writing its clone`,
        });
      }
    },
  },
  {
    name: 'contiguous() and reshape of strided views',
    async run(ctx) {
      for (const layout of LAYOUTS) {
        const [t, x] = ctx.input([2, 3, 2], values, layout);
        await ctx.expect(t.contiguous(), x, { exact: true, label: `contiguous() of ${layout}` });
        await ctx.expect(
          t.reshape([3, 4]),
          { ...x, shape: [3, 4] },
          { exact: true, label: `reshape of ${layout}` },
        );
      }
    },
  },
  {
    name: 'data() of strided, 0-d and empty views',
    async run(ctx) {
      for (const layout of LAYOUTS) {
        const [t, x] = ctx.input([3, 2, 4], values, layout);
        await ctx.expect(t, x, { exact: true, label: layout });
      }
      for (const [shape, layout] of [
        [[], 'sliced'],
        [[0, 2], 'transposed'],
        [[3, 0], 'sliced'],
      ] as const) {
        const [t, x] = ctx.input(shape, values, layout);
        await ctx.expect(t, x, { exact: true, label: `[${shape}] ${layout}` });
      }
    },
  },
  {
    name: 'edge values copy bit for bit (NaN, ±Infinity, -0, int32 extremes)',
    async run(ctx) {
      const x = ctx.nd(ctx.dtype === 'int32' ? INT_EDGES : EDGES);
      const t = ctx.make(x, 'sliced');
      await ctx.expect(ctx.track(t.clone()), x, { exact: true, label: 'clone' });
      const [base] = zerosOf(ctx, [x.data.length]);
      base.assign(t);
      await ctx.expect(base, x, { exact: true, label: 'assign' });
    },
  },
];
