/**
 * The oracle's pow: IEEE 754 / C99 Annex F special cases written out, integer exponents exact
 * (BigInt powers of the mantissa, one rounding), the rest as e^(y·ln x) in 256-bit fixed point.
 * Double-precision exp(y·log x) would not do: the rounding of y·log x, up to 709·2^−53, is
 * multiplied into the result's relative error (hundreds of ulps near overflow).
 */
import {
  FIXED,
  LN2_FIXED,
  bitLength,
  decompose,
  divToDouble,
  floorDiv,
  isInteger,
  isOdd,
  toDouble,
} from './exact.js';

const F = 256;
const ONE = 1n << BigInt(F);
const LN2 = LN2_FIXED >> BigInt(FIXED - F);

/** ln x·2^F for a finite x > 0: x = m·2^k with m in [√½, √2], ln m = 2·atanh((m−1)/(m+1)). */
function lnFixed(x: number): bigint {
  const { m, e } = decompose(x);
  const b = bitLength(m);
  let k = e + b - 1;
  let mf = m << BigInt(F - b + 1); // m/2^(b−1) in [1, 2), exact
  if (mf * mf > ONE * ONE * 2n) {
    mf >>= 1n;
    k += 1;
  }
  const s = ((mf - ONE) << BigInt(F)) / (mf + ONE);
  const s2 = (s * s) / ONE;
  let sum = 0n;
  for (let t = s, j = 1n; t !== 0n; t = (t * s2) / ONE, j += 2n) sum += t / j;
  return BigInt(k) * LN2 + 2n * sum;
}

/** e^(y/2^F) as a double: y = k·ln 2 + r, e^r by its Taylor series, one final rounding. */
function expFixed(y: bigint): number {
  const k = floorDiv(2n * y + LN2, 2n * LN2);
  const r = y - k * LN2;
  let sum = ONE;
  for (let t = ONE, n = 1n; t !== 0n; n++) {
    t = (t * r) / (n * ONE);
    sum += t;
  }
  return toDouble(sum, Number(k) - F);
}

/** |x|^y for finite x ≠ 0 and finite y ≠ 0. */
function powMagnitude(x: number, y: number): number {
  const a = x < 0 ? -x : x;
  if (isInteger(y) && y >= -64 && y <= 64) {
    let { m, e } = decompose(a);
    while ((m & 1n) === 0n) {
      m >>= 1n;
      e += 1;
    }
    const n = BigInt(y < 0 ? -y : y);
    return y > 0 ? toDouble(m ** n, e * y) : divToDouble(1n, m ** n, e * y);
  }
  const { m, e } = decompose(y);
  const l = m * lnFixed(a);
  const t = e >= 0 ? l << BigInt(e) : l / (1n << BigInt(-e)); // y·ln|x|·2^F
  // e^±1100 is far beyond the doubles: no need to build it
  const limit = 1100n * ONE;
  if (t > limit) return Infinity;
  if (t < -limit) return 0;
  return expFixed(t);
}

/** x^y with C99 Annex F (and PyTorch's) special values; JavaScript's `**` differs at 1^NaN, 1^±∞. */
export function pow(x: number, y: number): number {
  if (y === 0 || x === 1) return 1; // even x = NaN, y = NaN
  if (x !== x || y !== y) return NaN;
  const inf = y === Infinity || y === -Infinity;
  if (inf) {
    if (x === -1) return 1;
    const big = x > 1 || x < -1;
    return big === y > 0 ? Infinity : 0;
  }
  const odd = isOdd(y);
  if (x === 0) {
    // ±0: the sign survives an odd exponent
    if (y < 0) return odd ? 1 / x : Infinity;
    return odd ? x : 0;
  }
  if (x === Infinity) return y < 0 ? 0 : Infinity;
  if (x === -Infinity) {
    const v = y < 0 ? 0 : Infinity;
    return odd ? -v : v;
  }
  if (x < 0 && !isInteger(y)) return NaN;
  const v = powMagnitude(x, y);
  return x < 0 && odd ? -v : v;
}
