import { erf, erfcx } from './erf.js';

// GELU (Hendrycks & Gimpel 2016) and its derivative, with Φ(x), the standard normal CDF, computed
// without cancellation: PyTorch's 0.5·x·(1 + erf(x/√2)) is 1 − 1 below x ≈ −8, so gelu(−10) is −0
// there where it is −7.7e−23; here Φ(x) = ½·erfc(−x/√2) = ½·erfcx(u)·e^(−x²/2) below −√2.

const INV_SQRT_2PI = 0.3989422804014327;

/** e^(−x²/2), x² split exactly into hi + lo (Dekker), |x| < 1e150. */
function halfGauss(x: number): number {
  const hi = x * x;
  const g = x * 134217729;
  const xh = g - (g - x);
  const xl = x - xh;
  const lo = xh * xh - hi + 2 * xh * xl + xl * xl;
  return Math.exp(-hi / 2) * (1 - lo / 2);
}

/** Φ(x) for finite x, given h = e^(−x²/2): from erf's polynomial where |x| < √2 (no exponential),
 * else ½·erfcx(|x|/√2)·h from the lower tail (or 1 minus it from the upper one). */
function cdf(x: number, h: number): number {
  if (x > -Math.SQRT2 && x < Math.SQRT2) return 0.5 + 0.5 * erf(x * Math.SQRT1_2);
  const q = 0.5 * erfcx(Math.abs(x) * Math.SQRT1_2) * h;
  return x < 0 ? q : 1 - q;
}

/** gelu(x) = x·Φ(x); its limits at ±∞ (−0 and ∞; PyTorch gives NaN at −∞). */
export function gelu(x: number): number {
  if (x !== x || x === Infinity) return x;
  if (x < -40) return -0; // Φ(−40) ≈ 4e−350 underflows
  if (x > 40) return x;
  return x * cdf(x, x > -Math.SQRT2 && x < Math.SQRT2 ? 0 : halfGauss(x));
}

/** gelu′(x) = Φ(x) + x·φ(x), φ the standard normal density; its limits at ±∞ (−0 and 1). One
 * exponential, shared by Φ and φ. */
export function geluGrad(x: number): number {
  if (x !== x) return x;
  if (x < -40) return -0; // x·φ(x) and Φ(x) underflow
  if (x > 40) return 1;
  const h = halfGauss(x);
  return cdf(x, h) + x * h * INV_SQRT_2PI;
}
