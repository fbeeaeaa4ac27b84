/**
 * Exact arithmetic the oracle's scalar functions are built on: the bits of a double, correctly
 * rounded conversion of a BigInt fraction to a double, error-free sums, and π and ln 2 to hundreds
 * of bits, computed here from their series (no constant is copied from a math library).
 *
 * Nothing in `src/oracle/` calls a `Math` function: every elementary function is derived from
 * these, so the oracle shares no code with a backend's `Math.exp`, `Math.sin`, … kernels.
 */

const view = new DataView(new ArrayBuffer(8));

/** The biased exponent field of `x` (0 for zeros and subnormals, 2047 for Infinity and NaN). */
export function exponentBits(x: number): number {
  view.setFloat64(0, x);
  return (view.getUint32(0) >>> 20) & 0x7ff;
}

/** 2^k for an integer k in [-1022, 1023], built from its bits. */
export function pow2(k: number): number {
  view.setUint32(0, (k + 1023) << 20);
  view.setUint32(4, 0);
  return view.getFloat64(0);
}

/** x·2^k, exact while the result is a normal double (underflow rounds once at the last step). */
export function ldexp(x: number, k: number): number {
  while (k > 1023) {
    x *= pow2(1023);
    k -= 1023;
  }
  while (k < -1000) {
    x *= pow2(-1000);
    k += 1000;
  }
  return x * pow2(k);
}

/** A finite double as m·2^e exactly: m a signed BigInt with |m| < 2^53. */
export function decompose(x: number): { m: bigint; e: number } {
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const biased = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(view.getUint32(4));
  if (biased !== 0) m |= 1n << 52n;
  const e = biased === 0 ? -1074 : biased - 1075;
  return { m: hi >>> 31 ? -m : m, e };
}

/** The number of bits of |n| (0 for 0). */
export function bitLength(n: bigint): number {
  return n === 0n ? 0 : (n < 0n ? -n : n).toString(2).length;
}

/** n·2^e rounded to the nearest double (ties to even), subnormals and overflow included. */
export function toDouble(n: bigint, e: number): number {
  if (n === 0n) return 0;
  const neg = n < 0n;
  let a = neg ? -n : n;
  const len = bitLength(a);
  // the weight of the result's last bit: 53 bits below its leading one, never below 2^-1074
  const lsb = len + e - 53 < -1074 ? -1074 : len + e - 53;
  const shift = lsb - e;
  if (shift > 0) {
    const s = BigInt(shift);
    const q = a >> s;
    const rest = a - (q << s);
    const half = 1n << (s - 1n);
    a = rest > half || (rest === half && (q & 1n) === 1n) ? q + 1n : q;
    e = lsb;
  }
  const v = ldexp(Number(a), e); // a < 2^54 is exact as a Number; the scaling is exact
  return neg ? -v : v;
}

/** num/den·2^e rounded to the nearest double (num ≥ 0, den > 0). */
export function divToDouble(num: bigint, den: bigint, e: number): number {
  const s = 55 + bitLength(den) - bitLength(num);
  const scaled = s > 0 ? num << BigInt(s) : num;
  const shift = s > 0 ? s : 0;
  const q = scaled / den;
  // a sticky bit below the quotient keeps the rounding of the exact fraction
  const sticky = scaled % den === 0n ? 0n : 1n;
  return toDouble((q << 1n) | sticky, e - shift - 1);
}

/** a + b as s + err exactly (Knuth's TwoSum). */
export function twoSum(a: number, b: number): [number, number] {
  const s = a + b;
  const bb = s - a;
  return [s, a - (s - bb) + (b - bb)];
}

/** floor(x) for a finite double, by dropping the fraction bits (BigInt >> rounds toward −∞). */
export function floor(x: number): number {
  if (x === 0 || x !== x || x === Infinity || x === -Infinity) return x;
  const { m, e } = decompose(x);
  return e >= 0 ? x : Number(m >> BigInt(-e));
}

/** Whether x is a finite integer. */
export const isInteger = (x: number): boolean => x - x === 0 && floor(x) === x;

/** Whether x is an odd integer (doubles from 2^53 up are even). */
export const isOdd = (x: number): boolean => isInteger(x) && floor(x / 2) !== x / 2;

/** a/b rounded toward −∞ (b > 0). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

/** Fraction bits of the fixed-point constants. */
export const FIXED = 1300;
const ONE = 1n << BigInt(FIXED);

/** atan(1/k)·2^FIXED by its Taylor series (k ≥ 2). */
function atanInverse(k: bigint): bigint {
  const k2 = k * k;
  let power = ONE / k; // 1/k^(2j+1)
  let sum = 0n;
  for (let j = 0n; power !== 0n; j++) {
    sum += (j % 2n === 0n ? power : -power) / (2n * j + 1n);
    power /= k2;
  }
  return sum;
}

/** π·2^FIXED, by Machin's formula π = 16·atan(1/5) − 4·atan(1/239). */
export const PI_FIXED = 16n * atanInverse(5n) - 4n * atanInverse(239n);

/** ln 2·2^FIXED = 2·atanh(1/3)·2^FIXED = 2·Σ 1/((2j+1)·3^(2j+1)). */
export const LN2_FIXED = (() => {
  let power = ONE / 3n;
  let sum = 0n;
  for (let j = 0n; power !== 0n; j++) {
    sum += power / (2n * j + 1n);
    power /= 9n;
  }
  return 2n * sum;
})();

/** ln 2 = LN2_HI + LN2_LO: LN2_HI keeps 32 bits, so k·LN2_HI is exact for |k| < 2^21. */
const LN2_TOP = LN2_FIXED >> BigInt(FIXED - 32);
export const LN2_HI = toDouble(LN2_TOP, -32);
export const LN2_LO = toDouble(LN2_FIXED - (LN2_TOP << BigInt(FIXED - 32)), -FIXED);
/** 1/ln 2, rounded. */
export const INV_LN2 = divToDouble(ONE, LN2_FIXED, 0);
