/**
 * The oracle's erf in float64, written apart from the CPU's (`backend-cpu/src/erf.ts`, Chebyshev
 * polynomial fits): two classical expansions, with 2/√π and 1/√π from π in fixed point and
 * e^(−x²) from the oracle's own `exp`.
 * - |x| < 1: the series with only positive terms (Abramowitz & Stegun 7.1.6),
 *   erf x = 2x/√π·e^(−x²)·Σₙ (2x²)ⁿ/(1·3·5·…·(2n+1)), so no digits cancel;
 * - 1 ≤ |x| < 6: 1 − erfc x, with erfc's continued fraction (A&S 7.1.14) evaluated from depth 300
 *   (within an ulp from x = 1 on; the series loses a few ulps to the rounding of its terms there),
 *   erfc x = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …)))));
 * - |x| ≥ 6: ±1 (erfc 6 = 2·10⁻¹⁷, below half an ulp of 1).
 * x² is split exactly into hi + lo (Dekker) and e^(−x²) = e^(−hi)·e^(−lo), so that its rounding
 * (relative x²·2⁻⁵³) does not show.
 */
import { exp } from './elementary.js';
import { FIXED, PI_FIXED, bitLength, divToDouble } from './exact.js';

/** ⌊√n⌋ by Newton's iteration on BigInts. */
function isqrt(n: bigint): bigint {
  let y = 1n << BigInt((bitLength(n) >> 1) + 1);
  for (;;) {
    const z = (y + n / y) >> 1n;
    if (z >= y) return y;
    y = z;
  }
}

const ONE = 1n << BigInt(FIXED);
const SQRT_PI_FIXED = isqrt(PI_FIXED << BigInt(FIXED));
const TWO_OVER_SQRT_PI = divToDouble(2n * ONE, SQRT_PI_FIXED, 0);
const ONE_OVER_SQRT_PI = divToDouble(ONE, SQRT_PI_FIXED, 0);

/** e^(−a²), a² split exactly as hi + lo (Dekker's product). */
function expNegSquare(a: number): number {
  const hi = a * a;
  const g = a * 134217729;
  const ah = g - (g - a);
  const al = a - ah;
  const lo = ah * ah - hi + 2 * ah * al + al * al;
  return exp(-hi) * exp(-lo);
}

/** erf x; odd, so erf(−0) = −0; NaN stays NaN. */
export function erf(x: number): number {
  if (x !== x || x === 0) return x;
  const a = x < 0 ? -x : x;
  if (a >= 6) return x < 0 ? -1 : 1;
  let r: number;
  if (a < 1) {
    // the terms fall from n = 1 on (2x² < 3): sum them smallest first
    const z = 2 * a * a;
    const terms = [1];
    for (let n = 1, t = 1; ; n++) {
      t = (t * z) / (2 * n + 1);
      if (t < 1e-18 * terms.length) break;
      terms.push(t);
    }
    let s = 0;
    for (let i = terms.length - 1; i >= 0; i--) s += terms[i]!;
    r = TWO_OVER_SQRT_PI * a * (expNegSquare(a) * s);
  } else {
    let f = a;
    for (let n = 300; n >= 1; n--) f = a + n / 2 / f;
    r = 1 - (ONE_OVER_SQRT_PI * expNegSquare(a)) / f;
  }
  return x < 0 ? -r : r;
}

/** √(2π)·2^FIXED: 1/√(2π) is φ's constant. */
const SQRT_2PI_FIXED = isqrt((2n * PI_FIXED) << BigInt(FIXED));
const INV_SQRT_2PI = divToDouble(ONE, SQRT_2PI_FIXED, 0);

/** −x²/2 as hi + lo: x² split exactly (Dekker), halved exactly. */
function halfSquare(x: number): [number, number] {
  const hi = x * x;
  const g = x * 134217729;
  const xh = g - (g - x);
  const xl = x - xh;
  return [-hi / 2, -(xh * xh - hi + 2 * xh * xl + xl * xl) / 2];
}

/** c·e^(−x²/2), also where the result is subnormal: e^(hi) as e^(hi/2)·e^(hi/2) (hi/2 exact), with c
 * multiplied in while the product is still a normal number, so that only the last product rounds
 * into the subnormal range. */
function scaledGauss(c: number, x: number): number {
  const [hi, lo] = halfSquare(x);
  if (hi > -700) return c * exp(hi) * exp(lo);
  const half = exp(hi / 2);
  return c * half * exp(lo) * half;
}

/** erfc's continued fraction K(u) = u + ½/(u + 1/(u + (3/2)/(u + …))): erfc(u) = e^(−u²)/(√π·K(u)),
 * within an ulp from depth 300 for u ≥ 1 and from depth 3000 for u ≥ 0.35 (it converges slowly). */
function erfcFraction(u: number): number {
  let f = u;
  for (let n = u >= 1 ? 300 : 3000; n >= 1; n--) f = u + n / 2 / f;
  return f;
}

/** Below this, Φ comes from erfc's continued fraction (u = −x/√2 > 0.35); above, from erf. */
const SPLIT = -0.5;

/**
 * Φ(x), the standard normal CDF, for finite x: ½ + ½·erf(x/√2) from −0.5 up (erf(x/√2) > −0.38
 * there: ½ + ½·erf loses under a bit); below, ½·erfc(u) with u = −x/√2 from the continued
 * fraction, its e^(−u²) = e^(−x²/2) taken from x itself.
 */
function cdf(x: number): number {
  if (x >= SPLIT) return 0.5 + 0.5 * erf(x * 0.7071067811865476);
  return scaledGauss((0.5 * ONE_OVER_SQRT_PI) / erfcFraction(-x * 0.7071067811865476), x);
}

/** gelu(x) = x·Φ(x); the limits at ±∞ (−0 below, as x·Φ(x) < 0 there, and ∞). */
export function gelu(x: number): number {
  if (x !== x || x === Infinity) return x;
  if (x === -Infinity || x < -40) return -0; // below the least subnormal
  if (x >= SPLIT) return x * cdf(x);
  return scaledGauss((x * 0.5 * ONE_OVER_SQRT_PI) / erfcFraction(-x * 0.7071067811865476), x);
}

/** gelu′(x) = Φ(x) + x·φ(x); the limits at ±∞ (−0 below, 1 above). */
export function geluGrad(x: number): number {
  if (x !== x) return x;
  if (x === Infinity || x > 40) return 1;
  if (x === -Infinity || x < -40) return -0;
  if (x >= SPLIT) return cdf(x) + scaledGauss(x * INV_SQRT_2PI, x);
  // both terms carry e^(−x²/2): one scaled exponential of their coefficients' sum
  const phiCoef = (0.5 * ONE_OVER_SQRT_PI) / erfcFraction(-x * 0.7071067811865476);
  return scaledGauss(phiCoef + x * INV_SQRT_2PI, x);
}
