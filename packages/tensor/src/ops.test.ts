import { describe, expect, test } from 'vitest';
import { DTypeError } from './errors.js';
import {
  ARITH_OPS,
  BINARY,
  BINARY_OPS,
  COMPARE_OPS,
  type Forms,
  type IntUnaryOp,
  REDUCE,
  REDUCE_OPS,
  UNARY,
  UNARY_OPS,
  binaryDType,
  binaryResultDType,
  formFor,
  unaryDType,
} from './ops.js';

describe('op records', () => {
  test('the op lists are the records’ keys, in order; comparisons and arithmetic split them', () => {
    expect(UNARY_OPS).toEqual(Object.keys(UNARY));
    expect(BINARY_OPS).toEqual(Object.keys(BINARY));
    expect(REDUCE_OPS).toEqual(Object.keys(REDUCE));
    expect(COMPARE_OPS).toEqual(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);
    expect([...ARITH_OPS, ...COMPARE_OPS].sort()).toEqual([...BINARY_OPS].sort());
  });

  test('dtype rules read the traits: float-only ops compute int32 in float32', () => {
    expect([unaryDType('exp', 'int32'), unaryDType('neg', 'int32')]).toEqual(['float32', 'int32']);
    expect(unaryDType('exp', 'float64')).toBe('float64');
    expect([binaryDType('div', 'int32'), binaryDType('atan2', 'int32')]).toEqual([
      'float32',
      'float32',
    ]);
    expect([binaryDType('mul', 'int32'), binaryDType('div', 'float64')]).toEqual([
      'int32',
      'float64',
    ]);
    expect([binaryResultDType('lt', 'float32'), binaryResultDType('add', 'float64')]).toEqual([
      'bool',
      'float64',
    ]);
  });

  test('formFor picks the int32 form, and refuses int32 for a float-only row', () => {
    expect(formFor('neg', { f: 'F', i: 'I' }, 'int32')).toBe('I');
    expect(formFor('neg', { f: 'F', i: 'I' }, 'float32')).toBe('F');
    expect(() => formFor('exp', { f: 'F' }, 'int32')).toThrow(DTypeError);
  });

  test('Forms demands an int32 form exactly for the int ops (checked by tsc)', () => {
    type T = Forms<'neg' | 'exp', Extract<IntUnaryOp, 'neg'>, number>;
    const ok: T = { neg: { f: 1, i: 2 }, exp: { f: 3 } };
    // @ts-expect-error: neg takes int32, so its row needs `i`
    const missing: T = { neg: { f: 1 }, exp: { f: 3 } };
    // @ts-expect-error: exp is float-only, so its row has no `i`
    const extra: T = { neg: { f: 1, i: 2 }, exp: { f: 3, i: 4 } };
    expect([ok, missing, extra].length).toBe(3);
  });
});
