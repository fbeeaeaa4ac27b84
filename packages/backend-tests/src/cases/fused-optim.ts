import {
  type AdamStep,
  type SgdStep,
  type Tensor,
  fusedAdam,
  fusedSgd,
  stateZerosLike,
} from '@nablajs/tensor';
import { expect } from 'vitest';
import { type CaseContext, type Gen, SENTINEL } from '../context.js';
import { type Nd, fromValues, sizeOf } from '../nd.js';
import * as oracle from '../oracle/fused.js';
import { type Case, EDGES, FLOATS, between } from './case.js';

// The in-place optimizer updates, called as `@nablajs/optim` calls them: through `fusedSgd` /
// `fusedAdam`, on dense views at an offset into a larger buffer (as a flattened parameter is),
// step after step. Each step is checked on its own: the oracle takes the state the backend left.

/** A dense view of `x` at an offset: rows 1…n of an [n + 2, …] buffer whose other rows hold SENTINEL. */
export function offsetView(ctx: CaseContext, x: Nd, backend = ctx.backend): Tensor {
  const [head = 1, ...rest] = x.shape;
  const inner = sizeOf(rest);
  const data = new Float64Array((head + 2) * inner).fill(SENTINEL);
  data.set(x.data, inner);
  const base = ctx.make(fromValues(x.dtype, [head + 2, ...rest], data), 'contiguous', backend);
  return ctx.track(base.slice([[1, head + 1]]));
}

/** The values a backend tensor holds now, as an Nd like `like`. */
export const read = async (t: Tensor, like: Nd): Promise<Nd> =>
  fromValues(like.dtype, like.shape, await t.data());

const uniform = between(-2, 2);
const positive: Gen = (r) => r.uniform(0, 2) ** 2;

const SGD: SgdStep = {
  lr: 0.1,
  momentum: 0,
  dampening: 0,
  nesterov: false,
  weightDecay: 0,
  maximize: false,
  init: false,
};

/** Every valid combination (nesterov needs momentum and no dampening, as `optim.SGD` checks). */
const SGD_VARIANTS: Partial<SgdStep>[] = [false, true].flatMap((maximize) =>
  [0, 0.05].flatMap((weightDecay) =>
    [
      { momentum: 0 },
      { momentum: 0.9 },
      { momentum: 0.9, dampening: 0.3 },
      { momentum: 0.9, nesterov: true },
    ].map((m) => ({ ...m, weightDecay, maximize })),
  ),
);

const describeOpts = (o: object): string =>
  Object.entries(o)
    .filter(([, v]) => v !== 0 && v !== false)
    .map(([k, v]) => (v === true ? k : `${k} ${v}`))
    .join(', ') || 'plain';

/**
 * `steps` SGD steps (the first with `init` where there is momentum), a new gradient each step,
 * each step compared with the oracle. `p0`/`grads` override the generated values.
 */
async function sgdSteps(
  ctx: CaseContext,
  shape: number[],
  opts: Partial<SgdStep>,
  { steps = 3, p0, grads }: { steps?: number; p0?: Nd; grads?: Nd[] } = {},
): Promise<void> {
  const o = { ...SGD, ...opts };
  let p = p0 ?? ctx.values(shape, uniform);
  // the old buffer holds garbage: the first step must overwrite it, not blend it
  let buf = o.momentum !== 0 ? ctx.values(shape, uniform) : null;
  const P = offsetView(ctx, p);
  const B = buf && offsetView(ctx, buf);
  for (let step = 0; step < steps; step++) {
    const g = grads?.[step] ?? ctx.values(shape, uniform);
    const so = { ...o, init: step === 0 };
    const label = `${describeOpts(opts)}, step ${step + 1}`;
    expect(fusedSgd(P, offsetView(ctx, g), B, so), `${label}: fusedSgd took the views`).toBe(true);
    const want = oracle.sgd(p, g, buf, so);
    await ctx.expect(P, want.p.out, { scale: want.p.scale, inputs: [p, g], label: `${label}: p` });
    if (B && want.buf) {
      await ctx.expect(B, want.buf.out, { scale: want.buf.scale, label: `${label}: buffer` });
      buf = await read(B, buf!);
    }
    p = await read(P, p);
  }
}

const ADAM: AdamStep = {
  lr: 0.01,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  weightDecay: 0,
  decoupled: false,
  maximize: false,
  step: 1,
};

type AdamVariant = Partial<AdamStep> & { amsgrad?: boolean };
const ADAM_VARIANTS: AdamVariant[] = [false, true].flatMap((amsgrad) =>
  [false, true].flatMap((maximize) =>
    [
      { weightDecay: 0 },
      { weightDecay: 0.1 },
      { weightDecay: 0.1, decoupled: true },
      { weightDecay: 0, decoupled: true },
    ].map((w) => ({ ...w, maximize, amsgrad })),
  ),
);

