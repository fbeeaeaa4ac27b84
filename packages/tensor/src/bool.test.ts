// The bool dtype against PyTorch 1.13: fixtures/bool-rules.json (written by
// scripts/make-bool-rules.py, which says how) holds each case's result dtype and values, or that
// PyTorch refuses it; here is one Nabla function per case name.
import { readFileSync } from 'node:fs';
import { cpu } from '../../backend-cpu/src/index.js';
import { describe, expect, test } from 'vitest';
import {
  DTypeError,
  type Tensor,
  concat,
  full,
  tensor,
  useBackend,
  where,
  zeros,
} from './index.js';

useBackend(cpu());

interface Expected {
  dtype?: string;
  shape?: number[];
  values?: (number | string)[];
  refused?: string;
}
const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/bool-rules.json', import.meta.url), 'utf8'),
) as { cases: Record<string, Expected> };

const a = () => tensor([true, false, true]);
const b = () => tensor([true, true, false]);
const x = () => tensor([NaN, 0, 0.5, -1]);
const i = () => tensor([1, 2, 3], { dtype: 'int32' });

const CASES: Record<string, () => Tensor> = {
  'x.ne(0)': () => x().ne(0),
  'x.cast(bool)': () => x().cast('bool'),
  'i.cast(bool)': () => i().sub(2).cast('bool'),
  'a.cast(float32)': () => a().cast('float32'),
  'a.cast(int32)': () => a().cast('int32'),
  'a.eq(b)': () => a().eq(b()),
  'a.lt(b)': () => a().lt(b()),
  'a.add(b)': () => a().add(b()),
  'a.mul(b)': () => a().mul(b()),
  'a.maximum(b)': () => a().maximum(b()),
  'a.minimum(b)': () => a().minimum(b()),
  'a.sub(b)': () => a().sub(b()),
  'a.pow(b)': () => a().pow(b()),
  'a.div(b)': () => a().div(b()),
  'a.add(1)': () => a().add(1),
  'a.add(1.5)': () => a().add(1.5),
  'a.add(i)': () => a().add(i()),
  'a.mul(x0)': () => a().mul(x().slice([2])),
  'a.neg()': () => a().neg(),
  'a.abs()': () => a().abs(),
  'a.relu()': () => a().relu(),
  'a.floor()': () => a().floor(),
  'a.sign()': () => a().sign(),
  'a.square()': () => a().square(),
  'a.exp()': () => a().exp(),
  'a.sum()': () => a().sum(),
  'a.max()': () => a().max(),
  'a.min()': () => a().min(),
  'a.mean()': () => a().mean(),
  'a.cumsum(0)': () => a().cumsum(0),
  'a.argsort()': () => a().argsort(),
  'x.any()': () => x().any(),
  'x.all()': () => x().all(),
  'x.isnan()': () => x().isnan(),
  'a.isinf()': () => a().isinf(),
  'a.isfinite()': () => a().isfinite(),
  'a.logicalNot()': () => a().logicalNot(),
  'x.logicalAnd(a0)': () => x().logicalAnd(tensor([true, true, false, false])),
  'a.logicalOr(b)': () => a().logicalOr(b()),
  'a.logicalXor(b)': () => a().logicalXor(b()),
  'where(a, i, 0)': () => where(a(), i(), tensor(0, { dtype: 'int32' })),
  'where(a, a, b)': () => where(a(), a(), b()),
  'x.maskedFill(x.isnan(), 7)': () => x().maskedFill(x().isnan(), 7),
  'i.index(a)': () => i().index(a()),
  'i.maskedSelect(a)': () => i().maskedSelect(a()),
  'concat(a, b)': () => concat([a(), b()]),
  'a.matmul(b)': () => a().matmul(b()),
};

