import {
  DTypeError,
  type RandomDist,
  type Tensor,
  manualSeed,
  philoxBlocks,
  philoxFill,
  rand,
  randn,
} from '@nablajs/tensor';
import { expect } from 'vitest';
import type { CaseContext } from '../context.js';
import { sizeOf } from '../nd.js';
import { type Case, FLOATS, INT32 } from './case.js';

// Box–Muller in float32 on a GPU (log, sqrt, sin, cos) is a few ulps off the float64 reference.
const FACTOR: Record<RandomDist, number> = { uniform: 1, normal: 10 };

/** Asserts `t` is the documented Philox stream of (seed, offset), the spec in philox.ts. */
async function isStream(
  ctx: CaseContext,
  t: Tensor,
  dist: RandomDist,
  seed: number,
  offset: number,
  label?: string,
) {
  const e = new Float64Array(sizeOf(t.shape));
  philoxFill(dist, e, seed, offset);
  await ctx.expect(t, ctx.nd([...e], t.shape), { factor: FACTOR[dist], label });
}

const draw = (ctx: CaseContext, dist: RandomDist, shape: number[], seed?: number): Tensor =>
  (dist === 'uniform' ? rand : randn)(shape, {
    backend: ctx.backend,
    dtype: ctx.dtype,
    ...(seed === undefined ? {} : { seed }),
  });

async function moments(ctx: CaseContext, dist: RandomDist) {
  const data = await ctx.track(draw(ctx, dist, [100, 100], 2024)).data();
  let sum = 0;
  let sq = 0;
  let bad = 0;
  for (const v of data) {
    if (!Number.isFinite(v) || (dist === 'uniform' && !(v >= 0 && v < 1))) bad++;
    sum += v;
    sq += v * v;
  }
  expect(
    bad,
    `${dist}: values that are not finite${dist === 'uniform' ? ' or not in [0, 1)' : ''}`,
  ).toBe(0);
  const mean = sum / data.length;
  const sd = Math.sqrt(sq / data.length - mean * mean);
  // 10k samples: the standard error of the mean is sd/100; these bounds are about 5 of them
  const [m, s] = dist === 'uniform' ? [0.5, Math.sqrt(1 / 12)] : [0, 1];
  expect(Math.abs(mean - m), `${dist} mean ${mean}`).toBeLessThan(5 * (s / 100));
  expect(Math.abs(sd - s), `${dist} standard deviation ${sd}`).toBeLessThan(0.03 * s);
}

export const RANDOM_CASES: Case[] = [
  {
    name: 'the same seed gives the reference stream (uniform and normal, odd sizes)',
    dtypes: FLOATS,
    async run(ctx) {
      await isStream(
        ctx,
        ctx.track(draw(ctx, 'uniform', [10], 7)),
        'uniform',
        7,
        0,
        'uniform [10]',
      );
      await isStream(
        ctx,
        ctx.track(draw(ctx, 'normal', [3, 3], 7)),
        'normal',
        7,
        0,
        'normal [3,3]',
      );
      await isStream(
        ctx,
        ctx.track(draw(ctx, 'uniform', [1], 0)),
        'uniform',
        0,
        0,
        'uniform [1], seed 0',
      );
    },
  },
  {
    name: 'the global generator advances the offset by whole blocks',
    dtypes: FLOATS,
    async run(ctx) {
      manualSeed(123);
      const shapes: [RandomDist, number[]][] = [
        ['uniform', [5]],
        ['normal', [6]],
        ['uniform', [2, 2]],
        ['normal', [1]],
      ];
      let offset = 0;
      for (const [dist, shape] of shapes) {
        await isStream(
          ctx,
          ctx.track(draw(ctx, dist, shape)),
          dist,
          123,
          offset,
          `${dist} [${shape}] at offset ${offset}`,
        );
        offset += philoxBlocks(sizeOf(shape));
      }
      manualSeed(0);
    },
  },
  {
    name: 'seeds beyond 32 bits use both key words',
    dtypes: FLOATS,
    async run(ctx) {
      for (const seed of [2 ** 32 + 5, 2 ** 40 + 3, Number.MAX_SAFE_INTEGER])
        for (const dist of ['uniform', 'normal'] as const)
          await isStream(
            ctx,
            ctx.track(draw(ctx, dist, [7], seed)),
            dist,
            seed,
            0,
            `${dist}, seed ${seed}`,
          );
    },
  },
  {
    name: 'uniform: in [0, 1), mean 1/2, variance 1/12 over 10k samples',
    dtypes: FLOATS,
    run: (ctx) => moments(ctx, 'uniform'),
  },
  {
    name: 'normal: mean 0, standard deviation 1 over 10k samples',
    dtypes: FLOATS,
    run: (ctx) => moments(ctx, 'normal'),
  },
  {
    name: 'empty shape',
    dtypes: FLOATS,
    async run(ctx) {
      await ctx.expect(draw(ctx, 'uniform', [0, 3], 1), ctx.nd([], [0, 3]));
      await ctx.expect(draw(ctx, 'normal', [2, 0], 1), ctx.nd([], [2, 0]));
    },
  },
  {
    name: 'int32 is refused with DTypeError',
    dtypes: INT32,
    run(ctx) {
      expect(() => draw(ctx, 'uniform', [3], 1)).toThrow(DTypeError);
      expect(() => draw(ctx, 'normal', [3], 1)).toThrow(DTypeError);
    },
  },
];
