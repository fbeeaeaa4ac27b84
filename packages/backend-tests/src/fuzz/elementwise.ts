// Fuzz properties of the elementwise ops: unary, binary, where and cast.
import { BINARY_OPS, type DType, type Tensor, UNARY, UNARY_OPS, where } from '@nablajs/tensor';
import * as ref from '../reference.js';
import {
  DEFAULT_DOMAIN,
  type Domain,
  type Nd,
  input,
  makeView,
  ndOf,
  recipe,
  shapeOf,
  values,
} from './gen.js';
import { type Property, check, partner, pickDtype, show, withFlush } from './property.js';

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
/** Transcendental functions in float32 get a few ulps more. */
const LOOSE = new Set(['exp', 'log', 'sigmoid', 'tanh', 'sin', 'cos', 'log1p', 'expm1', 'pow']);

/** Unary, binary, where and cast. */
export const ELEMENTWISE: Record<string, Property> = {
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
      const cond = values(c.r, 'bool', partner(c, shape), { lo: 0, hi: 1, intLo: 0, intHi: 1, intEdges: [0, 1, -1, 2147483647] }); // prettier-ignore
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

  cast: {
    ops: ['cast'],
    async run(c) {
      const all: DType[] = [...c.dtypes, 'bool'];
      const [from, to] = [c.r.pick(all), c.r.pick(all)];
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
};
