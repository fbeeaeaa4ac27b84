// The everyday API against PyTorch 1.13 in float64: values and gradients of fixtures/parity.json
// (written by scripts/make-parity.py, which says how), one Nabla function per case name.
import { readFileSync } from 'node:fs';
import { cpu } from '@nablajs/backend-cpu';
import { type Tensor, tensor, useBackend } from '@nablajs/tensor';
import { describe, expect, test } from 'vitest';
import { Variable, grad } from './index.js';

useBackend(cpu());

type Num = number | 'NaN' | 'Infinity' | '-Infinity';
interface Encoded {
  shape: number[];
  data: Num[];
}
interface Case {
  name: string;
  inputs: Record<string, Encoded & { int: boolean }>;
  grad: string[];
  outputs: Encoded[];
  grads: Record<string, Encoded | null>;
}
const fixtures = JSON.parse(
  readFileSync(new URL('../fixtures/parity.json', import.meta.url), 'utf8'),
) as { cases: Case[] };

type V = Variable;
type Out = V | readonly V[] | { values: V; indices: V };
/** Nabla's side of each case, by name: the inputs by the fixture's names. */
const IMPL: Record<string, (x: Record<string, V>) => Out> = {
  'clamp at the bounds': ({ x }) => x!.clamp(0, 1),
  'clamp min only': ({ x }) => x!.clamp(0),
  'clamp max only': ({ x }) => x!.clamp(undefined, 0),
  'max along an axis with ties': ({ x }) => x!.max(1),
  'min along an axis with ties': ({ x }) => x!.min(0),
  'max of all with ties': ({ x }) => x!.max(),
  'amax over two axes with ties': ({ x }) => x!.max([0, 1]),
  'pow(0) at 0': ({ x }) => x!.pow(0),
  'pow with a zero exponent tensor': ({ x, y }) => x!.pow(y!),
  'logsumexp with an infinity': ({ x }) => x!.logSumExp(0),
  'logsumexp of -inf': ({ x }) => x!.logSumExp(1),
  'logsumexp of +inf and -inf': ({ x }) => x!.logSumExp(0),
  'pow(1, nan) and pow(-1, ±inf)': ({ x, y }) => x!.pow(y!),
};

const decode = (e: Encoded): number[] => e.data.map(Number);
const outputs = (o: Out): V[] =>
  o instanceof Variable
    ? [o]
    : Array.isArray(o)
      ? [...o]
      : [(o as { values: V }).values, (o as { indices: V }).indices];

function expectClose(t: Tensor, want: Encoded, label: string): void {
  expect(t.shape, `${label}: shape`).toEqual(want.shape);
  const got = Array.from(t.dataSync());
  decode(want).forEach((w, i) => {
    const g = got[i]!;
    if (Number.isNaN(w) || !Number.isFinite(w)) expect(g, `${label}[${i}]`).toBe(w);
    else
      expect(Math.abs(g - w), `${label}[${i}]: ${g} vs ${w}`).toBeLessThanOrEqual(
        1e-12 * (1 + Math.abs(w)),
      );
  });
}

describe('agrees with PyTorch 1.13 (fixtures/parity.json)', () => {
  test('every fixture has an implementation and every implementation a fixture', () => {
    const names = fixtures.cases.map((c) => c.name);
    expect(Object.keys(IMPL).filter((n) => !names.includes(n))).toEqual([]);
    expect(names.filter((n) => !(n in IMPL))).toEqual([]);
  });
  for (const c of fixtures.cases)
    test(c.name, () => {
      const inputs: Record<string, V> = {};
      for (const [k, e] of Object.entries(c.inputs))
        inputs[k] = new Variable(
          tensor(decode(e), { shape: e.shape, dtype: e.int ? 'int32' : 'float64' }),
          c.grad.includes(k),
        );
      const outs = outputs(IMPL[c.name]!(inputs));
      expect(outs.length, 'outputs').toBe(c.outputs.length);
      outs.forEach((o, i) => expectClose(o.data, c.outputs[i]!, `output ${i}`));
      if (!c.grad.length) return;
      const y = outs[0]!;
      const g = tensor(
        Array.from({ length: y.size }, (_, i) => 1 + i / 10),
        { shape: y.shape, dtype: 'float64' },
      );
      const gs = grad(
        y,
        c.grad.map((k) => inputs[k]!),
        { gradOutputs: [g], allowUnused: true },
      );
      c.grad.forEach((k, i) => {
        const want = c.grads[k];
        if (want) expectClose(gs[i]!.data, want, `∂/∂${k}`);
      });
    });
});
