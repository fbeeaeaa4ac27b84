// The allocator's free list: arrays given back with `recycle` serve later results of the same byte
// length (zeroed for kernels, overwritten by uploads), and it holds a bounded number of them.
import { expect, test } from 'vitest';
import { FREE_LIMITS, alloc, recycle, upload } from './alloc.js';

const same = (a: ArrayBufferView, b: ArrayBufferView) =>
  a.buffer === b.buffer && a.byteOffset === b.byteOffset;

test('a recycled array serves the next result of its byte length, zeroed, in any dtype', () => {
  const a = alloc('float32', 26);
  a.fill(7);
  recycle(a);
  const b = alloc('int32', 26); // same bytes, another dtype
  expect(same(a, b)).toBe(true);
  expect(b).toBeInstanceOf(Int32Array);
  expect(Array.from(b)).toEqual(Array(26).fill(0));
  recycle(b);
  expect(same(alloc('float32', 27), b)).toBe(false); // another length does not take it
  const d = alloc('float64', 13);
  expect(same(d, b)).toBe(true);
  expect(Array.from(d)).toEqual(Array(13).fill(0));
});

test('upload reuses a recycled array and copies the data into it', () => {
  const a = alloc('float32', 29);
  recycle(a);
  const data = Float32Array.from({ length: 29 }, (_, i) => i + 0.5);
  const b = upload(data);
  expect(same(a, b)).toBe(true);
  expect(Array.from(b)).toEqual(Array.from(data));
  expect(b.buffer).not.toBe(data.buffer);
});

test('arrays of its own (over the carving size) are recycled too', () => {
  const a = alloc('float32', 1 << 17); // 512 KiB
  recycle(a);
  expect(same(alloc('float32', 1 << 17), a)).toBe(true);
});

test('the free list keeps at most FREE_LIMITS.count arrays', () => {
  const given = Array.from({ length: FREE_LIMITS.count + 5 }, () => alloc('float32', 31));
  for (const a of given) recycle(a);
  const taken = Array.from({ length: FREE_LIMITS.count + 5 }, () => alloc('float32', 31));
  const reused = taken.filter((t) => given.some((g) => same(g, t))).length;
  expect(reused).toBe(FREE_LIMITS.count);
});
