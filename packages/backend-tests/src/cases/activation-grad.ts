import { type ActivationOp, type Backend, activationGrad } from '@nablajs/tensor';
import type { CaseContext, Layout } from '../context.js';
import { type Nd, fromValues } from '../nd.js';
import { type Case, FLOATS, between, composite } from './case.js';

// `activationGrad` (the fused backward of sigmoid, tanh and relu from their output y) against its
// definition in float64: sigmoid g·y·(1 − y), tanh g·(1 − y²), relu 0 where y ≤ 0 and g elsewhere
// (PyTorch's threshold_backward: a NaN gradient where y ≤ 0 still gives 0, a NaN y passes g). A backend without the
// kernel runs the composition in `@nablajs/tensor`; one case hides the kernel to check that too.

const OPS: readonly ActivationOp[] = ['sigmoid', 'tanh', 'relu'];

const LOCAL: Record<ActivationOp, (y: number, g: number) => number> = {
  sigmoid: (y, g) => g * (y * (1 - y)),
  tanh: (y, g) => g * (1 - y * y),
  relu: (y, g) => (y <= 0 ? 0 : g),
};

/** Outputs in each activation's range: sigmoid (0, 1), tanh (−1, 1), relu [0, 3) with zeros. */
const OUTPUTS = {
  sigmoid: between(0, 1),
  tanh: between(-1, 1),
  relu: (r, dtype) => Math.max(0, between(-1, 3)(r, dtype)),
} satisfies Record<ActivationOp, ReturnType<typeof between>>;

async function check(
  ctx: CaseContext,
  op: ActivationOp,
  shape: number[],
  layout: Layout = 'contiguous',
  backend: Backend = ctx.backend,
): Promise<void> {
  const y = ctx.values(shape, OUTPUTS[op]);
  const g = ctx.values(shape, between(-2, 2));
  await expectGrad(ctx, op, y, g, layout, backend);
}

async function expectGrad(
  ctx: CaseContext,
  op: ActivationOp,
  y: Nd,
  g: Nd,
  layout: Layout,
  backend: Backend,
): Promise<void> {
  const want = fromValues(
    y.dtype,
    y.shape,
    y.data.map((v, i) => LOCAL[op](v, g.data[i]!)),
  );
  const got = activationGrad(op, ctx.make(y, layout, backend), ctx.make(g, layout, backend));
  await ctx.expect(got, want, { label: op });
}

const c = (name: string, run: (ctx: CaseContext, op: ActivationOp) => Promise<void>): Case => ({
  name,
  dtypes: FLOATS,
  run: async (ctx) => {
    for (const op of OPS) await run(ctx, op);
  },
});

/** The cases of `FusedKernels.activationGrad`, for `FUSED_CASES`. */
export const ACTIVATION_GRAD_CASES: Case[] = [
  c('sigmoid, tanh and relu, contiguous [4,5] and 0-d', async (ctx, op) => {
    await check(ctx, op, [4, 5]);
    await check(ctx, op, []);
  }),
  c('a transposed view [6,7], a sliced one [5,3], empty [0,3]', async (ctx, op) => {
    await check(ctx, op, [6, 7], 'transposed');
    await check(ctx, op, [5, 3], 'sliced');
    await check(ctx, op, [0, 3]);
  }),
  c('long [3,1029]', (ctx, op) => check(ctx, op, [3, 1029])),
  c(
    'relu at y = 0 gives 0 (a NaN or ∞ gradient too); NaN and ±∞ gradients elsewhere',
    (ctx, op) => {
      const y = ctx.nd(op === 'relu' ? [0, 0, 1, 2, 0, NaN] : [0.5, 0.25, 0, 0.75, 1, NaN]);
      const g = ctx.nd([1, NaN, Infinity, -Infinity, -Infinity, 3]);
      return expectGrad(ctx, op, y, g, 'contiguous', ctx.backend);
    },
  ),
  c('the composition the fused kernel replaces (fused kernels hidden) agrees', (ctx, op) =>
    check(ctx, op, [5, 6], 'transposed', composite(ctx.backend)),
  ),
];
