// Fuzz properties of the ops that sum: reductions, matmul and linear.
import { DTypeError, REDUCE_OPS, linear } from '@nablajs/tensor';
import { expect } from 'vitest';
import * as ref from '../reference.js';
import { type Nd, flushed, input, ndOf, shapeOf } from './gen.js';
import { SAFE_EDGES, type Property, check, floats, partner, pickDtype, show } from './property.js';

/** Whether every int32 sum of `x` over `axes` fits int32 (the reference raises where not). */
function fitsInt32(x: Nd, axes: number | number[] | undefined): boolean {
  try {
    ref.reduce('sum', x, axes);
    return true;
  } catch {
    return false;
  }
}

/** Reductions, matmul and linear. */
export const REDUCTIONS: Record<string, Property> = {
  reduce: {
    ops: REDUCE_OPS,
    async run(c, op) {
      const o = op as (typeof REDUCE_OPS)[number];
      const arg = o === 'argmax' || o === 'argmin';
      const shape = shapeOf(c.r, 4, 5);
      const [t, x] = input(c.r, c.backend, pickDtype(c), shape, c.made);
      const keep = c.r.next() < 0.5;
      let axes: number | number[] | undefined;
      if (c.r.next() < 0.25 || shape.length === 0) axes = undefined;
      else if (arg) axes = c.r.int(-shape.length, shape.length - 1);
      else axes = [...shape.keys()].filter(() => c.r.next() < 0.5);
      if (Array.isArray(axes) && axes.length === 0) axes = undefined;
      const reduced = axes === undefined ? [...shape.keys()] : [axes].flat();
      // an extreme of nothing is undefined (PyTorch raises): only sums reduce empty axes
      if (o !== 'sum' && reduced.some((a) => shape.at(a) === 0)) return;
      if (o === 'sum' && x.dtype === 'int32' && !fitsInt32(x, axes)) {
        // an int32 sum that does not fit raises (at once, or at the read) instead of wrapping
        await expect((async () => t.sum(axes, keep).data())()).rejects.toThrow(DTypeError);
        return;
      }
      const { out, scale } = ref.reduce(o, x, axes, keep);
      const got = arg ? t[o](axes as number | undefined, keep) : t[o](axes, keep);
      const alt = c.flushes ? [ref.reduce(o, flushed(x), axes, keep).out] : [];
      await check(c, `${o}(${show(x)}, ${JSON.stringify(axes)}, keepDims ${keep})`, got, out, {
        scale,
        alternatives: alt,
      });
    },
  },

  matmul: {
    ops: ['matmul'],
    async run(c) {
      const [M, K, N] = [0, 0, 0].map(() =>
        c.r.next() < 0.15 ? c.r.int(0, 1) : c.r.int(1, 9),
      ) as [number, number, number];
      const batch = shapeOf(c.r, 2, 3);
      const sa = c.r.next() < 0.15 ? [K] : [...batch, M!, K!];
      const sb = c.r.next() < 0.15 ? [K] : [...partner(c, batch), K!, N!];
      const domain = { lo: -2, hi: 2, intLo: -50, intHi: 50, edgeRate: 0.03, edges: SAFE_EDGES };
      const [ta, xa] = input(c.r, c.backend, pickDtype(c), sa, c.made, domain);
      const [tb, xb] = input(c.r, c.backend, pickDtype(c, ta.dtype), sb, c.made, domain);
      const { out, scale } = ref.matmul(xa, xb);
      const alt = c.flushes ? [ref.matmul(flushed(xa), flushed(xb)).out] : [];
      await check(c, `matmul(${show(xa)}, ${show(xb)})`, ta.matmul(tb), out, {
        scale,
        alternatives: alt,
      });
    },
  },

  linear: {
    ops: ['linear'],
    async run(c) {
      const fl = floats(c);
      if (!fl.length) return;
      const dtype = c.r.pick(fl);
      const [N, K, O] = [c.r.int(0, 9), c.r.int(0, 9), c.r.int(0, 9)];
      const domain = { lo: -2, hi: 2, edgeRate: 0.03, edges: SAFE_EDGES };
      const [tx, x] = input(c.r, c.backend, dtype, [N, K], c.made, domain);
      const [tw, w] = input(c.r, c.backend, dtype, [O, K], c.made, domain);
      const bias = c.r.next() < 0.7 ? input(c.r, c.backend, dtype, [O], c.made, domain) : null;
      const expect = (x: Nd, w: Nd, b: Nd | undefined) => {
        const out = ref.matmul(
          x,
          ndOf(dtype, [K, O], ([k, o]) => w.data[o! * K + k!]!),
        );
        return { ...out, out: b ? ref.binary('add', out.out, b) : out.out };
      };
      const { out: want, scale } = expect(x, w, bias?.[1]);
      const alt = c.flushes
        ? [expect(flushed(x), flushed(w), bias ? flushed(bias[1]) : undefined).out]
        : [];
      const sc = bias ? scale!.map((s, i) => s + Math.abs(bias[1].data[i % O]!)) : scale;
      await check(c, `linear(${show(x)}, ${show(w)}${bias ? `, ${show(bias[1])}` : ''})`, linear(tx, tw, bias?.[0]), want, { scale: sc, alternatives: alt }); // prettier-ignore
    },
  },
};
