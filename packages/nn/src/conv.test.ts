// Convolution and pooling against PyTorch 1.13 in float64 (fixtures/conv.json, written by
// scripts/make-conv.py): outputs, argmax and gradients of input, weight and bias agree to 1e-10,
// through the functional forms and through the modules.
import { readFileSync } from 'node:fs';
import { cpu } from '@nablajs/backend-cpu';
import { type Variable, gradcheck, gradgradcheck, variable } from '@nablajs/autograd';
import {
  type DType,
  ShapeError,
  type Tensor,
  randn,
  tensor,
  useBackend,
  zeros,
} from '@nablajs/tensor';
import { describe, expect, test } from 'vitest';
import {
  AvgPool1d,
  AvgPool2d,
  Conv1d,
  Conv2d,
  ConvTranspose2d,
  MaxPool1d,
  MaxPool2d,
  type Module,
  avgPool1d,
  avgPool2d,
  conv1d,
  conv2d,
  convTranspose2d,
  maxPool1d,
  maxPool2d,
} from './index.js';

useBackend(cpu());

interface Encoded {
  data: number[];
  shape: number[];
  dtype: DType;
}
interface Case {
  name: string;
  fn: string;
  inputs: Record<string, Encoded>;
  opts: Record<string, unknown> & { kernelSize?: number | number[] };
  output: Encoded;
  indices?: Encoded;
  gradOutput: number[];
  grads: Record<string, number[]>;
}

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/conv.json', import.meta.url), 'utf8'),
) as { torch: string; cases: Case[] };

const decode = (e: Encoded): Tensor => tensor(e.data, { shape: e.shape, dtype: e.dtype });

function expectClose(actual: ArrayLike<number>, expected: number[], what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const [a, e] = [actual[i]!, expected[i]!];
    if (!(Math.abs(a - e) <= 1e-10 * Math.max(1, Math.abs(e))))
      throw new Error(`${what}[${i}]: got ${a}, PyTorch gives ${e}`);
  }
}

type Vars = Record<string, Variable>;
type Pool = (x: Variable, k: number | number[], o: object) => Variable | [Variable, Tensor];
const POOLS: Record<string, [Pool, new (k: number | number[], o: object) => Module]> = {
  maxPool1d: [maxPool1d as Pool, MaxPool1d],
  maxPool2d: [maxPool2d as Pool, MaxPool2d],
  avgPool1d: [avgPool1d as Pool, AvgPool1d],
  avgPool2d: [avgPool2d as Pool, AvgPool2d],
};
type Conv = (x: Variable, w: Variable, b: Variable | null, o: object) => Variable;
const CONVS: Record<string, [Conv, new (i: number, o: number, k: number[], opts: object) => Module]> = {
  conv1d: [conv1d, Conv1d],
  conv2d: [conv2d, Conv2d],
  convTranspose2d: [convTranspose2d, ConvTranspose2d],
}; // prettier-ignore

/** Runs a case through the functional form, or through its module with the fixture's weights. */
function run(c: Case, useModule: boolean): { out: Variable; indices?: Tensor; vars: Vars } {
  const vars: Vars = {};
  for (const [k, e] of Object.entries(c.inputs))
    vars[k] = variable(decode(e), { requiresGrad: true });
  const { kernelSize, ...opts } = c.opts;
  const x = vars.input!;
  if (c.fn in POOLS) {
    const [fn, Layer] = POOLS[c.fn]!;
    if (useModule) return { out: new Layer(kernelSize!, opts).forward(x), vars };
    if (!c.indices) return { out: fn(x, kernelSize!, opts) as Variable, vars };
    const [out, indices] = fn(x, kernelSize!, { ...opts, returnIndices: true }) as [Variable, Tensor]; // prettier-ignore
    return { out, indices, vars };
  }
  const [fn, Layer] = CONVS[c.fn]!;
  const w = vars.weight!;
  const b = vars.bias ?? null;
  if (!useModule) return { out: fn(x, w, b, opts), vars };
  const transposed = c.fn === 'convTranspose2d';
  const groups = (opts.groups as number | undefined) ?? 1;
  const inC = transposed ? w.shape[0]! : w.shape[1]! * groups;
  const outC = transposed ? w.shape[1]! * groups : w.shape[0]!;
  const layer = new Layer(inC, outC, w.shape.slice(2), { ...opts, bias: b !== null, dtype: 'float64' }) as unknown as Vars; // prettier-ignore
  layer.weight!.data.assign(w.data);
  vars.weight = layer.weight!;
  if (b) {
    layer.bias!.data.assign(b.data);
    vars.bias = layer.bias!;
  }
  return { out: (layer as unknown as Module).forward(x), vars };
}