/**
 * Adam steps `first`, `first + 1`, … with m, v (and vmax) carried, each compared with the oracle.
 * `state`: m and v start as an optimizer makes them, zeros from `stateZerosLike` (where the backend
 * may keep them for its kernel), instead of views holding random moments.
 */
async function adamSteps(
  ctx: CaseContext,
  shape: number[],
  { amsgrad = false, ...opts }: AdamVariant,
  {
    steps = 3,
    first = 1,
    grads,
    state = false,
  }: { steps?: number; first?: number; grads?: Nd[]; state?: boolean } = {},
): Promise<void> {
  const zeros = () => ctx.values(shape, () => 0);
  let [p, m] = [ctx.values(shape, uniform), state ? zeros() : ctx.values(shape, uniform)];
  // v ≥ 0, and vmax below v in some places and above it in others
  let v = state ? zeros() : ctx.values(shape, positive);
  let vmax = amsgrad ? ctx.values(shape, positive) : null;
  const P = offsetView(ctx, p);
  const [M, V] = state
    ? (stateZerosLike(P, 2).map((t) => ctx.track(t)) as [Tensor, Tensor])
    : [offsetView(ctx, m), offsetView(ctx, v)];
  const X = vmax && offsetView(ctx, vmax);
  for (let k = 0; k < steps; k++) {
    const o = { ...ADAM, ...opts, step: first + k };
    const g = grads?.[k] ?? ctx.values(shape, uniform);
    const label = `${describeOpts({ ...opts, amsgrad })}, step ${o.step}`;
    expect(fusedAdam(P, offsetView(ctx, g), M, V, X, o), `${label}: fusedAdam took the views`).toBe(
      true,
    );
    const want = oracle.adam(p, g, m, v, vmax, o);
    const named = [
      ['p', P, want.p],
      ['m', M, want.m],
      ['v', V, want.v],
      ['vmax', X, want.vmax],
    ] as const;
    for (const [name, t, r] of named)
      if (t && r) await ctx.expect(t, r.out, { scale: r.scale, label: `${label}: ${name}` });
    [p, m, v] = await Promise.all([read(P, p), read(M, m), read(V, v)]);
    if (X) vmax = await read(X, vmax!);
  }
}

/** A backend without the kernel: the entry point declines and touches nothing. */
async function declines(ctx: CaseContext, which: 'sgd' | 'adam'): Promise<void> {
  const x = ctx.values([3], uniform);
  const [a, b, c, d] = [0, 1, 2, 3].map(() => ctx.make(x)) as [Tensor, Tensor, Tensor, Tensor];
  const took = which === 'sgd' ? fusedSgd(a, b, null, SGD) : fusedAdam(a, b, c, d, null, ADAM);
  expect(took, `no fused ${which} on '${ctx.backend.name}': fused${which} declines`).toBe(false);
  await ctx.expect(a, x, { exact: true, label: 'the param, untouched' });
}

/** A float case of the fused `which`; on a backend without that kernel it checks the call declines. */
const kernelCase = (
  which: 'sgd' | 'adam',
  name: string,
  run: (ctx: CaseContext) => Promise<void>,
): Case => ({
  name,
  dtypes: FLOATS,
  run: (ctx) => (ctx.backend.fused?.[which] ? run(ctx) : declines(ctx, which)),
});

/** Views a fused update cannot take: the call declines (the optimizer composes) and writes nothing. */
async function stridedDeclined(ctx: CaseContext, which: 'sgd' | 'adam'): Promise<void> {
  const [t, x] = ctx.input([3, 4], uniform, 'transposed');
  const [s, y] = ctx.input([3, 4], uniform, 'sliced');
  const dense = () => ctx.make(ctx.values([3, 4], uniform));
  for (const [view, values, name] of [
    [t, x, 'transposed param'],
    [s, y, 'sliced param'],
  ] as const) {
    const took =
      which === 'sgd'
        ? fusedSgd(view, dense(), null, SGD)
        : fusedAdam(view, dense(), dense(), dense(), null, ADAM);
    expect(took, `${name}: declined`).toBe(false);
    await ctx.expect(view, values, { exact: true, label: `${name}, untouched` });
  }
}

