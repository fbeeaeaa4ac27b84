// Fuzz properties of the indexing ops: gather, scatterAdd, concat and assignment into views.
import { concat, scatterAdd, tensor } from '@nablajs/tensor';
import * as ref from '../reference.js';
import {
  DEFAULT_DOMAIN,
  at,
  flushed,
  input,
  makeView,
  ndOf,
  recipe,
  shapeOf,
  values,
} from './gen.js';
import { type Property, check, partner, pickDtype, show } from './property.js';

/** Gather and scatterAdd, concat, and assignment into a strided view. */
export const INDEXING: Record<string, Property> = {
  gather: {
    ops: ['gather', 'scatterAdd'],
    async run(c, op) {
      const shape = shapeOf(c.r, 3, 4).concat([c.r.int(1, 4)]);
      const axis = c.r.int(0, shape.length - 1);
      shape[axis] ||= 1; // indices need somewhere to point
      const ishape = shape.map((d, i) => (i === axis ? c.r.int(0, 5) : c.r.int(0, d)));
      const idx = ndOf('int32', ishape, () => c.r.int(0, shape[axis]! - 1));
      const [ti] = makeView(c.backend, idx, ishape, recipe(c.r, ishape, false), c.made);
      const dtype = pickDtype(c);
      if (op === 'gather') {
        const [tx, x] = input(c.r, c.backend, dtype, shape, c.made);
        const alt = c.flushes ? [ref.gather(flushed(x), axis, idx)] : [];
        await check(c, `gather(${show(x)}, ${axis}, ${show(idx)})`, tx.gather(axis, ti), ref.gather(x, axis, idx), { alternatives: alt }); // prettier-ignore
        return;
      }
      const [ts, src] = input(c.r, c.backend, dtype, ishape, c.made);
      const { out, scale } = ref.scatterAdd(shape, axis, idx, src);
      const alt = c.flushes ? [ref.scatterAdd(shape, axis, idx, flushed(src)).out] : [];
      await check(c, `scatterAdd([${shape}], ${axis}, ${show(idx)}, ${show(src)})`, scatterAdd(shape, axis, ti, ts), out, { scale, alternatives: alt }); // prettier-ignore
    },
  },

  concat: {
    ops: ['concat'],
    async run(c) {
      const shape = shapeOf(c.r, 3, 3).concat([c.r.int(0, 3)]);
      const axis = c.r.int(0, shape.length - 1);
      const parts = Array.from(
        { length: c.r.int(1, 3) },
        () =>
        input(c.r, c.backend, pickDtype(c), shape.map((d, i) => (i === axis ? c.r.int(0, 3) : d)), c.made), // prettier-ignore
      );
      const xs = parts.map(([, x]) => x);
      await check(c, `concat(${xs.map(show).join(', ')}, ${axis})`, concat(parts.map(([t]) => t), axis), ref.concat(xs, axis)); // prettier-ignore
    },
  },

  copy: {
    ops: ['copy'],
    async run(c) {
      // assign into a strided (slice + permute) view of a base tensor; the rest must not move
      const dtype = pickDtype(c);
      const bshape = shapeOf(c.r, 3, 5).concat([c.r.int(1, 5)]);
      const base = values(c.r, dtype, bshape);
      const tb = tensor(Float64Array.from(base.data), { backend: c.backend, dtype, shape: bshape });
      c.made.push(tb);
      const spec = bshape.map((d) => {
        const step = c.r.int(1, 2);
        const start = c.r.int(0, d - 1);
        const len = c.r.int(0, Math.floor((d - 1 - start) / step) + 1);
        return [start, start + len * step, step] as [number, number, number];
      });
      const order = [...bshape.keys()].sort(() => c.r.next() - 0.5);
      const view = tb.slice(spec).permute(...order);
      c.made.push(view);
      const vdtype = pickDtype(c, dtype);
      // a float written into int32 is truncated; outside int32 (or NaN) it is not a contract
      const finite = dtype === 'int32' && vdtype !== 'int32';
      const [tv, v] = input(c.r, c.backend, vdtype, partner(c, view.shape), c.made, finite ? { lo: -1e6, hi: 1e6, edges: [0, -0.5, 1.9] } : DEFAULT_DOMAIN); // prettier-ignore
      view.assign(tv);
      // expected: the base with each view element replaced by the value cast to the base's dtype
      const want = ndOf(dtype, bshape, (idx) => {
        const q = idx.map((k, j) => (k - spec[j]![0]) / spec[j]![2]);
        const inside = q.every((k, j) => Number.isInteger(k) && k >= 0 && spec[j]![0] + k * spec[j]![2] < spec[j]![1]); // prettier-ignore
        if (!inside) return at(base, idx);
        return at(
          v,
          order.map((o) => q[o]!),
        );
      });
      const alt = c.flushes ? [flushed(want)] : [];
      await check(c, `assign ${show(v)} into a view of ${show(base)}`, tb, want, { alternatives: alt }); // prettier-ignore
    },
  },
};
