// Tensor._recycle: the storage goes to the backend's `recycle` once, whether this tensor is its only
// one or views of it exist, and a view used afterwards raises; backends that free explicitly only
// dispose.
import { expect, test } from 'vitest';
import { cpu } from '../../backend-cpu/src/index.js';
import { DisposedError, tensor } from './index.js';

function recording() {
  const given: unknown[] = [];
  const base = cpu();
  return { given, backend: { ...base, recycle: (s: unknown) => void given.push(s) } };
}

test('a storage with one tensor is recycled (its last dispose does not skip it)', () => {
  const { given, backend } = recording();
  const t = tensor([1, 2, 3], { backend });
  t._recycle();
  expect(t.isDisposed).toBe(true);
  expect(given).toEqual([t.storage]);
  t._recycle(); // twice: nothing more
  expect(given).toHaveLength(1);
});

test('with views, the storage is recycled once, and a view used later raises', () => {
  const { given, backend } = recording();
  const t = tensor([1, 2, 3, 4], { backend });
  const v = t.reshape([2, 2]);
  const w = t.reshape([4, 1]);
  t._recycle();
  w._recycle();
  expect(given).toEqual([t.storage]);
  expect(() => v.add(1)).toThrow(DisposedError);
});

test('a backend that frees explicitly is not given storage to recycle', () => {
  const { given, backend } = recording();
  const freed: unknown[] = [];
  const gpuLike = { ...backend, gcUnit: undefined, free: (s: unknown) => void freed.push(s) };
  const t = tensor([1, 2], { backend: gpuLike });
  t._recycle();
  expect(given).toHaveLength(0);
  expect(freed).toEqual([t.storage]); // disposed: its last tensor, so freed
});
