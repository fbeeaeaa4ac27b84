// PyTorch 1.13 modules' state dicts, saved as safetensors by scripts/make-seq.py (float32, PyTorch's
// default initialization), load into the Nabla layers, which then give PyTorch's outputs.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cpu } from '@nablajs/backend-cpu';
import { tensor, useBackend } from '@nablajs/tensor';
import { expect, test } from 'vitest';
import { LSTM, type Module, MultiheadAttention, TransformerEncoderLayer, load } from './index.js';

useBackend(cpu());

interface Interop {
  torch: string;
  cases: {
    name: string;
    kind: 'TransformerEncoderLayer' | 'LSTM' | 'MultiheadAttention';
    args: [number, number];
    options: Record<string, unknown>;
    file: string;
    input: { data: number[]; shape: number[] };
    outputs: { data: number[]; shape: number[] }[];
  }[];
}
const fixtures = new URL('../fixtures/', import.meta.url);
const interop = JSON.parse(readFileSync(new URL('interop.json', fixtures), 'utf8')) as Interop;

test('three PyTorch 1.13 state dicts', () => {
  expect(interop.torch).toMatch(/^1\.13/);
  expect(interop.cases.map((c) => c.kind)).toEqual([
    'TransformerEncoderLayer',
    'LSTM',
    'MultiheadAttention',
  ]);
});

test.each(interop.cases.map((c) => [c.name, c] as const))(
  '%s: load the safetensors file, get PyTorch’s outputs',
  async (_name, c) => {
    const { tensors } = await load(fileURLToPath(new URL(c.file, fixtures)));
    const m: Module =
      c.kind === 'TransformerEncoderLayer'
        ? new TransformerEncoderLayer(...c.args, c.options)
        : c.kind === 'LSTM'
          ? new LSTM(...c.args, c.options)
          : new MultiheadAttention(...c.args, c.options);
    // strict: every key present, none left over, shapes equal
    m.loadStateDict(tensors);
    m.eval();
    const x = tensor(c.input.data, { shape: c.input.shape });
    const outs =
      m instanceof LSTM
        ? (([y, [h, cc]]) => [y, h, cc])(m.forwardWithState(x))
        : m instanceof MultiheadAttention
          ? m.forwardWithWeights(x, x, x)
          : [m.forward(x)];
    expect(outs.length).toBe(c.outputs.length);
    outs.forEach((y, i) => {
      const want = c.outputs[i]!;
      expect(y!.shape).toEqual(want.shape);
      expect(y!.dtype).toBe('float32');
      const got = y!.data.dataSync();
      const err = Math.max(...want.data.map((w, j) => Math.abs(got[j]! - w)));
      expect(err, `${c.name} output ${i}`).toBeLessThan(2e-6);
    });
  },
);