describe(`conv and pooling match PyTorch ${fixture.torch} (float64)`, () => {
  test.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    for (const useModule of [false, true]) {
      const what = `${c.name}${useModule ? ' (module)' : ''}`;
      const { out, indices, vars } = run(c, useModule);
      expect(out.shape, what).toEqual(c.output.shape);
      expectClose(out.data.dataSync(), c.output.data, `${what} output`);
      if (indices) expect([...indices.dataSync()], `${what} indices`).toEqual(c.indices!.data);
      out.backward(tensor(c.gradOutput, { shape: out.shape, dtype: 'float64' }));
      for (const [k, g] of Object.entries(c.grads))
        expectClose(vars[k]!.grad!.dataSync(), g, `${what} ∂/∂${k}`);
    }
  });
});

describe('layers', () => {
  test("PyTorch's default init: weight and bias from U(±1/√fanIn), fanIn = shape[1]·∏kernel", () => {
    for (const [layer, fanIn] of [
      [new Conv2d(3, 64, 3), 27],
      [new Conv2d(8, 16, [5, 3], { groups: 4 }), 30],
      [new Conv1d(4, 6, 7), 28],
      [new ConvTranspose2d(16, 8, 4, { groups: 2 }), 64],
    ] as const) {
      const bound = 1 / Math.sqrt(fanIn);
      for (const p of [layer.weight, layer.bias!]) {
        const v = [...p.data.dataSync()];
        expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(bound);
        expect(Math.max(...v.map(Math.abs))).toBeGreaterThan(0.8 * bound); // not a narrower range
      }
    }
    const c = new Conv2d(4, 6, 3, { groups: 2, bias: false });
    expect(c.weight.shape).toEqual([6, 2, 3, 3]);
    expect(c.bias).toBeNull();
    expect(new ConvTranspose2d(4, 6, [2, 3], { groups: 2 }).weight.shape).toEqual([4, 3, 2, 3]);
    expect(c.namedParameters().map(([n]) => n)).toEqual(['weight']);
    expect(new Conv1d(2, 3, 3).namedParameters().map(([n]) => n)).toEqual(['weight', 'bias']);
  });

  test('errors name the layer and the shapes', () => {
    const conv = new Conv2d(3, 16, 3);
    expect(() => conv.forward(zeros([8, 1, 28, 28]))).toThrow(ShapeError);
    expect(() => conv.forward(zeros([8, 1, 28, 28]))).toThrow(
      'Conv2d(3→16, k=3): input [8,1,28,28] has 1 channel, expected 3',
    );
    expect(() => conv.forward(zeros([28, 28]))).toThrow(/^Conv2d\(3→16, k=3\): input \[28,28\]/);
    expect(() => new Conv2d(3, 16, [3, 5]).forward(zeros([1, 2, 9, 9]))).toThrow(
      'Conv2d(3→16, k=3×5): input [1,2,9,9] has 2 channels, expected 3',
    );
    expect(() => new Conv2d(3, 16, 3, { groups: 2 })).toThrow(/groups 2 must divide/);
    expect(() => new Conv2d(3, 16, 3, { padding: 'same', stride: 2 })).toThrow(/'same' needs stride 1/); // prettier-ignore
    expect(() => conv2d(zeros([1, 3, 2, 2]), zeros([4, 3, 3, 3]))).toThrow(/no window fits/);
    expect(() => conv2d(zeros([1, 4, 5, 5]), zeros([4, 3, 3, 3]))).toThrow(
      'conv2d: input [1,4,5,5] has 4 channels, weight [4,3,3,3] with groups 1 expects 3',
    );
    expect(() => conv2d(zeros([1, 3, 5, 5]), zeros([4, 3, 3, 3]), zeros([3]))).toThrow(
      'conv2d: bias [3] must be [4], one per output channel',
    );
    expect(() => maxPool2d(zeros([1, 1, 4, 4]), 2, { padding: 2 })).toThrow(/more than half/);
    expect(() => convTranspose2d(zeros([1, 2, 3, 3]), zeros([2, 2, 3, 3]), null, { stride: 2, outputPadding: 2 })).toThrow(/outputPadding \[2,2\] must be smaller than stride/); // prettier-ignore
  });

  test('LeNet shapes: conv(1→6, 5, pad 2) – pool 2 – conv(6→16, 5) – pool 2 gives [N,16,5,5]', () => {
    const x = zeros([4, 1, 28, 28]);
    let y = maxPool2d(new Conv2d(1, 6, 5, { padding: 2 }).forward(x).relu(), 2);
    expect(y.shape).toEqual([4, 6, 14, 14]);
    y = new MaxPool2d(2).forward(new Conv2d(6, 16, 5).forward(y).relu());
    expect(y.shape).toEqual([4, 16, 5, 5]);
    expect(new MaxPool2d(2).toString()).toBe('MaxPool2d(kernelSize=2)');
    expect(new Conv2d(1, 6, 5, { padding: 2 }).toString()).toBe(
      'Conv2d(1, 6, kernelSize=[5,5], padding=2, bias=true)',
    );
  });
});

