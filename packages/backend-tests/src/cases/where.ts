import { where } from '@nablajs/tensor';
import type { CaseContext, Layout } from '../context.js';
import * as ref from '../reference.js';
import { type Case, EDGES, FLOATS, between, integers } from './case.js';

const cond = integers(-1, 2); // a bool made from them is true where they are non-zero
const values = between(-5, 5, -100, 100);

async function check(
  ctx: CaseContext,
  sc: number[],
  sa: number[],
  sb: number[],
  layouts: Layout[] = [],
  label?: string,
) {
  const [c, xc] = ctx.input(sc, cond, layouts[0], 'bool');
  const [a, xa] = ctx.input(sa, values, layouts[1]);
  const [b, xb] = ctx.input(sb, values, layouts[2]);
  await ctx.expect(where(c, a, b), ref.where(xc, xa, xb), { inputs: [xc, xa, xb], label });
}

const pick = (
  name: string,
  sc: number[],
  sa: number[],
  sb: number[],
  layouts?: Layout[],
): Case => ({
  name,
  run: (ctx) => check(ctx, sc, sa, sb, layouts),
});

export const WHERE_CASES: Case[] = [
  pick('same shape [2,3,4]', [2, 3, 4], [2, 3, 4], [2, 3, 4]),
  pick(
    'transposed, sliced and stride-0 views',
    [3, 4],
    [3, 4],
    [3, 4],
    ['transposed', 'sliced', 'broadcast-inner'],
  ),
  pick('0-d condition', [], [2, 3], [2, 3]),
  pick('[3,1] condition, [1,4] and 0-d values', [3, 1], [1, 4], []),
  pick(
    '[2,3,4] condition, [4] and [3,1] values',
    [2, 3, 4],
    [4],
    [3, 1],
    ['sliced', 'contiguous', 'transposed'],
  ),
  pick('all 0-d, one an offset view', [], [], [], ['sliced']),
  {
    name: 'empty: [0,3] and broadcast to [2,0]',
    async run(ctx) {
      await check(ctx, [0, 3], [0, 3], [1, 3], [], '[0,3]');
      await check(ctx, [2, 1], [0], [], [], '[2,0]');
    },
  },
  {
    name: 'number operands',
    async run(ctx) {
      const [c, xc] = ctx.input([3, 4], cond, 'transposed', 'bool');
      const [a, xa] = ctx.input([3, 4], values);
      const v = ctx.dtype === 'int32' ? 7 : 0.25;
      await ctx.expect(where(c, a, v), ref.where(xc, xa, ctx.nd([v], [])), {
        label: 'where(c, a, number)',
      });
      await ctx.expect(where(c, v, a), ref.where(xc, ctx.nd([v], []), xa), {
        label: 'where(c, number, a)',
      });
    },
  },
  {
    name: 'NaN and ±Infinity pass through only where selected',
    dtypes: FLOATS,
    async run(ctx) {
      const n = EDGES.length;
      const xc = ctx.nd([1, 0], [2, 1], 'bool');
      const xa = ctx.nd(EDGES, [1, n]);
      const xb = ctx.nd([...EDGES].reverse(), [1, n]);
      const out = where(ctx.make(xc), ctx.make(xa, 'sliced'), ctx.make(xb));
      await ctx.expect(out, ref.where(xc, xa, xb), { exact: true });
    },
  },
  {
    name: 'int32 and float values promote',
    dtypes: FLOATS,
    requires: ['int32'],
    async run(ctx) {
      const [c, xc] = ctx.input([4, 3], cond, 'contiguous', 'bool');
      const [a, xa] = ctx.input([4, 3], values, 'contiguous', 'int32');
      const [b, xb] = ctx.input([3], values);
      await ctx.expect(where(c, a, b), ref.where(xc, xa, xb));
    },
  },
];
