import {
  type Backend,
  fusedLayerNorm,
  fusedLayerNormGrad,
  fusedSoftmax,
  fusedSoftmaxGrad,
} from '@nablajs/tensor';
import type { CaseContext, Layout } from '../context.js';
import type { Nd } from '../nd.js';
import * as oracle from '../oracle/rows.js';
import { type Case, FLOATS, between, composite } from './case.js';

// The row kernels through their entry points (`fusedSoftmax`, `fusedLayerNorm`, …), which bring any
// view to dense [rows, last axis] first; against their definitions (oracle/rows.ts). A backend
// without a kernel runs the composition in `@nablajs/tensor`, checked by the same cases, and each op
// has a case that hides the fused kernels to check the composition on every backend.

type RowOp = 'softmax' | 'softmaxGrad' | 'layerNorm' | 'layerNormGrad';
const EPS = 1e-5;

/** Runs `op` on x (and g) laid out as `layout`, against the oracle. */
async function check(
  ctx: CaseContext,
  op: RowOp,
  x: Nd,
  g: Nd,
  layout: Layout,
  backend: Backend = ctx.backend,
  label = '',
): Promise<void> {
  const opts = (want: { scale?: Float64Array }) => ({
    ...(want.scale && { scale: want.scale }),
    label,
  });
  if (op === 'softmax') {
    const want = oracle.softmax(x);
    return ctx.expect(fusedSoftmax(ctx.make(x, layout, backend)), want.out, opts(want));
  }
  if (op === 'softmaxGrad') {
    const y = oracle.softmax(x).out;
    const want = oracle.softmaxGrad(y, g);
    const got = fusedSoftmaxGrad(ctx.make(y, layout, backend), ctx.make(g, layout, backend));
    return ctx.expect(got, want.out, opts(want));
  }
  if (op === 'layerNorm') {
    const want = oracle.layerNorm(x, EPS);
    return ctx.expect(fusedLayerNorm(ctx.make(x, layout, backend), EPS), want.out, opts(want));
  }
  const want = oracle.layerNormGrad(x, g, EPS);
  const got = fusedLayerNormGrad(ctx.make(x, layout, backend), ctx.make(g, layout, backend), EPS);
  return ctx.expect(got, want.out, opts(want));
}

function rowCases(op: RowOp): Case[] {
  const c = (name: string, run: (ctx: CaseContext) => Promise<void>): Case => ({
    name,
    dtypes: FLOATS,
    run,
  });
  const random = (ctx: CaseContext, shape: number[], layout: Layout = 'contiguous', b?: Backend) =>
    check(ctx, op, ctx.values(shape, between(-4, 4)), ctx.values(shape, between(-2, 2)), layout, b);
  const softmaxOp = op === 'softmax' || op === 'softmaxGrad';
  return [
    c('contiguous [4,5]', (ctx) => random(ctx, [4, 5])),
    c('a transposed view [6,7] and a sliced one [5,3]', async (ctx) => {
      await random(ctx, [6, 7], 'transposed');
      await random(ctx, [5, 3], 'sliced');
    }),
    c('over the last axis of [2,3,9], of one column [3,1], of 0-length rows [2,0]', async (ctx) => {
      await random(ctx, [2, 3, 9]);
      await random(ctx, [3, 1]);
      await random(ctx, [2, 0]);
      await random(ctx, [0, 4]);
    }),
    c('long rows [3,1029]', (ctx) => random(ctx, [3, 1029])),
    c(
      softmaxOp
        ? 'rows of −∞ give zeros, partly −∞ rows and a NaN row'
        : 'constant rows (variance 0) and large offsets',
      async (ctx) => {
        const I = Infinity;
        const x = softmaxOp
          ? ctx.nd([-I, -I, -I, -I, 0, -I, 1, 2, 3, 1, NaN, 2, 1e4, -1e4, 0, 5], [4, 4])
          : ctx.nd([2, 2, 2, 2, 1e4, 1e4 + 1, 1e4 + 2, 1e4 + 3, -3, 0, 3, 6, 0, 0, 0, 0], [4, 4]);
        await check(ctx, op, x, ctx.values([4, 4], between(-2, 2)), 'contiguous');
      },
    ),
    c('the composition the fused kernel replaces (fused kernels hidden) agrees', (ctx) =>
      random(ctx, [5, 6], 'transposed', composite(ctx.backend)),
    ),
  ];
}

/** The cases of the row kernels, for `FUSED_CASES`. */
export const ROW_CASES: Record<RowOp, Case[]> = {
  softmax: rowCases('softmax'),
  softmaxGrad: rowCases('softmaxGrad'),
  layerNorm: rowCases('layerNorm'),
  layerNormGrad: rowCases('layerNormGrad'),
};
