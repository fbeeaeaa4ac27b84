import { expect } from 'vitest';
import {
  type Backend,
  type FusedKernels,
  IndexError,
  type Tensor,
  linear,
  softmaxCrossEntropy,
  softmaxCrossEntropyGrad,
} from '@nablajs/tensor';
import type { CaseContext, Layout } from '../context.js';
import type { Nd } from '../nd.js';
import * as oracle from '../oracle/fused.js';
import { type Case, FLOATS, INT32, between, composite } from './case.js';
import { ADAM_CASES, SGD_CASES } from './fused-optim.js';
import { ROW_CASES } from './rows.js';
import { ACTIVATION_GRAD_CASES } from './activation-grad.js';
import { CONV_CASES, CONV_GRAD_CASES } from './fused-conv.js';

// The fused kernels through the entry points `@nablajs/tensor` routes to them (`linear`,
// `softmaxCrossEntropy`, …), against the oracle of the composition they replace. A backend without
// a kernel runs the composition: the same cases then hold the fallback to the same values. Each op
// also has a case that hides the backend's fused kernels and checks the composition on the backend.

const logitValues = between(-6, 6);

interface CrossEntropyInputs {
  x: Nd;
  labels: Nd;
  g: Nd;
}

/** Logits [N, C] (×3 of a unit range), labels in [0, C), gradient weights g [N]. */
function crossEntropyInputs(ctx: CaseContext, N: number, C: number): CrossEntropyInputs {
  return {
    x: ctx.values([N, C], logitValues),
    labels: ctx.values([N], (r) => r.int(0, C - 1), 'int32'),
    g: ctx.values([N], between(-2, 2)),
  };
}

/** x's rows as a dense view one row into its storage (a row of 7s before them): an offset. */
function rowOffset(ctx: CaseContext, x: Nd, backend: Backend): Tensor {
  const [N, C] = x.shape as [number, number];
  const padded = ctx.nd([...new Array<number>(C).fill(7), ...x.data], [N + 1, C]);
  return ctx.track(ctx.make(padded, 'contiguous', backend).slice([[1, N + 1]]));
}

/** The loss or its gradient on the backend (labels and g in `lay`), checked against the oracle. */
async function checkCrossEntropy(
  ctx: CaseContext,
  kind: 'loss' | 'grad',
  { x, labels, g }: CrossEntropyInputs,
  [logitsLayout, lay]: [Layout | 'row offset', Layout] = ['contiguous', 'contiguous'],
  { backend = ctx.backend, label = '' }: { backend?: Backend; label?: string } = {},
): Promise<void> {
  const logits =
    logitsLayout === 'row offset' ? rowOffset(ctx, x, backend) : ctx.make(x, logitsLayout, backend);
  const y = ctx.make(labels, lay, backend);
  if (kind === 'loss') {
    const want = oracle.softmaxCrossEntropy(x, labels);
    await ctx.expect(softmaxCrossEntropy(logits, y), want.out, { scale: want.scale, label });
  } else {
    const want = oracle.softmaxCrossEntropyGrad(x, labels, g);
    const gt = ctx.make(g, lay, backend);
    await ctx.expect(softmaxCrossEntropyGrad(logits, y, gt), want.out, {
      scale: want.scale,
      label,
    });
  }
}