describe('second order (gradgradcheck, float64)', () => {
  const v = (shape: number[]) =>
    variable(randn(shape, { dtype: 'float64', seed: shape.length * 7 + shape[0]! }), { requiresGrad: true }); // prettier-ignore
  const tol = { atol: 1e-6, rtol: 1e-5 };
  test.each([
    [
      'conv2d groups 2, stride 2, padding 1',
      [v([1, 4, 4, 5]), v([2, 2, 3, 2]), v([2])],
      (x: Variable, w: Variable, b: Variable) =>
        conv2d(x, w, b, { groups: 2, stride: 2, padding: 1 }),
    ],
    [
      "conv1d padding 'same', dilation 2",
      [v([2, 2, 5]), v([3, 2, 2]), v([3])],
      (x: Variable, w: Variable, b: Variable) => conv1d(x, w, b, { padding: 'same', dilation: 2 }),
    ],
    [
      'convTranspose2d stride 2, outputPadding 1',
      [v([1, 2, 3, 2]), v([2, 2, 2, 3]), v([2])],
      (x: Variable, w: Variable, b: Variable) =>
        convTranspose2d(x, w, b, { stride: 2, outputPadding: 1 }),
    ],
    [
      'avgPool2d countIncludePad false',
      [v([1, 2, 4, 5])],
      (x: Variable) => avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false }),
    ],
    ['maxPool2d 2×2 (away from ties)', [v([1, 2, 4, 4])], (x: Variable) => maxPool2d(x, 2)],
  ] as const)('%s', (_name, inputs, fn) => {
    const f = (...xs: Variable[]) => (fn as (...a: Variable[]) => Variable)(...xs).square();
    expect(gradcheck(f, inputs, tol)).toBe(true);
    expect(gradgradcheck(f, inputs, tol)).toBe(true);
  });
});
