import { scatterAdd } from '@nablajs/tensor';
import type { CaseContext, Layout } from '../context.js';
import * as ref from '../reference.js';
import { type Case, EDGES, FLOATS, between, integers } from './case.js';

const values = between(-5, 5, -100, 100);

/** x of `xs` gathered along `axis` by a random index of `is` (entries in range). */
async function gather(
  ctx: CaseContext,
  xs: number[],
  axis: number,
  is: number[],
  lx: Layout = 'contiguous',
  li: Layout = 'contiguous',
) {
  const ax = axis < 0 ? axis + xs.length : axis;
  const [x, xv] = ctx.input(xs, values, lx);
  const [i, iv] = ctx.input(is, integers(0, xs[ax]! - 1), li, 'int32');
  await ctx.expect(x.gather(axis, i), ref.gather(xv, axis, iv), {
    exact: true,
    label: `[${xs}] ${lx}, axis ${axis}, index [${is}] ${li}`,
  });
}

export const GATHER_CASES: Case[] = [
  {
    name: "PyTorch's example: [[1,2],[3,4]] along 1 by [[0,0],[1,0]]",
    requires: ['int32'],
    async run(ctx) {
      const x = ctx.nd([1, 2, 3, 4], [2, 2]);
      const i = ctx.nd([0, 0, 1, 0], [2, 2], 'int32');
      await ctx.expect(ctx.make(x).gather(1, ctx.make(i)), ctx.nd([1, 1, 4, 3], [2, 2]));
    },
  },
  { name: 'axis 0 of [3,4]', requires: ['int32'], run: (ctx) => gather(ctx, [3, 4], 0, [2, 4]) },
  {
    name: '3-D, index longer on the axis and shorter elsewhere',
    requires: ['int32'],
    run: (ctx) => gather(ctx, [2, 3, 4], 1, [2, 5, 3]),
  },
  {
    name: 'labels: [4,10] along -1 by [4,1]',
    requires: ['int32'],
    run: (ctx) => gather(ctx, [4, 10], -1, [4, 1]),
  },
  {
    name: 'strided x and index (transposed, sliced, stride 0)',
    requires: ['int32'],
    async run(ctx) {
      await gather(ctx, [5, 4], 1, [5, 3], 'transposed', 'sliced');
      await gather(ctx, [5, 4], 0, [3, 4], 'sliced', 'transposed');
      await gather(ctx, [4, 6], 1, [4, 3], 'broadcast-outer', 'broadcast-inner');
    },
  },
  {
    name: '1-D and empty indices',
    requires: ['int32'],
    async run(ctx) {
      await gather(ctx, [7], 0, [10]);
      await gather(ctx, [3, 4], 1, [3, 0]);
      await gather(ctx, [3, 4], 0, [0, 4]);
    },
  },
  {
    name: 'edge values pass through unchanged',
    dtypes: FLOATS,
    requires: ['int32'],
    async run(ctx) {
      const n = EDGES.length;
      const x = ctx.nd(EDGES, [1, n]);
      const i = ctx.nd(
        Array.from({ length: n }, (_, k) => n - 1 - k),
        [1, n],
        'int32',
      );
      await ctx.expect(ctx.make(x, 'sliced').gather(1, ctx.make(i)), ref.gather(x, 1, i), {
        exact: true,
      });
    },
  },
];

async function scatter(
  ctx: CaseContext,
  shape: number[],
  axis: number,
  is: number[],
  ls: Layout = 'contiguous',
  li: Layout = 'contiguous',
) {
  const ax = axis < 0 ? axis + shape.length : axis;
  const [i, iv] = ctx.input(is, integers(0, shape[ax]! - 1), li, 'int32');
  const [s, sv] = ctx.input(is, values, ls);
  const { out, scale } = ref.scatterAdd(shape, axis, iv, sv);
  await ctx.expect(scatterAdd(shape, axis, i, s), out, {
    scale,
    label: `[${shape}], axis ${axis}, index [${is}] ${li}, src ${ls}`,
  });
}

export const SCATTER_ADD_CASES: Case[] = [
  {
    name: 'repeated indices accumulate',
    requires: ['int32'],
    async run(ctx) {
      const i = ctx.nd([0, 0, 3, 1, 1, 1], [2, 3], 'int32');
      const [s, sv] = ctx.input([2, 3], values);
      const { out, scale } = ref.scatterAdd([2, 4], 1, i, sv);
      await ctx.expect(scatterAdd([2, 4], 1, ctx.make(i), s), out, { scale });
    },
  },
  {
    name: 'axis 0, index longer than the output',
    requires: ['int32'],
    run: (ctx) => scatter(ctx, [3, 4], 0, [5, 4]),
  },
  {
    name: '3-D along -2, index shorter on other axes',
    requires: ['int32'],
    run: (ctx) => scatter(ctx, [2, 3, 4], -2, [2, 6, 3]),
  },
  {
    name: 'strided src and index',
    requires: ['int32'],
    async run(ctx) {
      await scatter(ctx, [4, 5], 1, [4, 6], 'transposed', 'sliced');
      await scatter(ctx, [4, 5], 0, [6, 5], 'sliced', 'transposed');
      await scatter(ctx, [4, 5], 1, [4, 3], 'broadcast-inner', 'broadcast-outer');
    },
  },
  {
    name: 'empty index gives zeros; 1-D',
    requires: ['int32'],
    async run(ctx) {
      await scatter(ctx, [3, 4], 1, [3, 0]);
      await scatter(ctx, [3, 0], 0, [2, 0]);
      await scatter(ctx, [6], 0, [20]);
    },
  },
];
