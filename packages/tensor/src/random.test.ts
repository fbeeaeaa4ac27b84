import { describe, expect, test } from 'vitest';
import { cpu } from '../../backend-cpu/src/index.js';
import {
  DTypeError,
  manualSeed,
  philox4x32,
  philoxBlocks,
  philoxFill,
  rand,
  randn,
  type Tensor,
  useBackend,
} from './index.js';

useBackend(cpu());

const values = (t: Tensor) => Array.from(t.dataSync());

/** An independent Philox 4x32-10 in BigInt arithmetic, straight from Salmon et al. / Random123. */
function philoxRef(ctr: readonly number[], key: readonly number[]): number[] {
  const MASK = 0xffffffffn;
  let c = ctr.map(BigInt);
  let k = key.map(BigInt);
  for (let round = 0; round < 10; round++) {
    const p0 = 0xd2511f53n * c[0]!;
    const p1 = 0xcd9e8d57n * c[2]!;
    c = [
      ((p1 >> 32n) ^ c[1]! ^ k[0]!) & MASK,
      p1 & MASK,
      ((p0 >> 32n) ^ c[3]! ^ k[1]!) & MASK,
      p0 & MASK,
    ];
    k = [(k[0]! + 0x9e3779b9n) & MASK, (k[1]! + 0xbb67ae85n) & MASK];
  }
  return c.map(Number);
}

function philox(ctr: readonly number[], key: readonly number[]): number[] {
  const out = new Uint32Array(4);
  philox4x32(ctr[0]!, ctr[1]!, ctr[2]!, ctr[3]!, key[0]!, key[1]!, out);
  return Array.from(out);
}

const uniform = (w: number) => (w >>> 8) / 2 ** 24;

// Random123's known-answer vectors for philox4x32_10 (kat_vectors).
const KAT: [number[], number[], number[]][] = [
  [[0, 0, 0, 0], [0, 0], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]],
  [[0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]],
  [[0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0], [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]],
]; // prettier-ignore

describe('philox4x32-10', () => {
  test.each(KAT)('known answer for ctr=%j key=%j', (ctr, key, expected) => {
    expect(philox(ctr, key)).toEqual(expected);
    expect(philoxRef(ctr, key)).toEqual(expected);
  });

  test('agrees with the BigInt reference on other counters and keys', () => {
    const cases = [
      [
        [1, 0, 0, 0],
        [0, 0],
      ],
      [
        [7, 3, 0, 0],
        [123456789, 42],
      ],
      [
        [0x80000000, 0xfffffffe, 5, 0x7fffffff],
        [0xdeadbeef, 0xcafebabe],
      ],
    ];
    for (const [ctr, key] of cases) expect(philox(ctr!, key!)).toEqual(philoxRef(ctr!, key!));
  });

  test('philoxFill follows the documented stream: uniform words, then counter + 1', () => {
    const out = new Float64Array(6);
    philoxFill('uniform', out, 0, 0);
    const b0 = KAT[0]![2];
    const b1 = philoxRef([1, 0, 0, 0], [0, 0]);
    expect(Array.from(out)).toEqual([...b0.map(uniform), ...b1.slice(0, 2).map(uniform)]);
    expect(philoxBlocks(6)).toBe(2);
    expect(philoxBlocks(8)).toBe(2);
    expect(philoxBlocks(9)).toBe(3);
  });

  test('a seed past 2^32 keys with (seed mod 2^32, floor(seed / 2^32)); the offset is the counter', () => {
    const out = new Float64Array(4);
    philoxFill('uniform', out, 2 ** 32 + 5, 3);
    expect(Array.from(out)).toEqual(philoxRef([3, 0, 0, 0], [5, 1]).map(uniform));
    philoxFill('uniform', out, 9, 2 ** 32 + 2);
    expect(Array.from(out)).toEqual(philoxRef([2, 1, 0, 0], [9, 0]).map(uniform));
  });
});

