import { DTypeError, REDUCE_OPS, type ReduceOp, ShapeError, type Tensor } from '@nablajs/tensor';
import { expect } from 'vitest';
import type { CaseContext, Gen, Layout } from '../context.js';
import * as ref from '../reference.js';
import { type Case, FLOATS, INT32, between, integers } from './case.js';

type Axes = number | number[] | undefined;

const isArg = (op: ReduceOp): boolean => op === 'argmax' || op === 'argmin';

function call(op: ReduceOp, t: Tensor, axes: Axes, keepDims: boolean): Tensor {
  if (isArg(op)) {
    if (Array.isArray(axes)) throw new Error(`${op} takes one axis`);
    return op === 'argmax' ? t.argmax(axes, keepDims) : t.argmin(axes, keepDims);
  }
  return t[op as 'sum' | 'max' | 'min'](axes, keepDims);
}

const NAN_ROWS = [
  [1, NaN, 3, NaN, 2],
  [-Infinity, -Infinity, -Infinity, -Infinity, -Infinity],
  [Infinity, 2, Infinity, 1, -Infinity],
  [NaN, 1, 2, 3, 4],
  [0, -0, 0, -0, 0],
  [4, 4, -1, 4, NaN],
  [-1e30, 1e30, 1e-30, -1e-30, 7],
];
// extremes whose sums fit int32 exactly, though partial sums cross its bounds in some orders
const INT_ROWS = [
  [2147483647, 5, -2147483648, 0, -4],
  [-3, -3, -3, -3, -3],
  [-2147483647, -5, 2147483647, 3, 2],
];
// sums that do not fit int32: sum raises a DTypeError instead of wrapping (PyTorch gives int64)
const OVERFLOW_ROWS = [
  [1e9, 1e9, 1e9],
  [-2147483648, -1, 0],
  [2147483647, 1, 0],
];

