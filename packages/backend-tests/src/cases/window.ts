import {
  type WindowGeometry,
  type WindowOp,
  WINDOW,
  col2im,
  im2col,
  maxPool,
  maxPoolGrad,
} from '@nablajs/tensor';
import type { CaseContext, Layout } from '../context.js';
import { LAYOUTS } from '../context.js';
import * as ref from '../reference-window.js';
import { type Case, EDGES, FLOATS, between, integers } from './case.js';

const values = between(-3, 3, -50, 50);

/** One geometry: the input [N, C, ...spatial] and the window. */
interface Geo {
  label: string;
  x: number[];
  k: number[];
  s?: number[];
  p?: number[];
  d?: number[];
}

// prettier-ignore
const GEOS: Geo[] = [
  { label: '2-d 3×3 on [2,3,5,6]', x: [2, 3, 5, 6], k: [3, 3] },
  { label: '2-d stride 2, padding 1', x: [2, 2, 7, 6], k: [3, 3], s: [2, 2], p: [1, 1] },
  { label: '2-d mixed: k [3,2], s [2,1], p [1,0], d [1,2]', x: [1, 3, 7, 8], k: [3, 2], s: [2, 1], p: [1, 0], d: [1, 2] },
  { label: '2-d dilation 2, padding 2, stride 3, odd sizes', x: [3, 1, 9, 11], k: [3, 3], s: [3, 3], p: [2, 2], d: [2, 2] },
  { label: '2-d kernel 1×1, stride 2', x: [2, 4, 5, 5], k: [1, 1], s: [2, 2] },
  { label: '2-d kernel as large as the padded input', x: [1, 2, 3, 4], k: [5, 4], p: [1, 0] },
  { label: '1-d k3 s2 p1 d2 on [2,3,9]', x: [2, 3, 9], k: [3], s: [2], p: [1], d: [2] },
  { label: '3-d k [2,3,2] s [1,2,1] p [1,1,0]', x: [1, 2, 3, 5, 4], k: [2, 3, 2], s: [1, 2, 1], p: [1, 1, 0] },
];

/** LeNet's first layer (5×5, padding 2), smaller on slow devices. */
const lenet = (ctx: CaseContext): Geo =>
  ctx.small
    ? { label: 'LeNet-like 5×5 pad 2 on [2,1,12,12]', x: [2, 1, 12, 12], k: [5, 5], p: [2, 2] }
    : { label: 'LeNet 5×5 pad 2 on [4,1,28,28]', x: [4, 1, 28, 28], k: [5, 5], p: [2, 2] };

const geometry = (g: Geo): WindowGeometry =>
  ref.windowGeometry(g.x.slice(2), g.k, { stride: g.s, padding: g.p, dilation: g.d });
const options = (g: Geo) => ({ kernelSize: g.k, stride: g.s, padding: g.p, dilation: g.d });

// ---- im2col / col2im

async function unfold(ctx: CaseContext, g: Geo, layout: Layout = 'contiguous') {
  const [x, xv] = ctx.input(g.x, values, layout);
  await ctx.expect(im2col(x, options(g)), ref.im2col(xv, geometry(g)), {
    exact: true,
    label: `${g.label}, ${layout}`,
  });
}

async function fold(ctx: CaseContext, g: Geo, layout: Layout = 'contiguous') {
  const geo = geometry(g);
  const K = geo.kernel.reduce((a, b) => a * b, 1);
  const L = geo.output.reduce((a, b) => a * b, 1);
  const [c, cv] = ctx.input([g.x[0]!, g.x[1]! * K, L], values, layout);
  const { out, scale } = ref.col2im(cv, geo);
  await ctx.expect(col2im(c, g.x.slice(2), options(g)), out, {
    scale,
    label: `${g.label}, ${layout}`,
  });
}

/** Every geometry, then every layout on one, then LeNet's size. */
function cases(run: (ctx: CaseContext, g: Geo, l?: Layout) => Promise<void>, op: WindowOp): Case[] {
  const dtypes = WINDOW[op].dtypes === 'any' ? undefined : FLOATS;
  return [
    ...GEOS.map((g) => ({ name: g.label, dtypes, run: (ctx: CaseContext) => run(ctx, g) })),
    {
      name: 'strided inputs: transposed, sliced, broadcast (stride 0)',
      dtypes,
      async run(ctx) {
        for (const l of LAYOUTS.slice(1)) await run(ctx, GEOS[2]!, l);
      },
    },
    { name: 'LeNet size', dtypes, run: (ctx) => run(ctx, lenet(ctx)) },
  ];
}

const IM2COL_CASES: Case[] = [
  ...cases(unfold, 'im2col'),
  {
    name: 'edge values are copied bit for bit',
    dtypes: FLOATS,
    async run(ctx) {
      const x = ctx.nd(EDGES.slice(0, 16), [1, 1, 4, 4]);
      const g = { label: '', x: [1, 1, 4, 4], k: [2, 3], p: [1, 1] };
      await ctx.expect(im2col(ctx.make(x, 'sliced'), options(g)), ref.im2col(x, geometry(g)), {
        exact: true,
      });
    },
  },
];

const COL2IM_CASES: Case[] = cases(fold, 'col2im');

// ---- maxPool / maxPoolGrad: geometries where padding is at most half the kernel

