import { describe, expect, test } from 'vitest';
import { concatLayout } from './shape.js';

describe('concatLayout', () => {
  test('joined along the last axis: parts start at their column', () => {
    expect(
      concatLayout(
        [
          [2, 3],
          [2, 1],
          [2, 2],
        ],
        1,
      ),
    ).toEqual({
      shape: [2, 6],
      strides: [6, 1],
      offsets: [0, 3, 4],
    });
  });

  test('joined along the first axis: parts start at their row; empty parts take no room', () => {
    expect(
      concatLayout(
        [
          [1, 4],
          [0, 4],
          [2, 4],
        ],
        0,
      ),
    ).toEqual({
      shape: [3, 4],
      strides: [4, 1],
      offsets: [0, 4, 4],
    });
  });
});
