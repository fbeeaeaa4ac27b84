// The sequence layers against PyTorch 1.13 in float64 (fixtures/seq.json, written by
// scripts/make-seq.py): outputs and the gradients of every parameter and input agree to 1e-10.
import { readFileSync } from 'node:fs';
import { cpu } from '@nablajs/backend-cpu';
import { type Variable, backward, variable } from '@nablajs/autograd';
import { type DType, type Tensor, tensor, useBackend } from '@nablajs/tensor';
import { describe, expect, test } from 'vitest';
import {
  ELU,
  Embedding,
  GELU,
  GRU,
  LSTM,
  LayerNorm,
  Mish,
  type Module,
  MultiheadAttention,
  RMSNorm,
  RNN,
  SiLU,
  Softplus,
  TransformerDecoderLayer,
  TransformerEncoder,
  TransformerEncoderLayer,
  elu,
  gelu,
  mish,
  scaledDotProductAttention,
  silu,
  softplus,
} from './index.js';

useBackend(cpu());

interface Encoded {
  /** Numbers, and 'Infinity', '-Infinity' or 'NaN' as strings (JSON has none). */
  data: (number | string)[];
  shape: number[];
  dtype: DType;
}
interface Case {
  name: string;
  kind: string;
  args: unknown[];
  options: Record<string, unknown>;
  params: Record<string, Encoded>;
  paramsAfter?: Record<string, Encoded>;
  inputs: (Encoded & { name: string; requiresGrad: boolean })[];
  call: Record<string, unknown>;
  outputs: Encoded[];
  gradOutputs: (number[] | null)[];
  grads: { inputs: Record<string, number[]>; params: Record<string, number[]> };
}

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/seq.json', import.meta.url), 'utf8'),
) as { torch: string; cases: Case[] };

const decode = (e: Encoded): Tensor =>
  tensor(e.data.map(Number), { shape: e.shape, dtype: e.dtype });

function expectClose(actual: ArrayLike<number>, expected: number[], what: string, tol = 1e-10) {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e))))
      throw new Error(`${what}[${i}]: got ${a}, PyTorch gives ${e}`);
  }
}

type Run = (c: Case, x: Record<string, Variable>) => { module?: Module; outputs: Variable[] };

const FNS = { gelu, silu, elu, softplus, mish } as const;
const ACTIVATION_LAYERS = { gelu: GELU, silu: SiLU, elu: ELU, softplus: Softplus, mish: Mish };
const f64 = { dtype: 'float64' as const };

/** The call's options with {"$": name} replaced by that input's tensor. */
function callOpts(c: Case, x: Record<string, Variable>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(c.call).map(([k, v]) => [
      k,
      typeof v === 'object' && v !== null && '$' in v ? x[(v as { $: string }).$]!.data : v,
    ]),
  );
}

function build(c: Case): Module {
  const o = { ...c.options, ...f64 };
  const [a, b] = c.args as [number, number];
  switch (c.kind) {
    case 'Embedding':
      return new Embedding(a, b, o);
    case 'LayerNorm':
      return new LayerNorm(c.args[0] as number[], o);
    case 'RMSNorm':
      return new RMSNorm(c.args[0] as number[], o);
    case 'MultiheadAttention':
      return new MultiheadAttention(a, b, o);
    case 'TransformerEncoderLayer':
      return new TransformerEncoderLayer(a, b, o);
    case 'TransformerDecoderLayer':
      return new TransformerDecoderLayer(a, b, o);
    case 'TransformerEncoder': {
      const { numLayers, norm, ...rest } = c.options as { numLayers: number; norm: boolean };
      const layer = new TransformerEncoderLayer(a, b, { ...rest, ...f64 });
      return new TransformerEncoder(layer, numLayers, norm ? { norm: new LayerNorm(a, f64) } : {});
    }
    case 'RNN':
      return new RNN(a, b, o);
    case 'LSTM':
      return new LSTM(a, b, o);
    case 'GRU':
      return new GRU(a, b, o);
  }
  throw new Error(`no builder for ${c.kind}`);
}

