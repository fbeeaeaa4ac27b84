// The fuzzer's properties: each draws random shapes, views, dtypes and values for one op, runs it on
// the backend and compares with the float64 reference (its exported functions) or, for the fused
// kernels, with their documented maths written out in float64 here.
import { expect } from 'vitest';
import {
  type Backend,
  BINARY_OPS,
  type DType,
  DTypeError,
  UNARY,
  REDUCE_OPS,
  type Tensor,
  UNARY_OPS,
  concat,
  fusedAdam,
  fusedSgd,
  linear,
  scatterAdd,
  softmaxCrossEntropy,
  softmaxCrossEntropyGrad,
  tensor,
  where,
} from '@nablajs/tensor';
import * as ref from '../reference.js';

/** Whether every int32 sum of `x` over `axes` fits int32 (the reference raises where not). */
function fitsInt32(x: Nd, axes: number | number[] | undefined): boolean {
  try {
    ref.reduce('sum', x, axes);
    return true;
  } catch {
    return false;
  }
}
import {
  DEFAULT_DOMAIN,
  type Domain,
  type Nd,
  type Rand,
  at,
  flushed,
  input,
  makeView,
  mismatches,
  ndOf,
  recipe,
  roundTo,
  shapeOf,
  values,
} from './gen.js';

/** What a property gets for one run. */
export interface FuzzContext {
  backend: Backend;
  /** The dtypes the backend stores (inputs are drawn from these). */
  dtypes: readonly DType[];
  r: Rand;
  /** Every tensor made, disposed when the run ends. */
  made: Tensor[];
  /** Whether the backend may flush float32 subnormals (a GPU): then either result is accepted. */
  flushes: boolean;
}

/** Reads `actual` and throws, describing the case, when it differs from `expected`. */
async function check(
  c: FuzzContext,
  what: string,
  actual: Tensor,
  expected: Nd,
  o: { factor?: number; scale?: Float64Array; alternatives?: Nd[] } = {},
): Promise<void> {
  if (!c.made.includes(actual)) c.made.push(actual);
  const data = await actual.data();
  const bad = mismatches({ dtype: actual.dtype, shape: actual.shape, data }, expected, o);
  if (bad.length) throw new Error(`${what}:\n  ${bad.join('\n  ')}`);
}

const floats = (c: FuzzContext) => c.dtypes.filter((d) => d !== 'int32');
const show = (x: Nd) =>
  `${x.dtype}[${x.shape.join(',')}] ${JSON.stringify(Array.from(x.data.slice(0, 12), (v) => (Object.is(v, -0) ? '-0' : String(v))))}`;

/** Domains of the unary ops whose float32 accuracy is only promised on part of the line. */
const TRIG = [Infinity, -Infinity, NaN, 0, -0, 1e-40, 1, -1, 100, -100];
const UNARY_DOMAIN: Partial<Record<string, Domain>> = {
  exp: { lo: -10, hi: 10 },
  log: { lo: 0.001, hi: 100 },
  sqrt: { lo: 0, hi: 100 },
  sigmoid: { lo: -12, hi: 12 },
  tanh: { lo: -6, hi: 6 },
  sin: { lo: -7, hi: 7, edges: TRIG, intEdges: [0, 1, -1, 20, -20] },
  cos: { lo: -7, hi: 7, edges: TRIG, intEdges: [0, 1, -1, 20, -20] },
  log1p: { lo: -0.999, hi: 10 },
  expm1: { lo: -5, hi: 5 },
};
/** Edge values for sums of products: no finite value that overflows float32 part-way through a sum
 * (the float64 reference would not overflow, so the order of summation would matter). */
const SAFE_EDGES = [0, -0, NaN, Infinity, -Infinity, 1e-40, 1, -1];
/** Transcendental functions in float32 get a few ulps more. */
const LOOSE = new Set(['exp', 'log', 'sigmoid', 'tanh', 'sin', 'cos', 'log1p', 'expm1', 'pow']);

