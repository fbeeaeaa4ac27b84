import { cpu } from '@nablajs/backend-cpu';
import { randn, useBackend, type Backend } from '@nablajs/tensor';
import { variable } from '@nablajs/autograd';
import { conv2d } from '@nablajs/nn';
const base = cpu();
const acc = new Map<string, number[]>();
const wrapped: Record<string, unknown> = { ...base };
for (const [k, v] of Object.entries(base)) {
  if (typeof v !== 'function') continue;
  wrapped[k] = (...args: unknown[]) => {
    const t = performance.now();
    const r = (v as (...a: unknown[]) => unknown)(...args);
    const key = typeof args[0] === 'string' ? `${k}:${args[0]}` : k;
    const shapes = args.filter((a) => a && typeof a === 'object' && 'shape' in (a as object)).map((a) => `[${(a as { shape: number[] }).shape}]${(a as {strides: number[]}).strides ? '/' + (a as {strides: number[]}).strides.join(',') : ''}`);
    const kk = `${key} ${shapes.join(' ')}`;
    (acc.get(kk) ?? acc.set(kk, []).get(kk)!).push(performance.now() - t);
    return r;
  };
}
useBackend(wrapped as unknown as Backend);
const x = variable(randn([64, 6, 14, 14]), { requiresGrad: true });
const w = variable(randn([16, 6, 5, 5]), { requiresGrad: true });
const b = variable(randn([16]), { requiresGrad: true });
const run = () => { const y = conv2d(x, w, b); y.backward(y.data); x.grad = null; w.grad = null; b.grad = null; };
for (let i = 0; i < 30; i++) run();
acc.clear();
const S = 60; const times: number[] = [];
for (let i = 0; i < S; i++) { const t = performance.now(); run(); times.push(performance.now() - t); }
times.sort((a, c) => a - c);
console.log('fwd+bwd min', times[0]!.toFixed(2), 'median', times[30]!.toFixed(2));
let sum = 0;
for (const [k, v] of [...acc.entries()].sort((a, c) => Math.min(...c[1]) * c[1].length - Math.min(...a[1]) * a[1].length)) { const m = Math.min(...v) * v.length / S; sum += m; console.log(m.toFixed(3).padStart(8), (v.length / S).toFixed(0), k); }
console.log('sum of best', sum.toFixed(2));