function reduceCases(op: ReduceOp): Case[] {
  if (!ref.REDUCE_REF[op]) return [];
  const gen: Gen = between(-5, 5, -100, 100);
  const check = async (
    ctx: CaseContext,
    shape: number[],
    axes: Axes,
    keepDims = false,
    layout: Layout = 'contiguous',
    g = gen,
  ) => {
    const [t, x] = ctx.input(shape, g, layout);
    const { out, scale } = ref.reduce(op, x, axes, keepDims);
    await ctx.expect(call(op, t, axes, keepDims), out, {
      scale,
      label: `axes ${JSON.stringify(axes) ?? 'all'}${keepDims ? ', keepDims' : ''} of [${shape}]`,
    });
  };
  const one = (
    name: string,
    shape: number[],
    axes: Axes,
    keepDims?: boolean,
    layout?: Layout,
  ): Case => ({
    name,
    run: (ctx) => check(ctx, shape, axes, keepDims, layout),
  });
  const multi: Case[] = isArg(op)
    ? []
    : [
        one('axes [0, 2] of [3,4,5]', [3, 4, 5], [0, 2]),
        one('axes [1, 2], keepDims, transposed view', [3, 4, 5], [1, 2], true, 'transposed'),
      ];
  return [
    one('all axes of [3,4,5]', [3, 4, 5], undefined),
    one('axis 0 of [3,4,5]', [3, 4, 5], 0),
    one('axis -1 of [3,4,5]', [3, 4, 5], -1),
    one('middle axis, keepDims', [3, 4, 5], 1, true),
    ...multi,
    one('transposed view, axis 1', [4, 3, 5], 1, false, 'transposed'),
    one('sliced view, last axis', [3, 6], -1, false, 'sliced'),
    one('sliced view, all axes', [3, 6], undefined, false, 'sliced'),
    one('stride-0 view, reducing the broadcast axis', [5, 4], 1, false, 'broadcast-inner'),
    one('stride-0 view, keeping the broadcast axis', [5, 4], 1, false, 'broadcast-outer'),
    {
      name: 'long axes: [5,300] on -1, [300,5] on 0',
      async run(ctx) {
        const n = ctx.small ? 70 : 300;
        await check(ctx, [5, n], -1);
        await check(ctx, [n, 5], 0, false, 'transposed');
      },
    },
    {
      name: 'ties (first occurrence wins for arg ops)',
      async run(ctx) {
        await check(ctx, [6, 7], 1, false, 'contiguous', integers(-1, 1));
        await check(ctx, [6, 7], 0, false, 'transposed', integers(-1, 1));
      },
    },
    {
      name: '0-d input',
      async run(ctx) {
        await check(ctx, [], undefined);
        await check(ctx, [], undefined, false, 'sliced');
        if (!isArg(op)) await check(ctx, [], [], false);
      },
    },
    {
      name: 'empty input',
      async run(ctx) {
        await check(ctx, [0, 3], 1); // keeps the empty axis: an empty result
        await check(ctx, [2, 0, 3], 2, true);
        if (op === 'sum') {
          await check(ctx, [0, 3], 0); // a sum over nothing is 0
          await check(ctx, [2, 0], undefined);
          await check(ctx, [0], undefined, false, 'sliced');
        } else {
          const [t] = ctx.input([2, 0], gen);
          expect(() => call(op, t, 1, false), 'reducing an empty axis has no identity').toThrow(
            ShapeError,
          );
        }
      },
    },
    {
      name: 'NaN and ±Infinity (NaN propagates; arg ops give the first NaN)',
      dtypes: FLOATS,
      async run(ctx) {
        const x = ctx.nd(NAN_ROWS.flat(), [NAN_ROWS.length, 5]);
        for (const [axes, layout] of [
          [1, 'contiguous'],
          [0, 'transposed'],
          [undefined, 'sliced'],
        ] as const) {
          const { out, scale } = ref.reduce(op, x, axes);
          await ctx.expect(call(op, ctx.make(x, layout), axes, false), out, {
            scale,
            label: `axes ${axes ?? 'all'}`,
          });
        }
      },
    },
    ...(op === 'sum'
      ? [
          {
            name: 'an int32 sum that does not fit int32 raises a DTypeError (never wraps)',
            dtypes: INT32,
            async run(ctx: CaseContext) {
              // a long row too (a GPU reduces it in a tree): 70 × 1e8
              for (const row of [...OVERFLOW_ROWS, Array<number>(70).fill(1e8)]) {
                const t = ctx.make(ctx.nd(row, [1, row.length]), 'sliced');
                for (const axes of [1, undefined])
                  await expect(
                    (async () => t.sum(axes).data())(),
                    `[${row}] over axes ${axes ?? 'all'}`,
                  ).rejects.toThrow(DTypeError);
              }
            },
          },
        ]
      : []),
    {
      name: 'int32 extremes (exact sums that fit)',
      dtypes: INT32,
      async run(ctx) {
        // a long row whose partial sums cross int32's bounds both ways, in any order: 35 × 2e9, 35 × −2e9
        const long = ctx.nd(
          [...Array<number>(35).fill(2e9), ...Array<number>(35).fill(-2e9)],
          [70],
        );
        if (op === 'sum')
          await ctx.expect(ctx.make(long, 'sliced').sum(), ref.reduce('sum', long).out, {
            label: 'long row',
          });
        const x = ctx.nd(INT_ROWS.flat(), [INT_ROWS.length, 5]);
        for (const axes of [1, 0, undefined]) {
          const { out } = ref.reduce(op, x, axes);
          await ctx.expect(call(op, ctx.make(x, 'transposed'), axes, false), out, {
            label: `axes ${axes ?? 'all'}`,
          });
        }
      },
    },
  ];
}

export const REDUCE_CASES = Object.fromEntries(
  REDUCE_OPS.map((op) => [op, reduceCases(op)]),
) as Record<ReduceOp, Case[]>;
