/**
 * The oracle's elementary functions in float64, written from their series with argument reduction
 * (not `Math.exp`, `Math.log`, `Math.sin`, … which the CPU backend calls): each is within a couple
 * of ulps of the correctly rounded result, as `known-values.test.ts` checks against mpmath.
 */
import {
  FIXED,
  INV_LN2,
  LN2_HI,
  LN2_LO,
  PI_FIXED,
  bitLength,
  decompose,
  exponentBits,
  ldexp,
  pow2,
  toDouble,
  twoSum,
} from './exact.js';

/** Σ terms, smallest first (the terms decrease), so rounding errors stay below the last ulp. */
function sumSmallFirst(terms: readonly number[], from = 0): number {
  let s = 0;
  for (let i = terms.length - 1; i >= from; i--) s += terms[i]!;
  return s;
}

/** Rounds to the nearest integer, ties to even (|v| < 2^51): adding 1.5·2^52 drops the fraction. */
const roundInt = (v: number): number => v + 6755399441055744 - 6755399441055744;

/**
 * x = k·ln 2 + r with r = hi + lo, |r| ≤ ln2/2 (Cody–Waite: k·LN2_HI is exact, x − k·LN2_HI too,
 * since they are close; k·LN2_LO is tiny and its rounding negligible). |x| < 750.
 */
function reduceLn2(x: number): [k: number, hi: number, lo: number] {
  const k = roundInt(x * INV_LN2);
  const t = x - k * LN2_HI;
  const c = k * LN2_LO;
  const hi = t - c;
  return [k, hi, t - hi - c];
}

/** e^r − 1 for |r| ≤ 0.35 by its Taylor series r + r²/2! + r³/3! + … */
function expm1Series(r: number): number {
  const terms = [r];
  for (let n = 2, t = r; ; n++) {
    t = (t * r) / n;
    if (!((t < 0 ? -t : t) >= 1e-20 * (r < 0 ? -r : r)) || t === 0) break; // NaN stops too
    terms.push(t);
  }
  return r + sumSmallFirst(terms, 1);
}

/** e^(hi+lo) − 1 = e^hi − 1 + e^hi·lo, for a reduced argument. */
function expm1Reduced(hi: number, lo: number): number {
  const p = expm1Series(hi);
  return p + (1 + p) * lo;
}

/** e^x = 2^k·(1 + expm1(r)). */
export function exp(x: number): number {
  if (x !== x) return x;
  if (x > 710) return Infinity; // e^710 > 2^1024
  if (x < -746) return 0; // e^−746 < 2^−1075, below half the least subnormal
  const [k, hi, lo] = reduceLn2(x);
  return ldexp(1 + expm1Reduced(hi, lo), k);
}

/** e^x − 1 = 2^k·p + (2^k − 1) with p = expm1(r): both terms exact for |k| ≤ 52, one rounding. */
export function expm1(x: number): number {
  if (x === 0 || x !== x) return x; // keeps −0
  if (x > 710) return Infinity;
  if (x < -50) return -1; // e^x < 2^−72: −1 + e^x rounds to −1
  const [k, hi, lo] = reduceLn2(x);
  const p = expm1Reduced(hi, lo);
  if (k === 0) return p;
  if (k > 52) return ldexp(1 + p, k) - 1;
  return ldexp(p, k) + (pow2(k) - 1);
}

/**
 * ln(1 + f) for f in [√½ − 1, √2 − 1] by the atanh series: ln(1+f) = 2·atanh(s), s = f/(2+f),
 * 2·atanh(s) = 2s + 2s·(s²/3 + s⁴/5 + …). The rounding of 2 + f is carried into s.
 */
function log1pSmall(f: number): [hi: number, lo: number] {
  const [d, dErr] = twoSum(2, f);
  const s = f / d;
  const sCorr = (-s * dErr) / d; // s·(1 − dErr/d) ≈ f/(d + dErr)
  const s2 = s * s;
  const terms: number[] = [];
  for (let j = 1, t = s2; t > 1e-20 && j < 40; j++, t *= s2) terms.push(t / (2 * j + 1));
  return [2 * s, 2 * (s * sumSmallFirst(terms) + sCorr)];
}

/** ln x = e·ln 2 + ln m with x = m·2^e, m in [√½, √2]. */
export function log(x: number): number {
  if (x !== x || x < 0) return NaN;
  if (x === 0) return -Infinity;
  if (x === Infinity) return x;
  let e = 0;
  if (exponentBits(x) === 0) {
    x *= pow2(54); // subnormal: normalise first
    e = -54;
  }
  const be = exponentBits(x) - 1023;
  let m = ldexp(x, -be);
  e += be;
  // any cut near √2 works: the series converges fast on both sides
  if (m > 1.4142) {
    m /= 2;
    e += 1;
  }
  const [hi, lo] = log1pSmall(m - 1); // m − 1 is exact (Sterbenz)
  const [s, err] = twoSum(e * LN2_HI, hi); // e·LN2_HI is exact
  return s + (err + (e * LN2_LO + lo));
}

