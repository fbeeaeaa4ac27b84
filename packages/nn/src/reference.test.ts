// Losses, Linear and the activations against PyTorch, in float64 (fixtures/reference.json, written by
// scripts/gen-fixtures.py): values and gradients agree to 1e-10.
import { readFileSync } from 'node:fs';
import { cpu } from '@nablajs/backend-cpu';
import { type Variable, variable } from '@nablajs/autograd';
import { type DType, Tensor, tensor, useBackend } from '@nablajs/tensor';
import { describe, expect, test } from 'vitest';
import {
  BCELoss,
  BCEWithLogitsLoss,
  CosineEmbeddingLoss,
  HuberLoss,
  KLDivLoss,
  L1Loss,
  MarginRankingLoss,
  SmoothL1Loss,
  cosineEmbeddingLoss,
  huberLoss,
  klDivLoss,
  l1Loss,
  marginRankingLoss,
  smoothL1Loss,
  CrossEntropyLoss,
  GaussianNLLLoss,
  LeakyReLU,
  Linear,
  LogSoftmax,
  type Loss,
  MSELoss,
  type Module,
  NLLLoss,
  ReLU,
  Sigmoid,
  Softmax,
  Tanh,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  gaussianNllLoss,
  mseLoss,
  nllLoss,
} from './index.js';

useBackend(cpu());

interface Encoded {
  data: number[];
  shape: number[];
  dtype: DType;
  requiresGrad?: boolean;
}
interface Case {
  name: string;
  fn: string;
  inputs: Record<string, Encoded>;
  args: string[];
  opts: Record<string, unknown>;
  output: Encoded;
  gradOutput: number[] | null;
  grads: Record<string, number[]>;
}

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/reference.json', import.meta.url), 'utf8'),
) as { cases: Case[] };

const decode = (e: Encoded): Tensor => tensor(e.data, { shape: e.shape, dtype: e.dtype });

function expectClose(
  actual: ArrayLike<number>,
  expected: number[],
  what: string,
  tol = 1e-10,
): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e))))
      throw new Error(`${what}[${i}]: got ${a}, PyTorch gives ${e}`);
  }
}

const FUNCTIONS: Record<string, (...a: never[]) => Variable> = {
  mseLoss,
  crossEntropy,
  nllLoss,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  gaussianNllLoss,
  l1Loss,
  smoothL1Loss,
  huberLoss,
  klDivLoss,
  marginRankingLoss,
  cosineEmbeddingLoss,
};
const CLASSES: Record<string, new (o: never) => Loss> = {
  mseLoss: MSELoss,
  crossEntropy: CrossEntropyLoss,
  nllLoss: NLLLoss,
  binaryCrossEntropy: BCELoss,
  binaryCrossEntropyWithLogits: BCEWithLogitsLoss,
  gaussianNllLoss: GaussianNLLLoss,
  l1Loss: L1Loss,
  smoothL1Loss: SmoothL1Loss,
  huberLoss: HuberLoss,
  klDivLoss: KLDivLoss,
  marginRankingLoss: MarginRankingLoss,
  cosineEmbeddingLoss: CosineEmbeddingLoss,
};
const ACTIVATIONS: Record<string, (o: Record<string, number>) => Module> = {
  sigmoid: () => new Sigmoid(),
  tanh: () => new Tanh(),
  relu: () => new ReLU(),
  leakyRelu: (o) => new LeakyReLU(o.negativeSlope),
  softmax: (o) => new Softmax(o.axis),
  logSoftmax: (o) => new LogSoftmax(o.axis),
};

function run(c: Case, useClass: boolean): { out: Variable; vars: Record<string, Variable> } {
  const vars: Record<string, Variable> = {};
  for (const [k, e] of Object.entries(c.inputs))
    vars[k] = variable(decode(e), { requiresGrad: e.requiresGrad ?? false });
  const opts = Object.fromEntries(
    Object.entries(c.opts).map(([k, v]) => [
      k,
      typeof v === 'object' && v !== null && '$' in v ? vars[(v as { $: string }).$]!.data : v,
    ]),
  );
  const args = c.args.map((a) => vars[a]!);
  if (c.fn === 'linear') {
    const layer = new Linear(4, 2, { dtype: 'float64' });
    layer.weight.data.assign(vars.weight!.data);
    layer.bias!.data.assign(vars.bias!.data);
    vars.weight = layer.weight;
    vars.bias = layer.bias!;
    return { out: layer.forward(vars.input!), vars };
  }
  if (c.fn in ACTIVATIONS)
    return { out: ACTIVATIONS[c.fn]!(opts as Record<string, number>).forward(args[0]!), vars };
  if (useClass)
    return {
      out: new CLASSES[c.fn]!(opts as never).forward(...(args as [Variable, Variable])),
      vars,
    };
  return { out: (FUNCTIONS[c.fn] as (...a: unknown[]) => Variable)(...args, opts), vars };
}

describe('matches PyTorch (float64)', () => {
  test.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    for (const useClass of c.fn in CLASSES ? [false, true] : [false]) {
      const { out, vars } = run(c, useClass);
      expect(out.shape).toEqual(c.output.shape);
      expect(out.dtype).toBe('float64');
      expectClose(out.data.dataSync(), c.output.data, `${c.name} output`);
      if (Object.keys(c.grads).length === 0) continue;
      out.backward(
        c.gradOutput ? tensor(c.gradOutput, { shape: out.shape, dtype: 'float64' }) : undefined,
      );
      for (const [k, g] of Object.entries(c.grads)) {
        const v = vars[k]!;
        expect(v.grad, `${c.name}: no gradient for ${k}`).not.toBeNull();
        expectClose(v.grad!.dataSync(), g, `${c.name} ∂/∂${k}`);
      }
    }
  });
});
