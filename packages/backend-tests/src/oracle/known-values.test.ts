import { readFileSync } from 'node:fs';
import { BINARY_OPS, type BinaryOp, UNARY_OPS, type UnaryOp } from '@nablajs/tensor';
import { describe, expect, test } from 'vitest';
import { BINARY_REF, INT32_BINARY, INT32_UNARY, UNARY_REF } from '../reference.js';

// The oracle's scalar rows against a committed table of correctly rounded values (mpmath at 300
// bits) and IEEE special values (PyTorch float64, C99 Annex F), made by
// scripts/make-known-values.py: ordinary, huge, tiny and subnormal arguments, ±0, ±Infinity, NaN.

interface KnownValues {
  unary: Record<string, [x: string, expected: string, source: string][]>;
  binary: Record<string, [a: string, b: string, expected: string, source: string][]>;
  int32: Record<string, number[][]>;
}
const known = JSON.parse(
  readFileSync(new URL('../../fixtures/known-values.json', import.meta.url), 'utf8'),
) as KnownValues;

/**
 * How far each row may be from the correctly rounded result, in ulps (doubles in between). 0 means
 * correctly rounded. A zero, an infinity or NaN must match exactly, the sign of zero included.
 */
const ULPS: Record<UnaryOp, number> & Record<BinaryOp, number> = {
  neg: 0, abs: 0, sign: 0, relu: 0, step: 0, reciprocal: 0, square: 0, floor: 0, ceil: 0,
  sqrt: 0, exp: 1, expm1: 1, log: 1, log1p: 1, sin: 1, cos: 1, tanh: 2, sigmoid: 1,
  add: 0, sub: 0, mul: 0, div: 0, pow: 0, maximum: 0, minimum: 0,
  eq: 0, ne: 0, lt: 0, le: 0, gt: 0, ge: 0,
}; // prettier-ignore

const view = new DataView(new ArrayBuffer(8));
/** The position of a double on the line of all doubles (±0 at 0). */
function ordered(x: number): bigint {
  view.setFloat64(0, x);
  const n = view.getBigInt64(0);
  return n >= 0n ? n : -(n & 0x7fffffffffffffffn);
}

/** The doubles between got and want, or Infinity where a special value does not match. */
function distance(got: number, want: number): number {
  if (want !== want) return got !== got ? 0 : Infinity;
  if (want === 0 || !Number.isFinite(want)) return Object.is(got, want) ? 0 : Infinity;
  if (!Number.isFinite(got)) return Infinity;
  const d = ordered(got) - ordered(want);
  return Number(d < 0n ? -d : d);
}

/** Checks every row against its tolerance; the failure lists every row beyond it. */
function check(
  op: string,
  rows: [inputs: number[], want: number][],
  f: (...x: number[]) => number,
) {
  const tol = (ULPS as Record<string, number>)[op]!;
  const bad: string[] = [];
  for (const [inputs, want] of rows) {
    const got = f(...inputs);
    const d = distance(got, want);
    if (d > tol) bad.push(`${op}(${inputs.join(', ')}) = ${got}, want ${want} (${d} ulps)`);
  }
  expect(bad, `${op}: more than ${tol} ulps from the known values`).toEqual([]);
}

describe('the oracle against known values', () => {
  test('every unary and binary op has known values', () => {
    const missing = [
      ...UNARY_OPS.filter((op) => !known.unary[op]?.length),
      ...BINARY_OPS.filter((op) => !known.binary[op]?.length),
    ];
    expect(missing, 'add their inputs to scripts/make-known-values.py and rerun it').toEqual([]);
  });

  for (const op of UNARY_OPS)
    test(`${op}: within ${ULPS[op]} ulps`, () => {
      const rows = (known.unary[op] ?? []).map(
        ([x, want]) => [[Number(x)], Number(want)] as [number[], number],
      );
      check(op, rows, UNARY_REF[op]);
    });

  for (const op of BINARY_OPS)
    test(`${op}: within ${ULPS[op]} ulps`, () => {
      const rows = (known.binary[op] ?? []).map(
        ([a, b, want]) => [[Number(a), Number(b)], Number(want)] as [number[], number],
      );
      check(op, rows, BINARY_REF[op]);
    });

  test('int32 rows: exact, wrapped to 32 bits', () => {
    const rows = (op: string) =>
      known.int32[op]!.map((r) => [r.slice(0, -1), r[r.length - 1]!] as [number[], number]);
    check('square', rows('square'), INT32_UNARY.square!);
    check('mul', rows('mul'), INT32_BINARY.mul!);
    check('pow', rows('pow'), INT32_BINARY.pow!);
  });
});