const run: Run = (c, x) => {
  const opts = callOpts(c, x);
  if (c.kind in FNS) {
    const fn = FNS[c.kind as keyof typeof FNS] as (v: Variable, o: unknown) => Variable;
    return { outputs: [fn(x.x!, c.options)] };
  }
  if (c.kind === 'scaledDotProductAttention')
    return { outputs: [scaledDotProductAttention(x.q!, x.k!, x.v!, opts)] };
  const m = build(c);
  const sd = Object.fromEntries(Object.entries(c.params).map(([k, e]) => [k, decode(e)]));
  m.loadStateDict(sd);
  const o = opts as Record<string, Tensor | undefined>;
  switch (c.kind) {
    case 'MultiheadAttention': {
      const mha = m as MultiheadAttention;
      const [q, k, v] = c.call.self ? [x.x!, x.x!, x.x!] : [x.q!, x.k!, x.v!];
      const [y, w] = mha.forwardWithWeights(q, k, v, opts);
      return { module: m, outputs: w ? [y, w] : [y] };
    }
    case 'TransformerEncoderLayer':
      return {
        module: m,
        outputs: [(m as TransformerEncoderLayer).forward(x.src!, o.srcMask, o.srcKeyPaddingMask)],
      };
    case 'TransformerDecoderLayer': {
      const d = m as TransformerDecoderLayer;
      const y = d.forward(
        x.tgt!,
        x.memory!,
        o.tgtMask,
        o.memoryMask,
        undefined,
        o.memoryKeyPaddingMask,
      );
      return { module: m, outputs: [y] };
    }
    case 'TransformerEncoder':
      return { module: m, outputs: [(m as TransformerEncoder).forward(x.src!, o.mask)] };
    case 'LSTM': {
      const [y, [h, cc]] = (m as LSTM).forwardWithState(x.x!, [x.h0!, x.c0!]);
      return { module: m, outputs: [y, h, cc] };
    }
    case 'RNN':
    case 'GRU': {
      const [y, h] = (m as RNN).forwardWithState(x.x!, x.h0!);
      return { module: m, outputs: [y, h] };
    }
    default:
      return { module: m, outputs: [m.forward(x.indices ?? x.x!)] };
  }
};

describe('sequence layers match PyTorch 1.13 (float64, 1e-10)', () => {
  test('fixtures are PyTorch 1.13', () => {
    expect(fixture.torch).toMatch(/^1\.13/);
    expect(fixture.cases.length).toBeGreaterThanOrEqual(50);
  });

  test.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const x: Record<string, Variable> = {};
    for (const e of c.inputs) x[e.name] = variable(decode(e), { requiresGrad: e.requiresGrad });
    const { module, outputs } = run(c, x);
    expect(outputs.length).toBe(c.outputs.length);
    outputs.forEach((y, i) => {
      expect(y.shape, `${c.name} output ${i}`).toEqual(c.outputs[i]!.shape);
      expect(y.dtype).toBe('float64');
      expectClose(y.data.dataSync(), c.outputs[i]!.data.map(Number), `${c.name} output ${i}`);
    });
    if (c.paramsAfter)
      for (const [k, e] of Object.entries(c.paramsAfter))
        expectClose(
          module!.stateDict()[k]!.dataSync(),
          e.data.map(Number),
          `${c.name}: ${k} after the call`,
        );
    const used = outputs.flatMap((y, i) =>
      c.gradOutputs[i] ? [[y, c.gradOutputs[i]!] as const] : [],
    );
    backward(
      used.map(([y]) => y),
      used.map(([y, g]) => tensor(g, { shape: y.shape, dtype: 'float64' })),
    );
    for (const [k, g] of Object.entries(c.grads.inputs)) {
      expect(x[k]!.grad, `${c.name}: no gradient for input ${k}`).not.toBeNull();
      expectClose(x[k]!.grad!.dataSync(), g, `${c.name} ∂/∂${k}`);
    }
    const params = Object.fromEntries(module?.namedParameters() ?? []);
    expect(Object.keys(params).sort()).toEqual(Object.keys(c.grads.params).sort());
    for (const [k, g] of Object.entries(c.grads.params)) {
      const p = params[k]!;
      const got = p.grad ? p.grad.dataSync() : new Float64Array(g.length);
      expectClose(got, g, `${c.name} ∂/∂${k}`);
    }
  });

  test.each(Object.keys(ACTIVATION_LAYERS))('the %s layer is its function', (kind) => {
    const c =
      fixture.cases.find((k) => k.kind === kind && Object.keys(k.options).length > 0) ??
      fixture.cases.find((k) => k.kind === kind)!;
    const Layer = ACTIVATION_LAYERS[kind as keyof typeof ACTIVATION_LAYERS] as new (
      o: unknown,
    ) => Module;
    const y = new Layer(c.options).forward(decode(c.inputs[0]!));
    expectClose(y.data.dataSync(), c.outputs[0]!.data.map(Number), `${kind} layer`);
  });
});
