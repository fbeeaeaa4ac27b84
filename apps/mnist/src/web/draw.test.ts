import { describe, expect, test } from 'vitest';
import { toMnist } from './draw.js';

/** A `w × h` drawing with the rectangle [x0, x1) × [y0, y1) inked. */
function drawing(w: number, h: number, x0: number, x1: number, y0: number, y1: number) {
  const ink = new Float32Array(w * h);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) ink[y * w + x] = 1;
  return ink;
}

/** Bounding box and centre of mass of a 28 × 28 image. */
function measure(img: Float32Array) {
  let [x0, x1, y0, y1, m, mx, my] = [28, -1, 28, -1, 0, 0, 0];
  for (let y = 0; y < 28; y++)
    for (let x = 0; x < 28; x++) {
      const v = img[y * 28 + x]!;
      if (v <= 0) continue;
      [x0, x1, y0, y1] = [Math.min(x0, x), Math.max(x1, x), Math.min(y0, y), Math.max(y1, y)];
      [m, mx, my] = [m + v, mx + v * (x + 0.5), my + v * (y + 0.5)];
    }
  return { width: x1 - x0 + 1, height: y1 - y0 + 1, cx: mx / m, cy: my / m };
}

describe('toMnist', () => {
  test('nothing drawn gives null', () => {
    expect(toMnist(new Float32Array(280 * 280), 280, 280)).toBeNull();
  });

  test('a tall stroke in a corner is scaled to 20 pixels high, keeps its aspect, and is centred', () => {
    // 40 wide, 200 high, in the top left corner of a 280 × 280 pad
    const img = toMnist(drawing(280, 280, 10, 50, 5, 205), 280, 280)!;
    expect(img).toHaveLength(784);
    const m = measure(img);
    expect(m.height).toBe(20);
    expect(m.width).toBe(4);
    expect(m.cx).toBeCloseTo(14, 0);
    expect(m.cy).toBeCloseTo(14, 0);
    expect(Math.max(...img)).toBe(1);
  });

  test('a small mark is scaled up into the box', () => {
    const img = toMnist(drawing(100, 100, 60, 70, 60, 65), 100, 100)!;
    const m = measure(img);
    expect(m.width).toBe(20);
    expect(m.height).toBe(10);
    expect(Math.abs(m.cx - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(m.cy - 14)).toBeLessThanOrEqual(0.5);
  });

  test('partial ink is averaged, not thresholded', () => {
    const ink = drawing(280, 280, 100, 180, 100, 180).map((v) => v * 0.5);
    const img = toMnist(ink, 280, 280)!;
    expect(Math.max(...img)).toBeCloseTo(0.5, 6);
  });
});
