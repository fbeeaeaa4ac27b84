// The sequence layers on WebGPU (Dawn; SwiftShader without a GPU) give the CPU's outputs and
// gradients in float32: the same parameters, inputs and output gradient on both backends.
import { type Variable, backward, variable } from '@nablajs/autograd';
import { cpu } from '@nablajs/backend-cpu';
import { describeWithBackend } from '@nablajs/backend-tests';
import { webgpu } from '@nablajs/backend-webgpu';
import { type Backend, type Tensor, manualSeed, randn, tensor, useBackend } from '@nablajs/tensor';
import { expect, test } from 'vitest';
import {
  Embedding,
  GRU,
  LSTM,
  LayerNorm,
  type Module,
  MultiheadAttention,
  TransformerEncoderLayer,
  generateSquareSubsequentMask,
} from './index.js';

process.env.VK_ICD_FILENAMES ??= '/usr/lib/chromium/vk_swiftshader_icd.json';
process.env.XDG_RUNTIME_DIR ??= '/tmp';

const host = cpu();
useBackend(host);

type Case = [
  name: string,
  make: (backend: Backend) => Module,
  input: () => Tensor,
  run: (m: Module, x: Variable, backend: Backend) => Variable[],
];
const mask = (b: Backend) => generateSquareSubsequentMask(5, { backend: b });
const CASES: Case[] = [
  [
    'MultiheadAttention, causal and key padding',
    (backend) => new MultiheadAttention(8, 2, { backend, batchFirst: true }),
    () => randn([2, 5, 8]),
    (m, x, b) => {
      const pad = tensor([0, 0, 0, 1, 1, 0, 0, 0, 0, 0], {
        shape: [2, 5],
        dtype: 'bool',
        backend: b,
      });
      const [y, w] = (m as MultiheadAttention).forwardWithWeights(x, x, x, {
        attnMask: mask(b),
        keyPaddingMask: pad,
      });
      return [y, w!];
    },
  ],
  [
    'TransformerEncoderLayer pre-norm GELU',
    (backend) =>
      new TransformerEncoderLayer(8, 2, {
        backend,
        dimFeedforward: 16,
        dropout: 0,
        activation: 'gelu',
        normFirst: true,
      }),
    () => randn([5, 2, 8]),
    (m, x, b) => [(m as TransformerEncoderLayer).forward(x, mask(b))],
  ],
  [
    'LSTM 2 layers bidirectional',
    (backend) => new LSTM(3, 4, { backend, numLayers: 2, bidirectional: true }),
    () => randn([6, 2, 3]),
    (m, x) => {
      const [y, [h, c]] = (m as LSTM).forwardWithState(x);
      return [y, h, c];
    },
  ],
  [
    'GRU',
    (backend) => new GRU(3, 4, { backend }),
    () => randn([6, 2, 3]),
    (m, x) => (m as GRU).forwardWithState(x),
  ],
  [
    'Embedding and LayerNorm',
    (backend) => new LayerNorm(4, { backend }),
    () => randn([3, 4]),
    (m, x, b) => {
      const e = new Embedding(5, 4, { backend: b, paddingIdx: 0 });
      e.weight.data.assign(
        tensor(
          Array.from({ length: 20 }, (_, i) => Math.sin(i)),
          { shape: [5, 4], backend: b },
        ),
      );
      const idx = tensor([1, 0, 4], { dtype: 'int32', backend: b });
      return [m.forward(x.add(e.forward(idx)))];
    },
  ],
];

/** Outputs, then the gradients of the input and of every parameter, after Σ outputs·gradients. */
async function runOn(backend: Backend, c: Case, state: Record<string, Tensor>, x0: Tensor) {
  useBackend(backend);
  const m = c[1](backend);
  m.loadStateDict(state);
  const x = variable(tensor(x0.dataSync(), { shape: x0.shape, backend }), { requiresGrad: true });
  const outs = c[3](m, x, backend);
  manualSeed(7);
  backward(
    outs,
    outs.map((y) => randn(y.shape, { backend })),
  );
  const values = [...outs.map((y) => y.data), x.grad!, ...m.parameters().map((p) => p.grad!)];
  const read = await Promise.all(values.map((t) => t.data()));
  useBackend(host);
  return read.map((a) => Array.from(a));
}

await describeWithBackend('WebGPU', webgpu, (gpu) => {
  test.each(CASES)(
    '%s',
    async (...c) => {
      useBackend(host);
      manualSeed(3);
      const m = c[1](host);
      const state = m.stateDict();
      const x0 = c[2]();
      const want = await runOn(host, c, state, x0);
      const got = await runOn(gpu, c, state, x0);
      expect(got.length).toBe(want.length);
      got.forEach((g, i) => {
        const w = want[i]!;
        const err = Math.max(0, ...g.map((v, j) => Math.abs(v - w[j]!) / (1e-3 + Math.abs(w[j]!))));
        expect(err, `${c[0]}, value ${i}`).toBeLessThan(2e-3);
      });
    },
    60_000,
  );
});
