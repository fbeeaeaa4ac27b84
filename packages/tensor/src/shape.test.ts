import { expect, test } from 'vitest';
import { concatLayout } from './shape.js';

test.each([
  {
    what: 'along the last axis, parts start at their column',
    shapes: [
      [2, 3],
      [2, 1],
      [2, 2],
    ],
    axis: 1,
    want: { shape: [2, 6], strides: [6, 1], offsets: [0, 3, 4] },
  },
  {
    what: 'along the first axis, parts start at their row; an empty part takes no room',
    shapes: [
      [1, 4],
      [0, 4],
      [2, 4],
    ],
    axis: 0,
    want: { shape: [3, 4], strides: [4, 1], offsets: [0, 4, 4] },
  },
])('concatLayout $what', ({ shapes, axis, want }) => {
  expect(concatLayout(shapes, axis)).toEqual(want);
});
