// The specialized copies of the loops against the factories they are copied from (what runs where
// `new Function` is refused): the same bits for every op, dtype and stride.
import {
  BINARY_OPS,
  type DType,
  REDUCE_OPS,
  type TypedArray,
  UNARY_OPS,
  binaryDType,
  binaryResultDType,
  typedArray,
  unaryDType,
} from '@nablajs/tensor';
import { afterAll, describe, expect, test } from 'vitest';
import { binaryRun, reduceRun, specializeLoops, unaryRun, unspecialized } from './loops.js';

const DTYPES: readonly DType[] = ['float32', 'int32', 'float64'];
// prettier-ignore
const VALUES = [0, -0, 1, -1, 0.5, -2.5, 3, 7, 100, -1000, 1e30, -1e-30, Infinity, -Infinity, NaN, 2147483647, -2147483648, 46341, 65536];

/** Each loop run twice, as a specialized copy and as the plain factory, on a stride-2 view. */
function both(run: (copies: boolean) => TypedArray): [number[], number[]] {
  const results = [true, false].map((on) => {
    specializeLoops(on);
    return [...run(on)];
  });
  specializeLoops(true);
  return results as [number[], number[]];
}

afterAll(() => specializeLoops(true));

describe('specialized loops', () => {
  const x = (dtype: DType) => {
    const a = typedArray(dtype, 2 * VALUES.length);
    a.set([...VALUES, ...[...VALUES].reverse()]);
    return a;
  };
  const n = VALUES.length;

  test.each(DTYPES)('unary ops on %s', (dtype) => {
    for (const op of UNARY_OPS) {
      if (unaryDType(op, dtype) !== dtype) continue; // Tensor casts first
      const [copy, plain] = both(() => {
        const o = typedArray(dtype, n);
        unaryRun(op, dtype)(x(dtype), 1, 2, o, 0, n);
        return o;
      });
      expect(copy.map(String), op).toEqual(plain.map(String));
    }
  });

  test.each(DTYPES)('binary ops on %s', (dtype) => {
    for (const op of BINARY_OPS) {
      if (binaryDType(op, dtype) !== dtype) continue;
      const [copy, plain] = both(() => {
        const o = typedArray(binaryResultDType(op, dtype), n);
        binaryRun(op, dtype)(x(dtype), 0, 1, x(dtype), 3, 0, o, 0, n); // b broadcast
        return o;
      });
      expect(copy.map(String), op).toEqual(plain.map(String));
    }
  });

  test.each(DTYPES)('reductions on %s', (dtype) => {
    for (const op of REDUCE_OPS) {
      const [copy, plain] = both(() => {
        const s = { acc: op.endsWith('max') ? -Infinity : op === 'sum' ? 0 : Infinity, at: -1 };
        reduceRun(op, dtype)(x(dtype), 2, 3, 7, 0, s);
        return Float64Array.of(s.acc, s.at);
      });
      expect(copy.map(String), op).toEqual(plain.map(String));
    }
  });

  test('every loop made in these tests was specialized (new Function works in Node)', () => {
    expect(unspecialized()).toEqual([]);
  });
});