/** ln(1 + x): the series directly near 0, else ln(u) + (1 + x − u)/u with u = 1 + x rounded. */
export function log1p(x: number): number {
  if (x === 0 || x !== x) return x; // keeps −0
  if (x < -1) return NaN;
  if (x === -1) return -Infinity;
  if (x === Infinity) return x;
  if (x > -0.29 && x < 0.41) {
    const [hi, lo] = log1pSmall(x);
    return hi + lo;
  }
  const [u, uErr] = twoSum(1, x);
  return log(u) + uErr / u;
}

/** tanh|x| = −expm1(−2|x|)/(2 + expm1(−2|x|)): no cancellation anywhere, odd by construction. */
export function tanh(x: number): number {
  if (x === 0 || x !== x) return x;
  const e = expm1(-2 * (x < 0 ? -x : x));
  const t = -e / (2 + e);
  return x < 0 ? -t : t;
}

/**
 * σ(x) = 1/(1 + e^−x) = 1/(2 + expm1(−x)), one expression for every x. Below −700, e^−x
 * overflows while σ(x) = e^x·(1 − e^x + …) = e^x to far below an ulp.
 */
export function sigmoid(x: number): number {
  if (x !== x) return x;
  return x < -700 ? exp(x) : 1 / (2 + expm1(-x));
}

/** √x correctly rounded: the integer square root (Newton's iteration) of the mantissa, scaled. */
export function sqrt(x: number): number {
  if (x !== x || x < 0) return NaN;
  if (x === 0 || x === Infinity) return x; // keeps −0
  let { m, e } = decompose(x);
  if (e % 2 !== 0) {
    m <<= 1n;
    e -= 1;
  }
  // 112 bits and more in N give a root of 56 bits and more: two beyond a double's 53, + sticky
  const s = bitLength(m) >= 112 ? 0 : (113 - bitLength(m)) >> 1;
  const n = m << BigInt(2 * s);
  let y = 1n << BigInt((bitLength(n) >> 1) + 1); // above √n
  for (;;) {
    const z = (y + n / y) >> 1n;
    if (z >= y) break;
    y = z;
  }
  const sticky = y * y === n ? 0n : 1n;
  return toDouble((y << 1n) | sticky, (e - 2 * s) / 2 - 1);
}

// Trigonometric reduction: 2/π to 1200 bits makes x·2/π's fraction exact to 2^−176 for every
// double x (|x| < 2^1024), far below the closest a double comes to a multiple of π/2 (2^−61).
const TWO_OVER_PI_BITS = 1200;
const TWO_OVER_PI = (1n << BigInt(TWO_OVER_PI_BITS + 1 + FIXED)) / PI_FIXED;
const PIO2_BITS = 256;
const PIO2 = PI_FIXED >> BigInt(FIXED - PIO2_BITS + 1);
const PIO4 = toDouble(PI_FIXED, -FIXED - 2);

/** x (finite, > π/4) = k·π/2 + hi + lo, |hi + lo| ≤ π/4, exactly in BigInt (Payne–Hanek). */
function reducePio2(x: number): [quadrant: number, hi: number, lo: number] {
  const { m, e } = decompose(x);
  const bits = TWO_OVER_PI_BITS - e; // x·2/π = m·TWO_OVER_PI / 2^bits
  const p = m * TWO_OVER_PI;
  const k = (p + (1n << BigInt(bits - 1))) >> BigInt(bits);
  const frac = p - (k << BigInt(bits)); // (x·2/π − k)·2^bits
  const r = frac * PIO2; // (x − k·π/2)·2^(bits + PIO2_BITS)
  const scale = bits + PIO2_BITS;
  const hi = toDouble(r, -scale);
  const h = decompose(hi);
  const lo = toDouble(r - (h.m << BigInt(h.e + scale)), -scale);
  return [Number(k & 3n), hi, lo];
}

/** sin r and cos r for |r| ≤ π/4 by their Taylor series. */
function sinCosSeries(r: number): [sin: number, cos: number] {
  const r2 = r * r;
  const s = [r];
  const c = [1];
  for (let n = 2, ts = r, tc = 1; ; n += 2) {
    ts = (-ts * r2) / (n * (n + 1));
    tc = (-tc * r2) / ((n - 1) * n);
    if (!((tc < 0 ? -tc : tc) >= 1e-20)) break; // NaN stops too
    s.push(ts);
    c.push(tc);
  }
  return [r + sumSmallFirst(s, 1), 1 + sumSmallFirst(c, 1)];
}

/** sin and cos of x: reduce to a quadrant, then sin(hi + lo) = sin hi + lo·cos hi, … */
function sinCos(x: number): [sin: number, cos: number] {
  const a = x < 0 ? -x : x;
  const [q, hi, lo] = a <= PIO4 ? [0, a, 0] : reducePio2(a);
  const [sh, ch] = sinCosSeries(hi);
  const sr = sh + lo * ch;
  const cr = ch - lo * sh;
  const [s, c] = [
    [sr, cr],
    [cr, -sr],
    [-sr, -cr],
    [-cr, sr],
  ][q]!;
  return [x < 0 ? -s! : s!, c!];
}

export function sin(x: number): number {
  if (x === 0 || x !== x) return x; // keeps −0
  if (x === Infinity || x === -Infinity) return NaN;
  return sinCos(x)[0];
}

export function cos(x: number): number {
  if (x !== x || x === Infinity || x === -Infinity) return NaN;
  return sinCos(x)[1];
}
