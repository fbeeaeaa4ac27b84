import { BINARY_OPS, type DType, OTHER_OPS, REDUCE_OPS, UNARY_OPS } from '@nablajs/tensor';
import { describe, expect, test } from 'vitest';
import { BINARY_CASES, OTHER_CASES, REDUCE_CASES, UNARY_CASES } from './cases/index.js';
import { type Nd, fromValues } from './nd.js';
import * as ref from './reference.js';
import { rng } from './rng.js';

// The reference is the spec every backend is held to, so it is pinned here by hand-written values.

const nd = (values: number[], shape: number[] = [values.length], dtype: DType = 'float64'): Nd =>
  fromValues(dtype, shape, values);
const vals = (x: Nd): number[] => [...x.data];

describe('reference tables', () => {
  test('every op in ops.ts has a reference row and cases', () => {
    for (const op of UNARY_OPS) expect(ref.UNARY_REF[op], op).toBeTypeOf('function');
    for (const op of BINARY_OPS) expect(ref.BINARY_REF[op], op).toBeTypeOf('function');
    for (const op of REDUCE_OPS) expect(ref.REDUCE_REF[op], op).toBeTypeOf('function');
    const tables = [
      [UNARY_OPS, UNARY_CASES],
      [BINARY_OPS, BINARY_CASES],
      [REDUCE_OPS, REDUCE_CASES],
      [OTHER_OPS, OTHER_CASES],
    ] as const;
    for (const [ops, table] of tables)
      for (const op of ops)
        expect((table as Record<string, unknown[]>)[op]?.length, op).toBeGreaterThan(0);
  });

  test('unary edge values', () => {
    const u = ref.UNARY_REF;
    expect([u.sigmoid(-1000), u.sigmoid(1000), u.sigmoid(0), u.sigmoid(-Infinity)]).toEqual([
      0, 1, 0.5, 0,
    ]);
    expect([u.log(0), u.log(-1), u.log(Infinity)]).toEqual([-Infinity, NaN, Infinity]);
    expect([u.exp(-1000), u.exp(1000), u.sqrt(-1), u.log1p(-1), u.expm1(-Infinity)]).toEqual([
      0,
      Infinity,
      NaN,
      -Infinity,
      -1,
    ]);
    expect([u.relu(NaN), u.relu(-2), u.step(NaN), u.step(0), u.step(3)]).toEqual([
      NaN,
      0,
      NaN,
      0,
      1,
    ]);
    expect([u.sign(-3), u.sign(0), u.sign(NaN), u.reciprocal(-0), u.tanh(-1000)]).toEqual([
      -1,
      0,
      NaN,
      -Infinity,
      -1,
    ]);
  });

  test('int32 unary wraps (abs and neg of -2^31, square past 2^53)', () => {
    const x = nd([-2147483648, 46341, 2147483647, 123456789], [4], 'int32');
    expect(vals(ref.unary('abs', x))).toEqual([-2147483648, 46341, 2147483647, 123456789]);
    expect(vals(ref.unary('neg', x))[0]).toBe(-2147483648);
    expect(vals(ref.unary('square', x))).toEqual([0, -2147479015, 1, -1757895751]);
    expect(ref.unary('exp', x).dtype).toBe('float32'); // float-only ops cast int32 to float32
  });

  test('binary: int32 wraparound, int32 div in float32, NaN-propagating maximum', () => {
    const a = nd([2147483647, 65536, -2147483648, 7, -7], [5], 'int32');
    const b = nd([2147483647, 65536, -1, 2, 2], [5], 'int32');
    expect(vals(ref.binary('mul', a, b))).toEqual([1, 0, -2147483648, 14, -14]);
    expect(vals(ref.binary('add', a, b))).toEqual([-2, 131072, 2147483647, 9, -5]);
    const q = ref.binary('div', a, b);
    expect([q.dtype, ...vals(q).slice(3)]).toEqual(['float32', 3.5, -3.5]);
    expect(
      vals(ref.binary('pow', nd([2, -2, 46341], [3], 'int32'), nd([31, 31, 2], [3], 'int32'))),
    ).toEqual([-2147483648, -2147483648, -2147479015]);
    expect(vals(ref.binary('maximum', nd([NaN, 1, -Infinity]), nd([0, NaN, -1])))).toEqual([
      NaN,
      NaN,
      -1,
    ]);
    const c = ref.binary('lt', nd([1, NaN]), nd([2, 2]));
    expect([c.dtype, ...vals(c)]).toEqual(['bool', 1, 0]);
  });

  test('broadcasting: [2,1,4] with [3,1] is [2,3,4]; a 0-size axis stays 0', () => {
    expect(
      ref.binary('add', nd(new Array(8).fill(1), [2, 1, 4]), nd([1, 2, 3], [3, 1])).shape,
    ).toEqual([2, 3, 4]);
    expect(ref.binary('add', nd([], [0, 4]), nd([1, 2, 3, 4], [1, 4])).shape).toEqual([0, 4]);
  });

  test('reduce: NaN propagates, arg ops give the first NaN, else the first extreme', () => {
    const x = nd([1, NaN, 3, NaN, 5, 5, 1, 5], [2, 4]);
    expect(vals(ref.reduce('max', x, 1).out)).toEqual([NaN, 5]);
    expect(vals(ref.reduce('argmax', x, 1).out)).toEqual([1, 0]);
    expect(vals(ref.reduce('argmin', x, 1).out)).toEqual([1, 2]);
    expect(vals(ref.reduce('argmax', x).out)).toEqual([1]);
    expect(vals(ref.reduce('sum', nd([1, 2, 3, 4, 5, 6], [2, 3]), 0, true).out)).toEqual([5, 7, 9]);
    expect(ref.reduce('sum', nd([1, 2, 3, 4, 5, 6], [2, 3]), [0, 1], true).out.shape).toEqual([
      1, 1,
    ]);
    // an int32 sum that does not fit raises (the API never wraps it); one that fits is exact
    expect(() => ref.reduce('sum', nd([2147483647, 1], [2], 'int32'))).toThrow(/does not fit/);
    expect(vals(ref.reduce('sum', nd([2147483647, 1, -5], [3], 'int32')).out)).toEqual([
      2147483643,
    ]);
    expect(vals(ref.reduce('sum', nd([], [0, 3]), 0).out)).toEqual([0, 0, 0]);
  });

  test('matmul: values, 1-D promotion and batch broadcasting', () => {
    expect(vals(ref.matmul(nd([1, 2, 3, 4], [2, 2]), nd([5, 6, 7, 8], [2, 2])).out)).toEqual([
      19, 22, 43, 50,
    ]);
    expect(ref.matmul(nd([1, 2], [2]), nd([3, 4], [2])).out.shape).toEqual([]);
    expect(
      ref.matmul(nd(new Array(24).fill(1), [2, 1, 3, 4]), nd(new Array(24).fill(1), [3, 4, 2])).out
        .shape,
    ).toEqual([2, 3, 3, 2]);
  });

  test("gather and scatterAdd follow PyTorch's examples", () => {
    const idx = nd([0, 0, 1, 0], [2, 2], 'int32');
    expect(vals(ref.gather(nd([1, 2, 3, 4], [2, 2]), 1, idx))).toEqual([1, 1, 4, 3]);
    expect(vals(ref.scatterAdd([2, 3], 1, idx, nd([1, 2, 3, 4], [2, 2])).out)).toEqual([
      3, 0, 0, 4, 3, 0,
    ]);
    expect(vals(ref.gather(nd([1, 2, 3, 4], [2, 2]), 0, idx))).toEqual([1, 2, 3, 2]);
  });

  test('concat, where and cast', () => {
    expect(vals(ref.concat([nd([1, 2], [2, 1]), nd([3, 4, 5, 6], [2, 2])], 1))).toEqual([
      1, 3, 4, 2, 5, 6,
    ]);
    expect(vals(ref.where(nd([1, 0, -1], [3], 'int32'), nd([1, 2, 3]), nd([9], [1])))).toEqual([
      1, 9, 3,
    ]);
    expect(vals(ref.cast(nd([2.7, -2.7, -0.5, 1e9]), 'int32'))).toEqual([2, -2, 0, 1e9]);
    expect(vals(ref.cast(nd([1e300, 16777217]), 'float32'))).toEqual([Infinity, 16777216]);
  });

  test('the input generator is deterministic per seed', () => {
    const a = rng('x');
    const b = rng('x');
    const draws = Array.from({ length: 5 }, () => [a.next(), b.next()]);
    for (const [p, q] of draws) expect(p).toBe(q);
    expect(rng('y').next()).not.toBe(rng('x').next());
  });
});