/** Another shape that broadcasts with `shape`: some leading axes dropped, some axes made 1. */
function partner(c: FuzzContext, shape: readonly number[]): number[] {
  const drop = c.r.int(0, shape.length);
  return shape.slice(drop).map((d) => (c.r.next() < 0.3 ? 1 : d));
}

const pickDtype = (c: FuzzContext, like?: DType) =>
  like && c.r.next() < 0.7 ? like : c.r.pick(c.dtypes);

/** The reference result for `x`, and for its flushed copy where the backend may flush. */
function withFlush(c: FuzzContext, xs: Nd[], f: (...xs: Nd[]) => Nd): [Nd, Nd[]] {
  const exact = f(...xs);
  return [exact, c.flushes ? [f(...xs.map(flushed))] : []];
}

export interface Property {
  /** The ops it draws from (each run picks one). */
  ops: readonly string[];
  run(c: FuzzContext, op: string): Promise<void>;
}

export const PROPERTIES: Record<string, Property> = {
  unary: {
    ops: UNARY_OPS,
    async run(c, op) {
      const u = op as (typeof UNARY_OPS)[number];
      const dtype = pickDtype(c);
      const shape = shapeOf(c.r);
      const [t, x] = input(c.r, c.backend, dtype, shape, c.made, UNARY_DOMAIN[u] ?? DEFAULT_DOMAIN);
      const [want, alt] = withFlush(c, [x], (a) => ref.unary(u, a));
      const factor = LOOSE.has(u) || UNARY[u].dtypes === 'float' ? 4 : 1;
      await check(c, `${u}(${show(x)})`, t[u](), want, { factor, alternatives: alt });
    },
  },

  binary: {
    ops: BINARY_OPS,
    async run(c, op) {
      const b = op as (typeof BINARY_OPS)[number];
      const shape = shapeOf(c.r);
      const da = pickDtype(c);
      // int32 pow: the reference computes exactly with BigInt, which cannot raise to 2^31 − 1
      const domain = b === 'pow' ? { lo: -3, hi: 3, intLo: -3, intHi: 5, intEdges: [0, 1, -1, 2, -7, 31, 32, 33] } : DEFAULT_DOMAIN; // prettier-ignore
      const [ta, xa] = input(c.r, c.backend, da, shape, c.made, domain);
      let tb: Tensor | number;
      let xb: Nd;
      if (c.r.next() < 0.15) {
        // a number operand: the tensor's dtype, float32 for a fraction beside int32
        const v = c.r.pick([0, -0, 2, -1.5, 0.5, 7, NaN, Infinity]);
        tb = v;
        xb = ndOf(da === 'int32' && !Number.isInteger(v) ? 'float32' : da, [], () => v);
      } else [tb, xb] = input(c.r, c.backend, pickDtype(c, da), partner(c, shape), c.made, domain);
      if (c.r.next() < 0.5 && typeof tb !== 'number') {
        // the broadcast partner first, as often as second
        const [want, alt] = withFlush(c, [xb, xa], (p, q) => ref.binary(b, p, q));
        const factor = LOOSE.has(b) ? 4 : 1;
        await check(c, `${b}(${show(xb)}, ${show(xa)})`, tb[b](ta), want, { factor, alternatives: alt }); // prettier-ignore
        return;
      }
      const [want, alt] = withFlush(c, [xa, xb], (p, q) => ref.binary(b, p, q));
      const factor = LOOSE.has(b) ? 4 : 1;
      await check(c, `${b}(${show(xa)}, ${show(xb)})`, ta[b](tb as Tensor), want, { factor, alternatives: alt }); // prettier-ignore
    },
  },

  where: {
    ops: ['where'],
    async run(c) {
      const shape = shapeOf(c.r);
      const cond = values(c.r, 'int32', partner(c, shape), { lo: 0, hi: 1, intLo: 0, intHi: 1, intEdges: [0, 1, -1, 2147483647] }); // prettier-ignore
      const [tc, xc] = makeView(
        c.backend,
        cond,
        cond.shape,
        recipe(c.r, cond.shape, false),
        c.made,
      );
      const [ta, xa] = input(c.r, c.backend, pickDtype(c), shape, c.made);
      const [tb, xb] = input(c.r, c.backend, pickDtype(c, ta.dtype), partner(c, shape), c.made);
      const [want, alt] = withFlush(c, [xc, xa, xb], (p, q, s) => ref.where(p, q, s));
      await check(c, `where(${show(xc)}, ${show(xa)}, ${show(xb)})`, where(tc, ta, tb), want, {
        alternatives: alt,
      });
    },
  },

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

  cast: {
    ops: ['cast'],
    async run(c) {
      const [from, to] = [c.r.pick(c.dtypes), c.r.pick(c.dtypes)];
      // float → int32 of a value outside int32 (or NaN) is not a contract: WGSL saturates, JS wraps
      const domain: Domain =
        to === 'int32' && from !== 'int32'
          ? { lo: -1e6, hi: 1e6, edges: [0, -0, 0.5, -0.5, 1.9, -1.9, 2147483520, -2147483648] }
          : DEFAULT_DOMAIN;
      const [t, x] = input(c.r, c.backend, from, shapeOf(c.r), c.made, domain);
      const [want, alt] = withFlush(c, [x], (a) => ref.cast(a, to));
      await check(c, `cast(${show(x)}, ${to})`, t.cast(to), want, { alternatives: alt });
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

  crossEntropy: {
    ops: ['softmaxCrossEntropy', 'softmaxCrossEntropyGrad'],
    async run(c, op) {
      const fl = floats(c);
      if (!fl.length) return;
      const dtype = c.r.pick(fl);
      const [N, C] = [c.r.int(0, 6), c.r.int(1, 7)];
      const [tl, logits] = input(c.r, c.backend, dtype, [N, C], c.made, { lo: -10, hi: 10, edges: [80, -80, 0] }); // prettier-ignore
      const labels = ndOf('int32', [N], () => c.r.int(0, C - 1));
      const ty = tensor(Int32Array.from(labels.data), { backend: c.backend });
      c.made.push(ty);
      const row = (i: number) => Array.from(logits.data.slice(i * C, (i + 1) * C));
      const lse = (xs: number[]) => {
        const m = Math.max(...xs);
        return m + Math.log(xs.reduce((s, v) => s + Math.exp(v - m), 0));
      };
      if (op === 'softmaxCrossEntropy') {
        const want = ndOf(dtype, [N], ([i]) => lse(row(i!)) - row(i!)[labels.data[i!]!]!);
        await check(c, `softmaxCrossEntropy(${show(logits)}, ${show(labels)})`, softmaxCrossEntropy(tl, ty), want, { factor: 8 }); // prettier-ignore
        return;
      }
      const [tg, g] = input(c.r, c.backend, dtype, [N], c.made, { lo: -2, hi: 2, edgeRate: 0 });
      const want = ndOf(dtype, [N, C], ([i, j]) => {
        const p = Math.exp(row(i!)[j!]! - lse(row(i!)));
        return (p - (labels.data[i!] === j ? 1 : 0)) * g.data[i!]!;
      });
      await check(c, `softmaxCrossEntropyGrad(${show(logits)}, ${show(labels)}, ${show(g)})`, softmaxCrossEntropyGrad(tl, ty, tg), want, { factor: 8 }); // prettier-ignore
    },
  },

  optimizers: {
    ops: ['sgd', 'adam'],
    async run(c, op) {
      const fl = floats(c);
      if (!fl.length) return;
      const dtype = c.r.pick(fl);
      const shape = shapeOf(c.r, 3, 6);
      const d: Domain = { lo: -2, hi: 2, edgeRate: 0 };
      const dense = (x: Nd) => {
        const t = tensor(Float64Array.from(x.data), { backend: c.backend, dtype, shape: x.shape });
        c.made.push(t);
        return t;
      };
      const [p, g] = [values(c.r, dtype, shape, d), values(c.r, dtype, shape, d)];
      const [tp, tg] = [dense(p), dense(g)];
      const maximize = c.r.next() < 0.3;
      const lr = c.r.pick([0.1, 0.01, 1]);
      const wd = c.r.pick([0, 0, 0.1]);
      const sign = maximize ? -1 : 1;
      const R = (x: number) => roundTo(dtype, x);
      if (op === 'sgd') {
        const momentum = c.r.pick([0, 0.9]);
        const nesterov = momentum > 0 && c.r.next() < 0.5;
        const dampening = nesterov ? 0 : c.r.pick([0, 0.5]);
        const init = c.r.next() < 0.5;
        const buf = values(c.r, dtype, shape, d);
        const tbuf = momentum ? dense(buf) : null;
        const o = { lr, momentum, dampening, nesterov, weightDecay: wd, maximize, init };
        if (!fusedSgd(tp, tg, tbuf, o)) return; // the backend has no fused SGD
        const dOf = (i: number) => sign * g.data[i]! + wd * p.data[i]!;
        const bOf = (i: number) => (init ? dOf(i) : momentum * buf.data[i]! + (1 - dampening) * dOf(i)); // prettier-ignore
        const step = (i: number) => (!momentum ? dOf(i) : nesterov ? dOf(i) + momentum * bOf(i) : bOf(i)); // prettier-ignore
        const want = ndOf(dtype, shape, () => 0);
        want.data.forEach((_, i) => (want.data[i] = R(p.data[i]! - lr * step(i))));
        await check(c, `sgd ${JSON.stringify(o)} p=${show(p)} g=${show(g)}`, tp, want, {
          factor: 8,
        });
        if (tbuf) {
          const wb = ndOf(dtype, shape, () => 0);
          wb.data.forEach((_, i) => (wb.data[i] = R(bOf(i))));
          await check(c, 'sgd momentum buffer', tbuf, wb, { factor: 8 });
        }
        return;
      }
      const [beta1, beta2, eps] = [0.9, 0.999, 1e-8];
      const step = c.r.int(1, 5);
      const decoupled = c.r.next() < 0.5;
      const amsgrad = c.r.next() < 0.5;
      const m = values(c.r, dtype, shape, d);
      const v = ndOf(dtype, shape, () => c.r.next());
      const vmax = ndOf(dtype, shape, (i) => at(v, i) + c.r.next() * 0.5);
      const [tm, tv] = [dense(m), dense(v)];
      const tvmax = amsgrad ? dense(vmax) : null;
      const o = { lr, beta1, beta2, eps, weightDecay: wd, decoupled, maximize, step };
      if (!fusedAdam(tp, tg, tm, tv, tvmax, o)) return;
      const wp = ndOf(dtype, shape, () => 0);
      const wm = ndOf(dtype, shape, () => 0);
      const wv = ndOf(dtype, shape, () => 0);
      for (let i = 0; i < wp.data.length; i++) {
        const theta = p.data[i]!;
        const gg = sign * g.data[i]! + (decoupled ? 0 : wd) * theta;
        const mm = beta1 * m.data[i]! + (1 - beta1) * gg;
        const vv = beta2 * v.data[i]! + (1 - beta2) * gg * gg;
        const second = amsgrad ? Math.max(vmax.data[i]!, vv) : vv;
        const denom = Math.sqrt(second) / Math.sqrt(1 - beta2 ** step) + eps;
        const shrink = decoupled ? 1 - lr * wd : 1;
        wp.data[i] = R(theta * shrink - (lr / (1 - beta1 ** step)) * (mm / denom));
        wm.data[i] = R(mm);
        wv.data[i] = R(vv);
      }
      const what = `adam ${JSON.stringify({ ...o, amsgrad })} p=${show(p)} g=${show(g)}`;
      await check(c, what, tp, wp, { factor: 16 });
      await check(c, `${what}: m`, tm, wm, { factor: 8 });
      await check(c, `${what}: v`, tv, wv, { factor: 8 });
    },
  },
};