// prettier-ignore
const POOLS: Geo[] = [
  { label: '2×2 stride 2 on [2,3,6,8]', x: [2, 3, 6, 8], k: [2, 2], s: [2, 2] },
  { label: '3×3 stride 2 padding 1, odd sizes', x: [2, 2, 7, 9], k: [3, 3], s: [2, 2], p: [1, 1] },
  { label: 'overlapping 3×2 stride 1, dilation [2,1], padding [1,1]', x: [1, 3, 6, 5], k: [3, 2], p: [1, 1], d: [2, 1] },
  { label: '1-d k3 s2 p1 on [2,3,9]', x: [2, 3, 9], k: [3], s: [2], p: [1] },
  { label: '3-d 2×2×2 stride 2', x: [1, 2, 4, 4, 6], k: [2, 2, 2], s: [2, 2, 2] },
  // MaxPool2d(2) on odd sizes (the CPU has a kernel of its own for it): 6 windows a row, the last
  // input row and column in none
  { label: '2×2 stride 2 on [2,3,7,13]', x: [2, 3, 7, 13], k: [2, 2], s: [2, 2] },
];

async function pool(ctx: CaseContext, g: Geo, layout: Layout = 'contiguous', gen = values) {
  const [x, xv] = ctx.input(g.x, gen, layout);
  const want = ref.maxPool(xv, geometry(g));
  const [v, i] = maxPool(x, options(g));
  const label = `${g.label}, ${layout}`;
  await ctx.expect(v, want.values, { exact: true, label: `${label}: values` });
  await ctx.expect(i, want.indices, { label: `${label}: indices` });
}

async function poolGrad(ctx: CaseContext, g: Geo, layout: Layout = 'contiguous') {
  const geo = geometry(g);
  // the indices of a real pooling (with ties, from integer inputs), the gradient in `layout`
  const xv = ctx.values(g.x, integers(-3, 3));
  const { indices } = ref.maxPool(xv, geo);
  const [gt, gv] = ctx.input([g.x[0]!, g.x[1]!, ...geo.output], values, layout);
  const { out, scale } = ref.maxPoolGrad(gv, indices, geo);
  const grad = maxPoolGrad(gt, ctx.make(indices), g.x.slice(2), options(g));
  await ctx.expect(grad, out, { scale, label: `${g.label}, ${layout}` });
}

const POOL_CASES = (run: typeof pool | typeof poolGrad): Case[] => [
  ...POOLS.map((g) => ({ name: g.label, dtypes: FLOATS, run: (ctx: CaseContext) => run(ctx, g) })),
  {
    name: 'strided inputs: transposed, sliced, broadcast (stride 0)',
    dtypes: FLOATS,
    async run(ctx) {
      for (const l of LAYOUTS.slice(1)) await run(ctx, POOLS[2]!, l);
    },
  },
  {
    name: 'LeNet size: 2×2 stride 2',
    dtypes: FLOATS,
    run: (ctx) =>
      run(ctx, {
        label: 'LeNet',
        x: ctx.small ? [2, 3, 8, 8] : [8, 6, 28, 28],
        k: [2, 2],
        s: [2, 2],
      }),
  },
];

const MAX_POOL_CASES: Case[] = [
  ...POOL_CASES(pool),
  {
    name: 'ties go to the first maximum (integer values)',
    dtypes: FLOATS,
    async run(ctx) {
      for (const g of [POOLS[2]!, POOLS[5]!]) await pool(ctx, g, 'contiguous', integers(-1, 1));
    },
  },
  {
    name: "NaN wins (the last one), −∞ and ±0 as PyTorch's kernel",
    dtypes: FLOATS,
    async run(ctx) {
      // a 4×4 pattern (NaN twice in a window, −∞ only, −0 against 0, ∞) repeated along the rows,
      // so that SIMD kernels meet it four windows at a time and in their scalar tails
      // prettier-ignore
      const tile = [
        [1, NaN, 3, NaN], [-Infinity, -Infinity, -0, 0], [-Infinity, -Infinity, 0, -0], [Infinity, 2, NaN, -1],
      ];
      for (const g of [
        { label: '2×2 stride 2', x: [1, 1, 4, 17], k: [2, 2], s: [2, 2] },
        { label: '2×2 stride 2, 6 windows a row', x: [1, 1, 4, 13], k: [2, 2], s: [2, 2] },
        { label: '2×2 stride 1 padding 1', x: [1, 1, 4, 17], k: [2, 2], p: [1, 1] },
        { label: '1×3 stride 3', x: [1, 1, 4, 17], k: [1, 3], s: [1, 3] },
      ]) {
        const reps = (g.x[3]! - 1) / 4;
        const x = ctx.nd(
          tile.flatMap((row) => [...Array<number[]>(reps).fill(row).flat(), 5]),
          g.x,
        );
        const want = ref.maxPool(x, geometry(g));
        const [v, i] = maxPool(ctx.make(x), options(g));
        await ctx.expect(v, want.values, { exact: true, label: `${g.label}: values` });
        await ctx.expect(i, want.indices, { label: `${g.label}: indices` });
      }
    },
  },
];

/** The cases of the sliding-window primitives, keyed by op (a new op without cases fails tsc). */
export const WINDOW_CASES: Record<WindowOp, Case[]> = {
  im2col: IM2COL_CASES,
  col2im: COL2IM_CASES,
  maxPool: MAX_POOL_CASES,
  maxPoolGrad: POOL_CASES(poolGrad),
};