describe('bool follows PyTorch 1.13 (fixtures/bool-rules.json)', () => {
  test('every case of the fixture has a Nabla function, and no other', () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(fixture.cases).sort());
  });
  for (const [name, want] of Object.entries(fixture.cases))
    test(name, () => {
      const run = CASES[name]!;
      if (want.refused) {
        expect(run).toThrow(DTypeError);
        return;
      }
      const got = run();
      expect([got.dtype, [...got.shape]]).toEqual([want.dtype, want.shape]);
      // JSON has no NaN or infinities: the fixture writes them as 'nan', 'inf', '-inf'
      const values = want.values!.map((v) =>
        typeof v === 'string' ? Number(v.replace('inf', 'Infinity')) : v,
      );
      expect(Array.from(got.dataSync())).toEqual(values);
    });
});

describe('bool tensors', () => {
  test('are made from booleans, or from numbers with dtype bool (non-zero, NaN included, is true)', () => {
    const m = tensor([[true, false], [false, true]]); // prettier-ignore
    expect([m.dtype, [...m.shape]]).toEqual(['bool', [2, 2]]);
    expect(tensor([0, 2, NaN, -0], { dtype: 'bool' }).dataSync()).toEqual(
      new Uint8Array([0, 1, 1, 0]),
    );
    expect(tensor(true).dtype).toBe('bool');
    expect(full([2], false).dtype).toBe('bool');
    expect(Array.from(full([2], true).dataSync())).toEqual([1, 1]);
    expect(zeros([3], { dtype: 'bool' }).dataSync()).toEqual(new Uint8Array(3));
    // a Uint8Array of bytes stays numbers unless it is said to be a mask
    expect(tensor(new Uint8Array([0, 255])).dtype).toBe('float32');
    expect(tensor(new Uint8Array([0, 255]), { dtype: 'bool' }).dataSync()).toEqual(
      new Uint8Array([0, 1]),
    );
    expect(() => tensor([true, 1] as never)).toThrow(/ragged or hold non-booleans/);
    expect(() => tensor([true], { dtype: 'float32' })).toThrow(DTypeError);
  });

  test('read as a Uint8Array of 0/1 and print as NumPy does', async () => {
    const m = tensor([1, 0, 3]).gt(0);
    expect(m.dataSync()).toBeInstanceOf(Uint8Array);
    expect(await m.data()).toEqual(new Uint8Array([1, 0, 1]));
    expect(await m.item().catch((e: Error) => e.message)).toMatch(/one element/);
    expect(
      await m
        .slice([[0, 1]])
        .reshape([])
        .item(),
    ).toBe(1);
    expect(await m.array()).toEqual([1, 0, 1]);
    expect(m.toString()).toBe('array([ True, False,  True])');
  });

  test('masks must be bool, with an error that says how to make one', () => {
    const t = tensor([1, -2, 3]);
    const int = tensor([1, 0, 1], { dtype: 'int32' });
    expect(() => where(int, t, 0)).toThrow(
      "where: condition must be bool (what comparisons give), got int32 [3]; compare, e.g. m.ne(0), or cast: m.cast('bool')",
    );
    expect(() => t.maskedFill(int, 0)).toThrow(/^maskedFill: mask must be bool/);
    expect(() => t.maskedSelect(int)).toThrow(/^maskedSelect: mask must be bool/);
    expect(Array.from(t.maskedFill(t.lt(0), 0).dataSync())).toEqual([1, 0, 3]);
    expect(Array.from(t.index([true, false, true]).dataSync())).toEqual([1, 3]);
    expect(() => t.indexSelect(0, tensor([true]))).toThrow(/for a mask use maskedSelect/);
    expect(() => tensor([1, 2]).gt(0).neg()).toThrow(/^neg: is not defined for bool \[2\]/);
  });

  test('int32 computations on bool read its storage as a view, not a copy', () => {
    const m = tensor([true, false, true]);
    const s = m.sum();
    expect([s.dtype, s.dataSync()[0]]).toEqual(['int32', 2]);
    // a cast to int32 is a copy of its own: writing it leaves the mask alone
    const c = m.cast('int32');
    c.assign(5);
    expect(Array.from(m.dataSync())).toEqual([1, 0, 1]);
  });
});
