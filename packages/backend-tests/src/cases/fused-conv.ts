import { type Backend, type WindowOptions, conv, convGrad } from '@nablajs/tensor';
import { expect } from 'vitest';
import type { CaseContext, Layout } from '../context.js';
import * as oracle from '../oracle/conv.js';
import { windowGeometry } from '../reference-window.js';
import { type Case, FLOATS, between, composite } from './case.js';

// The fused convolution (`conv`, `convGrad` of @nablajs/tensor) against the oracle of the
// composition it replaces, on the geometries of the window cases, LeNet's two layers, without a
// bias, and with strided operands (which a backend may decline: the composition then holds them to
// the same values).

const values = between(-2, 2);

/** One convolution: input [N, C, ...spatial], weight [O, C, ...kernel], the window. */
interface Conv {
  label: string;
  x: number[];
  w: number[];
  s?: number[];
  p?: number[];
  d?: number[];
}

// prettier-ignore
const CONVS: Conv[] = [
  { label: '2-d 3×3, [2,3,5,6] → 4 channels', x: [2, 3, 5, 6], w: [4, 3, 3, 3] },
  { label: '2-d stride 2, padding 1, odd sizes', x: [3, 2, 7, 6], w: [5, 2, 3, 3], s: [2, 2], p: [1, 1] },
  { label: '2-d mixed: k [3,2], s [2,1], p [1,0], d [1,2]', x: [1, 3, 7, 8], w: [9, 3, 3, 2], s: [2, 1], p: [1, 0], d: [1, 2] },
  { label: '2-d kernel 1×1, one output channel', x: [2, 4, 5, 5], w: [1, 4, 1, 1] },
  { label: '1-d k3 s2 p1 d2 on [2,3,9]', x: [2, 3, 9], w: [3, 3, 3], s: [2], p: [1], d: [2] },
  { label: '3-d k [2,3,2] s [1,2,1] p [1,1,0]', x: [1, 2, 3, 5, 4], w: [2, 2, 2, 3, 2], s: [1, 2, 1], p: [1, 1, 0] },
];

/** LeNet's layers: [N,1,28,28] 5×5 pad 2 → 6, [N,6,14,14] 5×5 → 16; smaller on slow devices. */
const lenet = (ctx: CaseContext): Conv[] =>
  ctx.small
    ? [{ label: 'LeNet-like 5×5 pad 2 on [2,1,12,12]', x: [2, 1, 12, 12], w: [6, 1, 5, 5], p: [2, 2] }]
    : [
        { label: 'LeNet conv1 on [3,1,28,28]', x: [3, 1, 28, 28], w: [6, 1, 5, 5], p: [2, 2] },
        { label: 'LeNet conv2 on [20,6,14,14]', x: [20, 6, 14, 14], w: [16, 6, 5, 5] },
      ]; // prettier-ignore

const options = (c: Conv): WindowOptions => ({
  kernelSize: c.w.slice(2),
  stride: c.s,
  padding: c.p,
  dilation: c.d,
});
const geometry = (c: Conv) =>
  windowGeometry(c.x.slice(2), c.w.slice(2), { stride: c.s, padding: c.p, dilation: c.d });

interface Run {
  bias?: boolean;
  layout?: Layout;
  backend?: Backend;
}

async function forward(ctx: CaseContext, c: Conv, { bias = true, layout = 'contiguous', backend = ctx.backend }: Run = {}) {
  const [xv, wv] = [ctx.values(c.x, values), ctx.values(c.w, values)];
  const bv = bias ? ctx.values([c.w[0]!], values) : null;
  const want = oracle.conv(xv, wv, bv, geometry(c));
  const b = bv ? ctx.make(bv, 'contiguous', backend) : null;
  const got = conv(ctx.make(xv, layout, backend), ctx.make(wv, layout, backend), b, options(c));
  await ctx.expect(got, want.out, { scale: want.scale, label: `${c.label}, ${layout}${bias ? '' : ', no bias'}` });
} // prettier-ignore

async function backward(ctx: CaseContext, c: Conv, { layout = 'contiguous', backend = ctx.backend }: Run = {}) {
  const g = geometry(c);
  const [xv, wv] = [ctx.values(c.x, values), ctx.values(c.w, values)];
  const gv = ctx.values([c.x[0]!, c.w[0]!, ...g.output], values);
  const want = oracle.convGrad(xv, wv, gv, g);
  const [x, w, gy] = [ctx.make(xv, layout, backend), ctx.make(wv, layout, backend), ctx.make(gv, layout, backend)];
  const label = `${c.label}, ${layout}`;
  const [dx, dw, db] = convGrad(x, w, gy, options(c), [true, true, true]);
  await ctx.expect(dx!, want.dx.out, { scale: want.dx.scale, label: `${label}: ∂x` });
  await ctx.expect(dw!, want.dw.out, { scale: want.dw.scale, label: `${label}: ∂w` });
  await ctx.expect(db!, want.db.out, { scale: want.db.scale, label: `${label}: ∂b` });
  // only what is asked for
  const [nx, nw, nb] = convGrad(x, w, gy, options(c), [false, true, false]);
  expect([nx, nb], `${label}: ∂x and ∂b not asked for`).toEqual([null, null]);
  await ctx.expect(nw!, want.dw.out, { scale: want.dw.scale, label: `${label}: ∂w alone` });
} // prettier-ignore

function cases(
  run: (ctx: CaseContext, c: Conv, r?: Run) => Promise<void>,
  noBias: boolean,
): Case[] {
  return [
    ...CONVS.map((c) => ({ name: c.label, dtypes: FLOATS, run: (ctx: CaseContext) => run(ctx, c) })),
    {
      name: "LeNet's layers",
      dtypes: FLOATS,
      async run(ctx) {
        for (const c of lenet(ctx)) await run(ctx, c);
      },
    },
    ...(noBias ? [{ name: 'without a bias', dtypes: FLOATS, run: (ctx: CaseContext) => run(ctx, CONVS[1]!, { bias: false }) }] : []),
    {
      name: 'strided operands: transposed, sliced',
      dtypes: FLOATS,
      async run(ctx) {
        for (const layout of ['transposed', 'sliced'] as const) await run(ctx, CONVS[2]!, { layout });
      },
    },
    {
      name: 'the composition the fused kernel replaces (fused kernels hidden) agrees',
      dtypes: FLOATS,
      run: (ctx) => run(ctx, CONVS[1]!, { backend: composite(ctx.backend) }),
    },
  ]; // prettier-ignore
}

export const CONV_CASES: Case[] = cases(forward, true);
export const CONV_GRAD_CASES: Case[] = cases(backward, false);
