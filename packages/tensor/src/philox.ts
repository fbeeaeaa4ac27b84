/**
 * Philox 4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11), the
 * counter-based generator every Nabla backend uses, so a seed gives the same numbers everywhere.
 *
 * The stream keyed by (seed, offset), for element i of a fill:
 * - key = (seed mod 2^32, floor(seed / 2^32)); counter = (c0, c1, 0, 0) with c0 + 2^32·c1 = offset + floor(i / 4);
 * - w = word (i mod 4) of philox4x32_10(counter, key);
 * - uniform: (w >>> 8) · 2^-24, in [0, 1);
 * - normal (Box–Muller on words 2p and 2p+1 of the same block, p = floor((i mod 4) / 2)):
 *   u1 = ((w_2p >>> 8) + 1) · 2^-24 in (0, 1], u2 = (w_2p+1 >>> 8) · 2^-24,
 *   r = sqrt(-2 ln u1), element = r·cos(2π u2) when i is even, r·sin(2π u2) when odd.
 * A fill of n elements consumes ceil(n / 4) counters.
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product of two u32s, exactly, in doubles. */
function mulhi(a: number, b: number): number {
  const aH = a >>> 16, aL = a & 0xffff, bH = b >>> 16, bL = b & 0xffff; // prettier-ignore
  const mid = aH * bL + aL * bH + ((aL * bL) >>> 16);
  return (aH * bH + Math.floor(mid / 65536)) >>> 0;
}

/** Writes the four output words for `counter` and `key` into `out`. */
export function philox4x32(
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
  out: Uint32Array,
): void {
  // prettier-ignore
  for (let round = 0; round < 10; round++) {
    if (round > 0) {
      k0 = (k0 + W0) >>> 0;
      k1 = (k1 + W1) >>> 0;
    }
    const hi0 = mulhi(M0, c0), lo0 = Math.imul(M0, c0) >>> 0; // prettier-ignore
    const hi1 = mulhi(M1, c2), lo1 = Math.imul(M1, c2) >>> 0; // prettier-ignore
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

const TWO_POW_M24 = 1 / 16777216;

/** Fills `out` with the documented uniform or normal stream for (seed, offset). */
export function philoxFill(
  dist: 'uniform' | 'normal',
  out: { length: number; [i: number]: number },
  seed: number,
  offset: number,
): void {
  // prettier-ignore
  const k0 = seed >>> 0;
  const k1 = Math.floor(seed / 4294967296) >>> 0;
  const w = new Uint32Array(4);
  for (let base = 0, block = offset; base < out.length; base += 4, block++) {
    philox4x32(block >>> 0, Math.floor(block / 4294967296) >>> 0, 0, 0, k0, k1, w);
    const n = Math.min(4, out.length - base);
    if (dist === 'uniform') {
      for (let j = 0; j < n; j++) out[base + j] = (w[j]! >>> 8) * TWO_POW_M24;
    } else {
      for (let j = 0; j < n; j++) {
        const p = j & 2;
        const u1 = ((w[p]! >>> 8) + 1) * TWO_POW_M24;
        const u2 = (w[p + 1]! >>> 8) * TWO_POW_M24;
        const r = Math.sqrt(-2 * Math.log(u1));
        out[base + j] = j & 1 ? r * Math.sin(2 * Math.PI * u2) : r * Math.cos(2 * Math.PI * u2);
      }
    }
  }
}

/** Counters a fill of `size` elements consumes. */
export function philoxBlocks(size: number): number {
  return Math.ceil(size / 4);
}
