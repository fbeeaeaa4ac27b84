import {
  randn,
  softmaxCrossEntropy,
  softmaxCrossEntropyGrad,
  type TensorRef,
  type TypedArray,
  tensor,
  useBackend,
} from '@nablajs/tensor';
import { describe, expect, test } from 'vitest';
import { cpu } from './index.js';

// The fused kernels against the compositions of primitives that `@nablajs/tensor` falls back to.
const fused = cpu();
const composed = { ...cpu(), name: 'cpu-unfused', fused: undefined };
useBackend(fused);

describe('fused softmax cross-entropy', () => {
  for (const dtype of ['float32', 'float64'] as const)
    test(`loss and gradient equal the composition (${dtype}), strided logits and ±1000 included`, async () => {
      const raw = await randn([4, 5], { seed: 7, dtype }).mul(3).data();
      raw[0] = 1000;
      raw[6] = -1000;
      const labels = [0, 4, 2, 1];
      const tol = dtype === 'float32' ? 1e-5 : 1e-12;
      const results = await Promise.all(
        [fused, composed].map(async (backend) => {
          const x = tensor(raw, { shape: [5, 4], dtype, backend }).transpose(); // strided [4,5]
          const y = tensor(labels, { dtype: 'int32', backend });
          const g = tensor([1, 0.5, -2, 3], { dtype, backend });
          return [
            await softmaxCrossEntropy(x, y).data(),
            await softmaxCrossEntropyGrad(x, y, g).data(),
          ];
        }),
      );
      const [[lf, gf], [lc, gc]] = results as [Float64Array[], Float64Array[]];
      expect(lf!.every(Number.isFinite)).toBe(true);
      lf!.forEach((v, i) =>
        expect(Math.abs(v - lc![i]!)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(v))),
      );
      gf!.forEach((v, i) => expect(Math.abs(v - gc![i]!)).toBeLessThanOrEqual(tol));
    });
});

describe('fused SGD', () => {
  test('the WebAssembly path (large float32) equals the scalar formula', async () => {
    const n = 5003; // past the SIMD threshold, with a scalar tail
    const p0 = await randn([n], { seed: 1 }).data();
    const g0 = await randn([n], { seed: 2 }).data();
    for (const [wd, maximize] of [
      [0, false],
      [0.1, true],
    ] as const) {
      const p = tensor(p0);
      const g = tensor(g0);
      fused.fused!.sgd!(p as TensorRef<TypedArray>, g as TensorRef<TypedArray>, null, {
        lr: 0.1,
        momentum: 0,
        dampening: 0,
        nesterov: false,
        weightDecay: wd,
        maximize,
        init: false,
      });
      const got = await p.data();
      const sign = maximize ? -1 : 1;
      got.forEach((v, i) => expect(v).toBeCloseTo(p0[i]! - 0.1 * (sign * g0[i]! + wd * p0[i]!), 6));
    }
  });
});

describe('fused Adam', () => {
  test('the WebAssembly path (large float32) equals the float64 scalar path', async () => {
    const n = 5003;
    const [p0, g0, m0] = await Promise.all([1, 2, 3].map((seed) => randn([n], { seed }).data()));
    const v0 = (await randn([n], { seed: 4 }).data()).map((x) => x * x);
    for (const [weightDecay, decoupled, maximize] of [
      [0, false, false],
      [0.1, false, true],
      [0.01, true, false],
    ] as const) {
      const o = {
        lr: 0.01,
        beta1: 0.9,
        beta2: 0.999,
        eps: 1e-8,
        weightDecay,
        decoupled,
        maximize,
        step: 3,
      };
      const run = (dtype: 'float32' | 'float64') => {
        const [p, g, m, v] = [p0, g0, m0, v0].map((a) => tensor(a!, { dtype }));
        fused.fused!.adam!(
          ...([p, g, m, v] as TensorRef<TypedArray>[] as [
            TensorRef<TypedArray>,
            TensorRef<TypedArray>,
            TensorRef<TypedArray>,
            TensorRef<TypedArray>,
          ]),
          null,
          o,
        );
        return [p, m, v].map((t) => t!.dataSync());
      };
      const wasm = run('float32');
      const exact = run('float64');
      wasm.forEach((a, k) =>
        a.forEach((x, i) =>
          expect(Math.abs(x - exact[k]![i]!)).toBeLessThan(
            2e-5 * Math.max(1, Math.abs(exact[k]![i]!)),
          ),
        ),
      );
    }
  });
});
