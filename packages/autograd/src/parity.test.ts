// The everyday API against PyTorch 1.13 in float64: values and gradients of fixtures/parity.json
// (written by scripts/make-parity.py, which says how), one Nabla function per case name.
import { readFileSync } from 'node:fs';
import { cpu } from '@nablajs/backend-cpu';
import { Tensor, einsum, tensor, useBackend } from '@nablajs/tensor';
import { describe, expect, test } from 'vitest';
import { Variable, grad, hessian, jacobian, jvp, vjp } from './index.js';

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

  'cumsum along 1': ({ x }) => x!.cumsum(1),
  'cumprod along 0': ({ x }) => x!.cumprod(0),
  'cumprod with zeros': ({ x }) => x!.cumprod(1),
  'sort descending along 1': ({ x }) => x!.sort(1, true),
  'sort with NaN and ties': ({ x }) => x!.sort(0),
  'argsort along 0': ({ x }) => x!.argsort(0),
  'topk 2 along 1': ({ x }) => x!.topk(2, 1),
  'topk smallest 2 along 0': ({ x }) => x!.topk(2, 0, false),
  'max(dim) values and indices': ({ x }) => x!.maxWithIndices(1),
  'min(dim) keepdim': ({ x }) => x!.minWithIndices(0, true),
  'std along 1': ({ x }) => x!.std(1),
  'std unbiased=False': ({ x }) => x!.std(undefined, false, 0),
  norm: ({ x }) => x!.norm(),
  'norm p=1 along 0': ({ x }) => x!.norm(1, 0),
  'norm p=inf along 1': ({ x }) => x!.norm(Infinity, 1),
  'norm p=3': ({ x }) => x!.norm(3),
  'norm of zeros': ({ x }) => x!.norm(2, 1),
  'all and any': ({ x }) => [x!.all(1), x!.any(0), x!.all()],
  'isnan isinf isfinite': ({ x }) => [x!.isnan(), x!.isinf(), x!.isfinite()],
  nan_to_num: ({ x }) => x!.nanToNum(),
  'nan_to_num with values': ({ x }) => x!.nanToNum(7, 8, -9),
  lerp: ({ x, y }) => x!.lerp(y!, 0.25),
  'lerp with a tensor weight': ({ x, y, w }) => x!.lerp(y!, w!),
  floor_divide: ({ x }) => x!.floorDivide(1.5),
  remainder: ({ x }) => x!.remainder(-1.5),
  flip: ({ x }) => x!.flip([0, 1]),
  'roll along 1': ({ x }) => x!.roll(-1, 1),
  'roll flattened': ({ x }) => x!.roll(5),
  'roll along two axes': ({ x }) => x!.roll([1, 2], [0, 1]),
  tril: ({ x }) => x!.tril(),
  'triu 1': ({ x }) => x!.triu(1),
  'tril -1 with infinities': ({ x }) => x!.tril(-1),
  'split 3 along 1': ({ x }) => x!.split(3, 1),
  'split sizes along 0': ({ x }) => x!.split([1, 2], 0),
  'chunk 2 along 1': ({ x }) => x!.chunk(2, 1),
  repeat: ({ x }) => x!.repeat(2, 1, 2),
  tile: ({ x }) => x!.tile(2),
  'einsum ij,jk->ik': ({ x, y }) => einsum('ij,jk->ik', x!, y!),
  'einsum bij,bkj->bik': ({ x, y }) => einsum('bij,bkj->bik', x!, y!),
  'einsum i,i-> and i,j->ij': ({ x, y }) => [einsum('i,i->', x!, y!), einsum('i,j->ij', x!, y!)],
  'einsum ij->j and ij->ji': ({ x }) => [einsum('ij->j', x!), einsum('ij->ji', x!)],
  'einsum implicit ij,jk': ({ x, y }) => einsum('ij,jk', x!, y!),
  'einsum three operands': ({ x, y, z }) => einsum('ij,jk,kl->il', x!, y!, z!),
  index_select: ({ x, idx }) => x!.indexSelect(1, idx!),
  'integer-array indexing x[idx]': ({ x, idx }) => x!.index(idx!),
  'mask indexing x[mask]': ({ x }) => x!.maskedSelect(x!.gt(1)),
  'row mask indexing x[rowmask]': ({ x, idxmask }) => x!.maskedSelect(idxmask!.cast('bool')), // the fixture writes masks as int32,
  masked_fill: ({ x }) => x!.maskedFill(x!.lt(0), -9),
  scatter: ({ x, s, idx }) => x!.scatter(1, idx!, s!),
  'scatter a number': ({ x, idx }) => x!.scatter(0, idx!, 7),
  scatter_add: ({ x, s, idx }) => x!.scatterAdd(1, idx!, s!),
  'slicing x[:, 1:3] and x[-1, ::2]': ({ x }) => [x!.at(':', '1:3'), x!.at(-1, '::2')],
  'where method': ({ x }) => x!.where(x!.gt(0), 0.5),

  'jacobian of sin(x)·Σx': ({ x }) => jacobian(f1, x!),
  'jacobian of tanh(x @ y), two inputs': ({ x, y }) => jacobian(f2, [x!, y!]),
  'hessian of Σx³ + x0·x1': ({ x }) => hessian(s1, x!),
  'hessian of two inputs': ({ x, y }) => hessian(s2, [x!, y!]).flat(),
  vjp: ({ x, v }) => {
    const r = vjp(f1, x!, v!);
    return [r.output, r.vjp as V];
  },
  jvp: ({ x, v }) => {
    const r = jvp(f1, x!, v!);
    return [r.output, r.jvp];
  },
  'jvp of two inputs': ({ x, y, vx, vy }) => {
    const r = jvp(f2, [x!, y!], [vx!, vy!]);
    return [r.output, r.jvp];
  },
};

// the functions of the torch.autograd.functional cases (make-parity.py has their twins)
const f1 = (x: V) => x.sin().mul(x.sum());
const f2 = (x: V, y: V) => x.matmul(y).tanh();
const s1 = (x: V) =>
  x
    .pow(3)
    .sum()
    .add(x.at(0).mul(x.at(1)));
const s2 = (x: V, y: V) => x.mul(y.exp()).sum().add(x.square().sum().mul(y.sum()));

const decode = (e: Encoded): number[] => e.data.map(Number);
const outputs = (o: Out): V[] =>
  o instanceof Variable || o instanceof Tensor
    ? [o as V]
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
      // the same composites on Tensors give the same values (the functional API gives Variables)
      const plain: Record<string, V> = {};
      for (const [k, v] of Object.entries(inputs)) plain[k] = v.data as unknown as V;
      const touts = outputs(IMPL[c.name]!(plain)) as unknown[];
      touts.forEach((o, i) =>
        expectClose(o instanceof Tensor ? o : (o as V).data, c.outputs[i]!, `Tensor output ${i}`),
      );
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
