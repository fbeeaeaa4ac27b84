import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { atan2 } from './atan2.js';

// The oracle's atan2 against correctly rounded values (mpmath at 300 bits) and PyTorch's special
// values (C99 Annex F: signed zeros, infinities, NaN), made by scripts/make-atan2-values.py.

const { atan2: rows } = JSON.parse(
  readFileSync(new URL('../../fixtures/atan2-values.json', import.meta.url), 'utf8'),
) as { atan2: [y: string, x: string, expected: string, source: string][] };

const view = new DataView(new ArrayBuffer(8));
/** The position of a double on the line of all doubles (±0 at 0). */
function ordered(x: number): bigint {
  view.setFloat64(0, x);
  const n = view.getBigInt64(0);
  return n >= 0n ? n : -(n & 0x7fffffffffffffffn);
}

test('atan2 is within 2 ulps of the correctly rounded value; special values exactly', () => {
  expect(rows.length).toBeGreaterThan(150);
  const bad: string[] = [];
  for (const [ys, xs, ws, source] of rows) {
    const [y, x, want] = [Number(ys), Number(xs), Number(ws)];
    const got = atan2(y, x);
    const ok =
      source === 'torch' || want === 0 || !Number.isFinite(want)
        ? Object.is(got, want)
        : Math.abs(Number(ordered(got) - ordered(want))) <= 2;
    if (!ok) bad.push(`atan2(${ys}, ${xs}) = ${got}, want ${ws} (${source})`);
  }
  expect(bad).toEqual([]);
});