function crossEntropyCases(kind: 'loss' | 'grad'): Case[] {
  // labels are int32 tensors: the cases need int32 beside the float under test
  const c = (name: string, run: (ctx: CaseContext) => Promise<void>): Case => ({
    name,
    dtypes: FLOATS,
    requires: INT32,
    run,
  });
  const check = (
    ctx: CaseContext,
    N: number,
    C: number,
    layouts?: [Layout | 'row offset', Layout],
    l?: string,
  ) => checkCrossEntropy(ctx, kind, crossEntropyInputs(ctx, N, C), layouts, { label: l });
  return [
    c('contiguous [4,5]', (ctx) => check(ctx, 4, 5)),
    c('transposed logits [6,7], sliced labels and weights', (ctx) =>
      check(ctx, 6, 7, ['transposed', 'sliced']),
    ),
    c('dense logits one row into their storage, sliced labels and weights [7,5]', (ctx) =>
      check(ctx, 7, 5, ['row offset', 'sliced']),
    ),
    c('logits sliced with a step and an offset [5,3]', (ctx) =>
      check(ctx, 5, 3, ['sliced', 'contiguous']),
    ),
    c(
      'odd sizes: [33,10], [300,10] (rows past a workgroup), one class [3,1], one row [1,6]',
      async (ctx) => {
        const shapes = [
          [33, 10],
          [300, 10],
          [3, 1],
          [1, 6],
        ];
        for (const [N, C] of shapes) await check(ctx, N!, C!, undefined, `[${N},${C}]`);
      },
    ),
    c('no rows: [0,5], and no rows nor classes: [0,0]', async (ctx) => {
      await check(ctx, 0, 5, undefined, '[0,5]');
      await check(ctx, 0, 0, undefined, '[0,0]');
    }),
    c('many classes: [5,1000], [2,5000] (rows in chunks on the CPU)', async (ctx) => {
      for (const [N, C] of [
        [5, 1000],
        [2, 5000],
      ])
        await check(ctx, N!, C!, undefined, `[${N},${C}]`);
    }),
    c('extreme logits: ±80, ±1000, −Infinity off and on the label, NaN', async (ctx) => {
      const I = Infinity;
      // prettier-ignore
      const rows = [
        [-80, 80, -80, 80], [1000, -1000, 0, 3], [-1000, -1000, -1000, -1000], [0, 0, 0, 0],
        [-I, 2, 1, 0], [-I, 2, 1, 0], [1, NaN, 2, 0],
      ];
      const inputs = {
        x: ctx.nd(rows.flat(), [rows.length, 4]),
        labels: ctx.nd([1, 0, 2, 3, 1, 0, 2], [rows.length], 'int32'),
        g: ctx.nd([1, -2, 0.5, 3, 1, -1, 2]),
      };
      for (const layout of ['contiguous', 'transposed'] as const)
        await checkCrossEntropy(ctx, kind, inputs, [layout, 'contiguous'], { label: layout });
    }),
    c('a label out of range is an IndexError (on WebGPU when read)', async (ctx) => {
      const logits = ctx.make(ctx.nd([1, 2, 3, 4, 5, 6], [2, 3]), 'contiguous');
      const labels = ctx.make(ctx.nd([0, 7], [2], 'int32'), 'contiguous');
      const g = ctx.make(ctx.nd([1, 1], [2]), 'contiguous');
      const bad = /^softmaxCrossEntropy: target label 7 is out of range for 3 classes/;
      const run = async () =>
        (kind === 'loss'
          ? softmaxCrossEntropy(logits, labels)
          : softmaxCrossEntropyGrad(logits, labels, g)
        ).data();
      await expect(run()).rejects.toThrow(IndexError);
      await expect(run()).rejects.toThrow(bad);
    }),
    c('no classes: logits [2,0] have no label in range, an IndexError', async (ctx) => {
      const none = ctx.make(ctx.nd([], [2, 0]), 'contiguous');
      const labels = ctx.make(ctx.nd([0, 0], [2], 'int32'), 'contiguous');
      const g = ctx.make(ctx.nd([1, 1], [2]), 'contiguous');
      const run = async () =>
        (kind === 'loss'
          ? softmaxCrossEntropy(none, labels)
          : softmaxCrossEntropyGrad(none, labels, g)
        ).data();
      await expect(run()).rejects.toThrow(/target label 0 is out of range for 0 classes/);
    }),
    c('the composition the fused kernel replaces (fused kernels hidden) agrees', (ctx) =>
      checkCrossEntropy(ctx, kind, crossEntropyInputs(ctx, 6, 7), ['transposed', 'sliced'], {
        backend: composite(ctx.backend),
        label: 'composite',
      }),
    ),
  ];
}

const linearValues = between(-2, 2);

