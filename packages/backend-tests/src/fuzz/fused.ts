// Fuzz properties of the fused kernels, checked against their documented maths in float64.
import {
  fusedAdam,
  fusedSgd,
  softmaxCrossEntropy,
  softmaxCrossEntropyGrad,
  tensor,
} from '@nablajs/tensor';
import { type Domain, type Nd, at, input, ndOf, roundTo, shapeOf, values } from './gen.js';
import { type Property, check, floats, show } from './property.js';

/** Softmax cross-entropy (and its gradient), fused SGD and Adam. */
export const FUSED: Record<string, Property> = {
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
