// The allocator's entry guard: a size that is not a count never moves the slab's offset (a NaN
// offset once made the next small result overwrite live tensors).
import { BackendError } from '@nablajs/tensor';
import { expect, test } from 'vitest';
import { alloc } from './alloc.js';

test('alloc refuses a size that is not a non-negative integer, and later results stay apart', () => {
  const a = alloc('float32', 4);
  a.set([1, 2, 3, 4]);
  for (const bad of [NaN, -1, 1.5, Infinity]) {
    expect(() => alloc('float32', bad), String(bad)).toThrow(BackendError);
    expect(() => alloc('float32', bad), String(bad)).toThrow(`alloc: size ${bad} is not a count`);
  }
  const b = alloc('float32', 4);
  b.fill(9);
  expect(Array.from(a)).toEqual([1, 2, 3, 4]);
});
