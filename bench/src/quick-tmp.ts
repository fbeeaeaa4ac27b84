import { cpu } from '@nablajs/backend-cpu';
import { randn, useBackend, tensor, type Backend } from '@nablajs/tensor';
import { Conv2d, Linear, MaxPool2d, ReLU, Sequential, crossEntropy } from '@nablajs/nn';
import { Adam } from '@nablajs/optim';
const base = cpu();
const acc = new Map<string, number>();
const wrapped: Record<string, unknown> = { ...base };
for (const [k, v] of Object.entries(base)) {
  if (typeof v !== 'function') continue;
  wrapped[k] = (...args: unknown[]) => {
    const t = performance.now();
    const r = (v as (...a: unknown[]) => unknown)(...args);
    const key = typeof args[0] === 'string' ? `${k}:${args[0]}` : k === 'reduce' || k === 'matmul' ? `${k}` : k;
    const shape = (args.find((a) => a && typeof a === 'object' && 'shape' in (a as object)) as { shape: number[] } | undefined)?.shape;
    const kk = `${key} [${shape?.join(',')}]`;
    acc.set(kk, (acc.get(kk) ?? 0) + performance.now() - t);
    return r;
  };
}
if (base.fused) wrapped.fused = base.fused;
useBackend(wrapped as unknown as Backend);
const net = new Sequential(new Conv2d(1, 6, 5, { padding: 2 }), new ReLU(), new MaxPool2d(2), new Conv2d(6, 16, 5), new ReLU(), new MaxPool2d(2));
const fc = new Sequential(new Linear(400, 120), new ReLU(), new Linear(120, 84), new ReLU(), new Linear(84, 10));
const opt = new Adam([...net.parameters(), ...fc.parameters()], { lr: 1e-3 });
const x = randn([64, 1, 28, 28]);
const y = tensor(Array.from({ length: 64 }, (_, i) => i % 10), { dtype: 'int32' });
const step = () => { opt.zeroGrad(); const h = net.forward(x).reshape([64, 400]); const loss = crossEntropy(fc.forward(h), y); loss.backward(); opt.step(); };
for (let i = 0; i < 20; i++) step();
acc.clear();
const t0 = performance.now();
const S = 50;
for (let i = 0; i < S; i++) step();
const total = (performance.now() - t0) / S;
const rows = [...acc.entries()].sort((a, b) => b[1] - a[1]);
let inBackend = 0;
for (const [, v] of rows) inBackend += v / S;
console.log('step', total.toFixed(1), 'ms; in backend', inBackend.toFixed(1));
for (const [k, v] of rows.slice(0, 28)) console.log((v / S).toFixed(2).padStart(7), k);