describe('rand and randn', () => {
  test('the first uniform numbers for seed 0 match a hand computation', () => {
    const r = rand([6], { seed: 0, dtype: 'float64' });
    const b0 = [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8];
    const b1 = philoxRef([1, 0, 0, 0], [0, 0]);
    expect(values(r)).toEqual([...b0, ...b1.slice(0, 2)].map(uniform));
    expect(values(r)[0]).toBe(0x6627e8 / 16777216);
    // 24-bit uniforms are exact in float32 too, so both dtypes give the same numbers
    expect(values(rand([6], { seed: 0 }))).toEqual(values(r));
  });

  test('the first normal numbers for seed 0: Box-Muller on words (0, 1) and (2, 3)', () => {
    const [w0, w1, w2, w3] = [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8];
    const bm = (a: number, b: number) => {
      const u1 = ((a >>> 8) + 1) / 2 ** 24;
      const u2 = (b >>> 8) / 2 ** 24;
      const r = Math.sqrt(-2 * Math.log(u1));
      return [r * Math.cos(2 * Math.PI * u2), r * Math.sin(2 * Math.PI * u2)];
    };
    const expected = [...bm(w0, w1), ...bm(w2, w3)];
    const got = values(randn([4], { seed: 0, dtype: 'float64' }));
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 12));
    values(randn([4], { seed: 0 })).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
  });

  test('the same seed gives the same numbers; different seeds differ', () => {
    expect(values(randn([50], { seed: 7 }))).toEqual(values(randn([50], { seed: 7 })));
    expect(values(rand([2, 5], { seed: 7 }))).toEqual(values(rand([10], { seed: 7 })));
    expect(values(randn([50], { seed: 7 }))).not.toEqual(values(randn([50], { seed: 8 })));
    expect(values(rand([50], { seed: 1 }))).not.toEqual(values(rand([50], { seed: 2 })));
    expect(randn([2, 3], { seed: 1 }).shape).toEqual([2, 3]);
  });

  test('manualSeed resets the global stream, which advances by ceil(n / 4) counters per call', () => {
    manualSeed(123);
    const a = values(rand([5]));
    const b = values(randn([3]));
    manualSeed(123);
    expect(values(rand([5]))).toEqual(a);
    expect(values(randn([3]))).toEqual(b);
    // the calls continue one stream: 5 numbers used counters 0 and 1, so the next call starts at 2
    manualSeed(123);
    const first = values(rand([5]));
    const next = values(rand([4]));
    const whole = values(rand([12], { seed: 123 }));
    expect(first).toEqual(whole.slice(0, 5));
    expect(next).toEqual(whole.slice(8, 12));
    // a seeded call does not touch the global stream
    manualSeed(0);
    rand([3], { seed: 99 });
    expect(values(rand([2]))).toEqual(values(rand([2], { seed: 0 })));
    expect(() => manualSeed(-1)).toThrow(/manualSeed/);
    expect(() => manualSeed(1.5)).toThrow(/manualSeed/);
  });

  test('randn of 100k numbers has mean ≈ 0 and std ≈ 1; rand lies in [0, 1) with mean ≈ 1/2', () => {
    const n = randn([100_000], { seed: 2024 });
    expect(Math.abs(values(n.mean())[0]!)).toBeLessThan(0.015); // 5 standard errors
    expect(Math.abs(Math.sqrt(values(n.variance())[0]!) - 1)).toBeLessThan(0.015);
    const u = rand([100_000], { seed: 2024 });
    expect(values(u.min())[0]).toBeGreaterThanOrEqual(0);
    expect(values(u.max())[0]).toBeLessThan(1);
    expect(Math.abs(values(u.mean())[0]! - 0.5)).toBeLessThan(0.005);
    expect(values(u.variance())[0]).toBeCloseTo(1 / 12, 2);
  });

  test('int32 random tensors raise DTypeError', () => {
    expect(() => rand([2], { dtype: 'int32' })).toThrow(DTypeError);
    expect(() => randn([2], { dtype: 'int32' })).toThrow(/^randn: draws floats/);
  });
});
