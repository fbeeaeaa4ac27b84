/**
 * atan2(y, x) in float64, written apart from the CPU backend (which calls `Math.atan2`, V8's port of
 * fdlibm: a table of atan(½), atan(1), atan(3⁄2) and a minimax polynomial). Here: C99 Annex F's
 * special cases (signed zeros, infinities) spelled out, the quadrant from the signs, and atan of a
 * ratio t in [0, 1] by its Taylor series, directly for t ≤ tan(π/8) and as π/4 + atan((t − 1)/(t + 1))
 * above. No `Math` function is called; `Math.PI` is the correctly rounded π.
 */
export function atan2(y: number, x: number): number {
  if (y !== y || x !== x) return NaN;
  const negY = y < 0 || Object.is(y, -0);
  const negX = x < 0 || Object.is(x, -0);
  const ay = negY ? -y : y;
  const ax = negX ? -x : x;
  let r: number;
  if (ay === 0)
    r = negX ? PI : 0; // ±0 with +0 or x > 0 is ±0; with −0 or x < 0, ±π
  else if (ay === Infinity) r = ax === Infinity ? (negX ? (3 * PI) / 4 : PI / 4) : PI / 2;
  else if (ax === 0) r = PI / 2;
  else if (ax === Infinity) r = negX ? PI : 0;
  else {
    // the angle of (ax, ay) in the first quadrant, from the ratio that is at most 1
    const a = ay > ax ? PI / 2 - atan01(ax / ay) : atan01(ay / ax);
    r = negX ? PI - a : a;
  }
  return negY ? -r : r;
}

const PI = Math.PI;
const TAN_PI_8 = 0.41421356237309503; // √2 − 1

/** atan t for t in [0, 1]. */
function atan01(t: number): number {
  return t <= TAN_PI_8 ? series(t) : PI / 4 + series((t - 1) / (t + 1));
}

/** t − t³/3 + t⁵/5 − …, |t| ≤ tan(π/8): 22 terms reach below 2^-60 of the result. */
function series(t: number): number {
  const t2 = t * t;
  let s = 0;
  for (let n = 21; n >= 0; n--) s = s * t2 + (n % 2 ? -1 : 1) / (2 * n + 1);
  return t * s;
}
