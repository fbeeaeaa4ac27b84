import { concat, stack } from '@nablajs/tensor';
import type { CaseContext, Layout } from '../context.js';
import type { Nd } from '../nd.js';
import * as ref from '../reference.js';
import { type Case, FLOATS, between } from './case.js';

const values = between(-5, 5, -100, 100);

async function join(ctx: CaseContext, shapes: number[][], axis: number, layouts: Layout[] = []) {
  const pairs = shapes.map((s, k) => ctx.input(s, values, layouts[k] ?? 'contiguous'));
  const label = `${shapes.map((s, k) => `[${s}] ${layouts[k] ?? 'contiguous'}`).join(', ')} on axis ${axis}`;
  const [tensors, refs] = [pairs.map((p) => p[0]), pairs.map((p) => p[1])];
  await ctx.expect(concat(tensors, axis), ref.concat(refs, axis), { exact: true, label });
}

const cat = (name: string, shapes: number[][], axis: number, layouts?: Layout[]): Case => ({
  name,
  run: (ctx) => join(ctx, shapes, axis, layouts),
});

// prettier-ignore
export const CONCAT_CASES: Case[] = [
  cat('two [2,3] on axis 0', [[2, 3], [2, 3]], 0),
  cat('two [2,3] on axis 1', [[2, 3], [2, 3]], 1),
  cat('three of different lengths on axis -1, one empty', [[2, 1], [2, 3], [2, 0]], -1),
  cat('middle axis of 3-D', [[2, 1, 4], [2, 3, 4]], 1),
  cat('1-D', [[3], [1], [4]], 0),
  cat('a single tensor', [[3, 2]], 1, ['transposed']),
  cat('views: transposed, sliced, stride 0', [[3, 4], [2, 4], [1, 4]], 0, ['transposed', 'sliced', 'broadcast-inner']),
  cat('views on the inner axis', [[3, 4], [3, 2], [3, 5]], 1, ['sliced', 'broadcast-outer', 'transposed']),
  cat('all empty', [[0, 3], [0, 3]], 0),
  cat('empty off the axis', [[0, 3], [0, 2]], 1),
  {
    name: 'stack (concat of unsqueezed views)',
    async run(ctx) {
      const pairs = [0, 1, 2].map(() => ctx.input([2, 3], values, 'sliced'));
      const unsq = (x: Nd): Nd => ({ ...x, shape: [2, 1, 3] });
      const out = stack(
        pairs.map((p) => p[0]),
        1,
      );
      await ctx.expect(
        out,
        ref.concat(
          pairs.map((p) => unsq(p[1])),
          1,
        ),
        { exact: true },
      );
    },
  },
  {
    // bool is stored as int32 0/1; joining bools keeps bool, joining with this dtype promotes
    name: 'bool views stay bool; bool and this dtype promote',
    async run(ctx) {
      const [a, x] = ctx.input([3, 2], values, 'transposed', 'bool');
      const [b, y] = ctx.input([1, 2], values, 'sliced', 'bool');
      await ctx.expect(concat([a, b], 0), ref.concat([x, y], 0), { exact: true });
      const [c, z] = ctx.input([1, 2], values);
      await ctx.expect(concat([a, c], 0), ref.concat([ref.cast(x, ctx.dtype), z], 0), {
        exact: true,
        label: 'with a ' + ctx.dtype,
      });
    },
  },
  {
    name: 'int32 and float promote',
    dtypes: FLOATS,
    requires: ['int32'],
    async run(ctx) {
      const [a, x] = ctx.input([2, 2], values, 'contiguous', 'int32');
      const [b, y] = ctx.input([1, 2], values);
      await ctx.expect(concat([a, b], 0), ref.concat([x, y], 0), { exact: true });
    },
  },
];
