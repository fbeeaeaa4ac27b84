import { DTypeError, SCAN_OPS, type ScanOp } from '@nablajs/tensor';
import { expect } from 'vitest';
import type { CaseContext, Gen, Layout } from '../context.js';
import * as ref from '../reference.js';
import { type Case, EDGES, FLOATS, INT32, between, integers } from './case.js';

/** cumprod's factors stay near 1 so that long lines neither overflow nor vanish. */
const GEN: Record<ScanOp, Gen> = {
  cumsum: between(-5, 5, -100, 100),
  cumprod: between(0.5, 1.5, -2, 2),
};

async function scan(
  ctx: CaseContext,
  op: ScanOp,
  shape: number[],
  axis: number,
  layout: Layout = 'contiguous',
) {
  const [x, xv] = ctx.input(shape, GEN[op], layout);
  const { out, scale } = ref.scan(op, xv, axis);
  await ctx.expect(x[op](axis), out, { scale, label: `${op} [${shape}] ${layout}, axis ${axis}` });
}

/** Both running reductions on one input. */
const both =
  (shape: number[], axis: number, layout?: Layout): Case['run'] =>
  async (ctx) => {
    for (const op of SCAN_OPS) await scan(ctx, op, shape, axis, layout);
  };

export const SCAN_CASES: Case[] = [
  {
    name: 'cumsum and cumprod along each axis of [3,4,5]',
    run: async (ctx) => {
      for (const axis of [0, 1, 2, -1]) await both([3, 4, 5], axis)(ctx);
    },
  },
  {
    name: 'transposed, sliced and stride-0 views',
    run: async (ctx) => {
      await both([4, 5], 1, 'transposed')(ctx);
      await both([4, 5], 0, 'sliced')(ctx);
      await both([4, 5], 0, 'broadcast-outer')(ctx);
      await both([4, 5], 1, 'broadcast-inner')(ctx);
    },
  },
  {
    name: 'a long line [2,300] and 0-d, empty inputs',
    run: async (ctx) => {
      await both([2, ctx.small ? 70 : 300], 1)(ctx);
      await both([], 0)(ctx);
      await both([0, 3], 0)(ctx);
      await both([2, 0], 1)(ctx);
    },
  },
  {
    name: 'edge values: NaN and infinities carry on along the line',
    dtypes: FLOATS,
    async run(ctx) {
      const x = ctx.nd(EDGES, [1, EDGES.length]);
      for (const op of SCAN_OPS)
        await ctx.expect(ctx.make(x, 'sliced')[op](1), ref.scan(op, x, 1).out, { label: op });
    },
  },
  {
    name: 'int32 cumsum is exact within int32 and raises past it; cumprod gives float32',
    dtypes: INT32,
    requires: ['float32'],
    async run(ctx) {
      const fits = ctx.nd([2147483647, -2147483648, 2147483647, -5, -7], [1, 5]);
      await ctx.expect(ctx.make(fits, 'sliced').cumsum(1), ref.scan('cumsum', fits, 1).out);
      const past = ctx.make(ctx.nd([2147483647, 1, -5], [3]), 'sliced');
      await expect((async () => past.cumsum(0).data())()).rejects.toThrow(DTypeError);
      const x = ctx.nd([3, -2, 7, 0, 4], [5]);
      await ctx.expect(ctx.make(x).cumprod(0), ref.scan('cumprod', x, 0).out);
    },
  },
];

async function argsort(
  ctx: CaseContext,
  shape: number[],
  axis: number,
  descending: boolean,
  layout: Layout = 'contiguous',
  gen: Gen = integers(-3, 3), // ties everywhere: stability shows
) {
  const [x, xv] = ctx.input(shape, gen, layout);
  await ctx.expect(x.argsort(axis, descending), ref.argsort(xv, axis, descending), {
    label: `[${shape}] ${layout}, axis ${axis}${descending ? ', descending' : ''}`,
  });
}

export const ARGSORT_CASES: Case[] = [
  {
    name: 'each axis of [3,4,5], both directions, with ties (stable)',
    requires: ['int32'],
    async run(ctx) {
      for (const axis of [0, 1, -1])
        for (const d of [false, true]) await argsort(ctx, [3, 4, 5], axis, d);
    },
  },
  {
    name: 'strided views and distinct values',
    requires: ['int32'],
    async run(ctx) {
      await argsort(ctx, [4, 6], 1, false, 'transposed', between(-5, 5, -1000, 1000));
      await argsort(ctx, [4, 6], 0, true, 'sliced');
      await argsort(ctx, [4, 6], 1, true, 'broadcast-outer');
      await argsort(ctx, [4, 6], 1, false, 'broadcast-inner');
    },
  },
  {
    name: 'a long line [2,200], 0-d and empty',
    requires: ['int32'],
    async run(ctx) {
      await argsort(
        ctx,
        [2, ctx.small ? 70 : 200],
        1,
        false,
        'contiguous',
        between(-5, 5, -50, 50),
      );
      await argsort(ctx, [], 0, false);
      await argsort(ctx, [0, 3], 0, true);
    },
  },
  {
    name: 'NaN sorts last (first when descending), ±0 and infinities in order',
    dtypes: FLOATS,
    requires: ['int32'],
    async run(ctx) {
      const x = ctx.nd([...EDGES, NaN, 1, -Infinity], [1, EDGES.length + 3]);
      for (const d of [false, true])
        await ctx.expect(ctx.make(x, 'sliced').argsort(1, d), ref.argsort(x, 1, d), {
          label: d ? 'descending' : 'ascending',
        });
    },
  },
];
