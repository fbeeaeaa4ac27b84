import type { DType } from '@nablajs/tensor';
import type { CaseContext, Layout } from '../context.js';
import * as ref from '../reference.js';
import { type Case, EDGES, INT_EDGES, between } from './case.js';

/** Values whose conversion is defined: in range for int32, so truncation toward zero is the rule.
 * NaN, ±Infinity and out-of-range floats cast to int32 are not a contract (JS wraps, WGSL clamps). */
const TO_INT = [
  2.7, -2.7, -0.5, 0.5, 0.999, -1.999, 1e9, -1e9, 2147483520, -2147483648, 16777216, 0, -0, 7, -7,
];
const F64_TO_F32 = [
  1e300,
  -1e300,
  1e-50,
  -1e-50,
  0.1,
  1 / 3,
  16777217,
  3.4028235677973366e38,
  1e39,
  ...EDGES,
];
const INT_TO_FLOAT = [16777217, 16777219, 2147483647, ...INT_EDGES];

function edgeValues(from: DType, to: DType): readonly number[] {
  if (to === 'int32') return TO_INT;
  if (from === 'int32') return INT_TO_FLOAT;
  return from === 'float64' ? F64_TO_F32 : EDGES;
}

/** Runs `body` for every other dtype under test. */
async function eachTarget(ctx: CaseContext, body: (to: DType) => Promise<void>): Promise<void> {
  for (const to of ctx.dtypes) if (to !== ctx.dtype) await body(to);
}

const values = between(-1000, 1000, -100000, 100000);

const viewCase = (name: string, shape: number[], layout: Layout): Case => ({
  name,
  run: (ctx) =>
    eachTarget(ctx, async (to) => {
      const [t, x] = ctx.input(shape, values, layout);
      await ctx.expect(t.cast(to), ref.cast(x, to), { exact: true, label: `to ${to}` });
    }),
});

export const CAST_CASES: Case[] = [
  viewCase('contiguous [3,4] to every other dtype', [3, 4], 'contiguous'),
  viewCase('transposed view', [3, 4, 2], 'transposed'),
  viewCase('sliced view', [4, 3], 'sliced'),
  viewCase('stride-0 view', [3, 5], 'broadcast-inner'),
  {
    name: 'edge values: truncation toward zero, rounding to float32, exact widening',
    run: (ctx) =>
      eachTarget(ctx, async (to) => {
        const x = ctx.nd(edgeValues(ctx.dtype, to));
        await ctx.expect(ctx.make(x, 'sliced').cast(to), ref.cast(x, to), {
          exact: true,
          label: `to ${to}`,
          inputs: [x],
        });
      }),
  },
  {
    name: '0-d and empty',
    run: (ctx) =>
      eachTarget(ctx, async (to) => {
        for (const [shape, layout] of [
          [[], 'sliced'],
          [[0, 3], 'contiguous'],
          [[2, 0], 'transposed'],
        ] as const) {
          const [t, x] = ctx.input(shape, values, layout);
          await ctx.expect(t.cast(to), ref.cast(x, to), {
            exact: true,
            label: `[${shape}] to ${to}`,
          });
        }
      }),
  },
  {
    // bool is stored as int32 0/1: every backend must turn any non-zero (NaN, −0 is zero) into 1,
    // and read 0/1 back through views, whatever it does for int32
    name: 'to bool and back: non-zero and NaN are true, through views',
    run: async (ctx) => {
      const x = ctx.nd(ctx.dtype === 'int32' ? [...INT_EDGES, 0, 5, -1] : [...EDGES, 0.25, -0.5]);
      const b = ctx.make(x, 'sliced').cast('bool');
      const xb = ref.cast(x, 'bool');
      await ctx.expect(b, xb, { exact: true, label: 'to bool', inputs: [x] });
      await ctx.expect(b.cast(ctx.dtype), ref.cast(xb, ctx.dtype), { label: 'back' });
      const m = ctx.make(ref.cast(ctx.nd([1, 0, 2, 0, 0, 3], [2, 3]), 'bool'), 'transposed');
      await ctx.expect(
        m.cast(ctx.dtype),
        ref.cast(ref.cast(ctx.nd([1, 0, 2, 0, 0, 3], [2, 3]), 'bool'), ctx.dtype),
        {
          label: 'a transposed bool view',
        },
      );
    },
  },
];