/** linear(x, w, b) for x [N, K], w [O, K], b [O] (or none), in the layouts given. */
async function checkLinear(
  ctx: CaseContext,
  [N, K, O]: [number, number, number],
  { bias = true, x: lx = 'contiguous', w: lw = 'contiguous', b: lb = 'contiguous' } = {} as {
    bias?: boolean;
    x?: Layout;
    w?: Layout;
    b?: Layout;
  },
  backend: Backend = ctx.backend,
  values?: Nd,
): Promise<void> {
  const x = values ?? ctx.values([N, K], linearValues);
  const w = ctx.values([O, K], linearValues);
  const b = bias ? ctx.values([O], linearValues) : null;
  // a 'transposed' w is stored [K, O] and seen as [O, K]
  const got: Tensor = linear(
    ctx.make(x, lx, backend),
    ctx.make(w, lw, backend),
    b ? ctx.make(b, lb, backend) : undefined,
  );
  const want = oracle.linear(x, w, b);
  const label = `[${N},${K}]·[${O},${K}]ᵀ${b ? ' + b' : ''}, x ${lx}, w ${lw}`;
  await ctx.expect(got, want.out, { scale: want.scale, label });
}

const LINEAR_CASES: Case[] = [
  { name: '[5,7]·[3,7]ᵀ + b', dtypes: FLOATS, run: (ctx) => checkLinear(ctx, [5, 7, 3]) },
  {
    name: 'without a bias; K = 1; one output',
    dtypes: FLOATS,
    async run(ctx) {
      await checkLinear(ctx, [6, 9, 4], { bias: false });
      await checkLinear(ctx, [7, 1, 5]);
      await checkLinear(ctx, [3, 8, 1]);
    },
  },
  {
    name: 'x transposed, w transposed (stored [K,O]), the bias sliced with a step',
    dtypes: FLOATS,
    async run(ctx) {
      await checkLinear(ctx, [9, 6, 5], { x: 'transposed', w: 'transposed', b: 'sliced' });
      await checkLinear(ctx, [4, 5, 6], { x: 'sliced', w: 'sliced' });
    },
  },
  {
    name: 'odd sizes: partial tiles at every edge (and larger at full size)',
    dtypes: FLOATS,
    async run(ctx) {
      await checkLinear(ctx, [33, 70, 45]);
      if (ctx.small) return;
      await checkLinear(ctx, [130, 16, 129], { x: 'transposed' });
      await checkLinear(ctx, [10, 784, 30]);
    },
  },
  {
    name: 'empty: no rows; no inputs (the bias alone, or zeros)',
    dtypes: FLOATS,
    async run(ctx) {
      await checkLinear(ctx, [0, 5, 3]);
      await checkLinear(ctx, [2, 0, 4]);
      await checkLinear(ctx, [2, 0, 4], { bias: false });
    },
  },
  {
    name: 'NaN and ±Infinity propagate (Infinity · 0 is NaN)',
    dtypes: FLOATS,
    async run(ctx) {
      const x = ctx.nd([1, Infinity, 0, NaN, 0, 1, -Infinity, 2, 0, 1, 1, 1], [4, 3]);
      await checkLinear(ctx, [4, 3, 2], {}, ctx.backend, x);
    },
  },
  {
    name: 'the composition the fused kernel replaces (fused kernels hidden) agrees',
    dtypes: FLOATS,
    run: (ctx) =>
      checkLinear(ctx, [9, 6, 5], { x: 'transposed', b: 'sliced' }, composite(ctx.backend)),
  },
];

/** The cases of each optional fused kernel, run on every backend (or its composite fallback). */
export const FUSED_CASES: Record<keyof FusedKernels, Case[]> = {
  sgd: SGD_CASES,
  adam: ADAM_CASES,
  softmaxCrossEntropy: crossEntropyCases('loss'),
  softmaxCrossEntropyGrad: crossEntropyCases('grad'),
  linear: LINEAR_CASES,
  activationGrad: ACTIVATION_GRAD_CASES,
  conv: CONV_CASES,
  convGrad: CONV_GRAD_CASES,
  ...ROW_CASES,
};
