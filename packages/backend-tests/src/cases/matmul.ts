import type { CaseContext, Layout } from '../context.js';
import type { Nd } from '../nd.js';
import * as ref from '../reference.js';
import { type Case, FLOATS, between } from './case.js';

// int32 products stay far from overflow: the contract for int32 matmul is exact small-integer maths.
const values = between(-2, 2, -9, 9);

async function check(
  ctx: CaseContext,
  sa: number[],
  sb: number[],
  la: Layout = 'contiguous',
  lb: Layout = 'contiguous',
  label?: string,
) {
  const [a, x] = ctx.input(sa, values, la);
  const [b, y] = ctx.input(sb, values, lb);
  const { out, scale } = ref.matmul(x, y);
  await ctx.expect(a.matmul(b), out, { scale, label: label ?? `[${sa}] ${la} @ [${sb}] ${lb}` });
}

const mm = (name: string, sa: number[], sb: number[], la?: Layout, lb?: Layout): Case => ({
  name,
  run: (ctx) => check(ctx, sa, sb, la, lb),
});

export const MATMUL_CASES: Case[] = [
  mm('[3,4] @ [4,5]', [3, 4], [4, 5]),
  {
    name: 'unit sizes: [1,4]@[4,1], [5,1]@[1,6], [1,1]@[1,1]',
    async run(ctx) {
      await check(ctx, [1, 4], [4, 1]);
      await check(ctx, [5, 1], [1, 6]);
      await check(ctx, [1, 1], [1, 1]);
    },
  },
  {
    name: '1-D operands: [4]@[4,5], [3,4]@[4], [4]@[4]',
    async run(ctx) {
      await check(ctx, [4], [4, 5]);
      await check(ctx, [3, 4], [4], 'transposed', 'sliced');
      await check(ctx, [4], [4]);
    },
  },
  mm('batched [2,3,4] @ [2,4,5]', [2, 3, 4], [2, 4, 5]),
  {
    name: 'broadcast batch: [2,1,3,4]@[3,4,2], [3,4]@[2,4,5]',
    async run(ctx) {
      await check(ctx, [2, 1, 3, 4], [3, 4, 2]);
      await check(ctx, [3, 4], [2, 4, 5]);
    },
  },
  {
    name: 'transposed operands (a.T, b.T, both)',
    async run(ctx) {
      const [at, x] = ctx.input([4, 3], values);
      const [bt, y] = ctx.input([5, 4], values);
      const [a, b] = [ctx.track(at.transpose()), ctx.track(bt.transpose())];
      const [xa, yb] = [transpose(x), transpose(y)];
      const [a2, xa2] = ctx.input([3, 4], values);
      const [b2, yb2] = ctx.input([4, 5], values);
      for (const [l, p, q, u, v] of [
        ['a.T @ b', a, b2, xa, yb2],
        ['a @ b.T', a2, b, xa2, yb],
        ['a.T @ b.T', a, b, xa, yb],
      ] as const) {
        const { out, scale } = ref.matmul(u, v);
        await ctx.expect(p.matmul(q), out, { scale, label: l });
      }
    },
  },
  mm('permuted batch axes (transposed views)', [2, 3, 4], [2, 4, 3], 'transposed', 'transposed'),
  mm('sliced views', [2, 3, 4], [2, 4, 5], 'sliced', 'sliced'),
  {
    name: 'stride-0 operands (expanded batch and inner axes)',
    async run(ctx) {
      await check(ctx, [3, 4, 5], [3, 5, 2], 'broadcast-outer', 'contiguous');
      await check(ctx, [4, 5], [5, 3], 'broadcast-inner', 'broadcast-inner');
    },
  },
  {
    name: 'empty: K = 0 gives zeros, M = 0 and N = 0 give empty',
    async run(ctx) {
      await check(ctx, [3, 0], [0, 5]);
      await check(ctx, [0, 4], [4, 5]);
      await check(ctx, [3, 4], [4, 0]);
      await check(ctx, [0, 3, 4], [4, 2]);
    },
  },
  {
    name: 'larger, with odd sizes (SIMD tails, blocking)',
    async run(ctx) {
      const [m, k, n] = ctx.small ? [9, 17, 5] : [33, 65, 47];
      await check(ctx, [m, k], [k, n]);
      await check(ctx, [m, k], [k, n], 'transposed', 'transposed');
      if (!ctx.small) await check(ctx, [64, 128], [128, 48]);
    },
  },
  {
    name: 'NaN and ±Infinity propagate (Infinity · 0 is NaN)',
    dtypes: FLOATS,
    async run(ctx) {
      const x = ctx.nd([1, Infinity, 0, NaN, 0, 1, -Infinity, 2, 0], [3, 3]);
      const y = ctx.nd([0, 1, 2, 1, 0, 0, 1, 1, 1], [3, 3]);
      const { out, scale } = ref.matmul(x, y);
      await ctx.expect(ctx.make(x).matmul(ctx.make(y, 'transposed')), out, { scale });
    },
  },
];

function transpose(x: Nd): Nd {
  const [r, c] = x.shape as [number, number];
  const data = new Float64Array(x.data.length);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) data[j * r + i] = x.data[i * c + j]!;
  return { dtype: x.dtype, shape: [c, r], data };
}