/** Edge values: every pair of EDGES as (param, gradient), with ±Infinity, NaN, ±0, huge, tiny. */
const edgeGrid = (ctx: CaseContext): [Nd, Nd] => {
  const n = EDGES.length;
  const p = ctx.nd(
    EDGES.flatMap((v) => EDGES.map(() => v)),
    [n, n],
  );
  const g = ctx.nd(
    EDGES.flatMap(() => EDGES),
    [n, n],
  );
  return [p, g];
};

export const SGD_CASES: Case[] = [
  kernelCase(
    'sgd',
    'every combination of momentum, dampening, nesterov, weight decay, maximize: 3 steps',
    async (ctx) => {
      for (const o of SGD_VARIANTS) await sgdSteps(ctx, [7, 9], o);
    },
  ),
  kernelCase(
    'sgd',
    'long [5003] (the CPU past its WebAssembly threshold, with a tail)',
    async (ctx) => {
      for (const o of [{}, { weightDecay: 0.1, maximize: true }, { momentum: 0.8 }])
        await sgdSteps(ctx, [5003], o, { steps: 2 });
    },
  ),
  kernelCase(
    'sgd',
    'lr 0 keeps the param; momentum 0 leaves a buffer passed alone; one element',
    async (ctx) => {
      await sgdSteps(ctx, [4], { lr: 0, momentum: 0.9 });
      const [p, g, b] = [0, 1, 2].map(() => ctx.values([6], uniform)) as [Nd, Nd, Nd];
      const B = offsetView(ctx, b);
      expect(fusedSgd(offsetView(ctx, p), offsetView(ctx, g), B, SGD)).toBe(true);
      await ctx.expect(B, b, { exact: true, label: 'the buffer, untouched' });
      await sgdSteps(ctx, [1], { momentum: 0.5, nesterov: true });
    },
  ),
  kernelCase(
    'sgd',
    'edge values: ±Infinity, NaN, ±0, huge and tiny params and gradients',
    async (ctx) => {
      const [p, g] = edgeGrid(ctx);
      const opts = { steps: 2, p0: p, grads: [g, g] };
      await sgdSteps(ctx, [...p.shape], {}, opts);
      await sgdSteps(ctx, [...p.shape], { momentum: 0.9, weightDecay: 0.05, nesterov: true }, opts);
    },
  ),
  {
    name: 'strided views are declined and left untouched',
    dtypes: FLOATS,
    run: (ctx) => stridedDeclined(ctx, 'sgd'),
  },
];

export const ADAM_CASES: Case[] = [
  kernelCase(
    'adam',
    'every combination of weight decay (L2, decoupled), maximize, amsgrad: steps 1–3',
    async (ctx) => {
      for (const o of ADAM_VARIANTS) await adamSteps(ctx, [7, 9], o);
    },
  ),
  kernelCase(
    'adam',
    'long [5003] (the CPU past its WebAssembly threshold), Adam and AdamW',
    async (ctx) => {
      await adamSteps(ctx, [5003], {}, { steps: 2 });
      await adamSteps(ctx, [5003], { weightDecay: 0.01, decoupled: true }, { steps: 2 });
    },
  ),
  kernelCase(
    'adam',
    "moments from stateZerosLike, as an optimizer makes them: [5003] and [9001] (the CPU's slab)",
    async (ctx) => {
      for (const n of [5003, 9001]) await adamSteps(ctx, [n], {}, { steps: 3, state: true });
      await adamSteps(ctx, [9001], { weightDecay: 0.1, maximize: true }, { state: true });
    },
  ),
  kernelCase(
    'adam',
    'a late step (bias corrections near 1), unusual betas, a large eps and lr',
    async (ctx) => {
      await adamSteps(ctx, [5, 3], {}, { first: 10000, steps: 2 });
      const odd = { lr: 0.3, beta1: 0.5, beta2: 0.6, eps: 0.1, weightDecay: 0.2 };
      await adamSteps(ctx, [5, 3], { ...odd, amsgrad: true });
      await adamSteps(ctx, [1], { ...odd, decoupled: true, maximize: true });
    },
  ),
  kernelCase('adam', 'edge gradients: ±Infinity, NaN, ±0, tiny and large', async (ctx) => {
    // large stays below √(float32 max): v holds g², and an overflow there is float32's, not a bug
    const edges = [Infinity, -Infinity, NaN, 0, -0, 1e-30, -1e-30, 1e10, -1e10, 1, -2.5];
    const g = ctx.nd(edges);
    for (const amsgrad of [false, true])
      await adamSteps(ctx, [edges.length], { amsgrad, weightDecay: 0.1 }, { grads: [g, g, g] });
  }),
  {
    name: 'strided views are declined and left untouched',
    dtypes: FLOATS,
    run: (ctx) => stridedDeclined(ctx, 'adam'),
  },
];
