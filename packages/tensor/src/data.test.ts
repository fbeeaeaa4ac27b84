import { describe, expect, test } from 'vitest';
import { cpu } from '../../backend-cpu/src/index.js';
import {
  arange,
  type Backend,
  BackendError,
  memory,
  ShapeError,
  tensor,
  useBackend,
  zeros,
} from './index.js';

const host = useBackend(cpu());
/** A CPU backend that behaves like a GPU one: no synchronous reads. */
const asyncCpu: Backend = { ...cpu(), name: 'async-cpu', sync: false, readSync: undefined };

describe('reading values', () => {
  test('data() gives a new row-major typed array of the dtype', async () => {
    const t = tensor([
      [1, 2],
      [3, 4],
    ]);
    const d = await t.data();
    expect(d).toBeInstanceOf(Float32Array);
    expect(Array.from(d)).toEqual([1, 2, 3, 4]);
    d[0] = 100; // a copy: the tensor is unchanged
    expect(Array.from(await t.data())).toEqual([1, 2, 3, 4]);
    expect(Array.from(await t.transpose().data())).toEqual([1, 3, 2, 4]);
    expect(await tensor([1], { dtype: 'int32' }).data()).toBeInstanceOf(Int32Array);
    expect(await tensor([1], { dtype: 'float64' }).data()).toBeInstanceOf(Float64Array);
  });

  test('dataSync() on a synchronous backend, through strided views', () => {
    const m = arange(6).reshape([2, 3]);
    expect(Array.from(m.dataSync())).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Array.from(m.transpose().dataSync())).toEqual([0, 3, 1, 4, 2, 5]);
    expect(Array.from(m.slice([null, [1]]).dataSync())).toEqual([1, 2, 4, 5]);
    expect(Array.from(tensor([7]).expand([3]).dataSync())).toEqual([7, 7, 7]);
  });

  test('item() of one element; a ShapeError otherwise', async () => {
    expect(await tensor(2.5).item()).toBe(2.5);
    expect(await tensor([[9]], { dtype: 'int32' }).item()).toBe(9);
    expect(await arange(6).reshape([2, 3]).slice([1, 2]).item()).toBe(5);
    await expect(tensor([1, 2]).item()).rejects.toThrow(ShapeError);
    await expect(tensor([1, 2]).item()).rejects.toThrow(
      'item: needs a tensor with one element, got [2]; reduce it first, e.g. t.sum()',
    );
  });

  test('array() nests by shape; a 0-d tensor gives a number', async () => {
    expect(await tensor(3).array()).toBe(3);
    expect(await tensor([1, 2]).array()).toEqual([1, 2]);
    expect(await arange(8).reshape([2, 2, 2]).array()).toEqual([
      [
        [0, 1],
        [2, 3],
      ],
      [
        [4, 5],
        [6, 7],
      ],
    ]);
    expect(await zeros([2, 0]).array()).toEqual([[], []]);
  });
});

describe('a backend without synchronous reads', () => {
  test('data() works; dataSync() raises a BackendError that names `await t.data()`', async () => {
    const t = tensor([1, 2, 3], { backend: asyncCpu });
    expect(t.backend.name).toBe('async-cpu');
    expect(Array.from(await t.data())).toEqual([1, 2, 3]);
    expect(await t.sum().item()).toBe(6);
    expect(() => t.dataSync()).toThrow(BackendError);
    expect(() => t.dataSync()).toThrow(
      "dataSync: backend 'async-cpu' cannot read synchronously; use `await t.data()`",
    );
    expect(t.toString()).toBe('Tensor([3], float32, backend=async-cpu)');
  });
});

describe('to(backend)', () => {
  test('copies to another backend; memory is counted per backend', async () => {
    const t = tensor([[1, 2, 3]], { dtype: 'int32' });
    const before = memory().backends['async-cpu']?.tensors ?? 0;
    const u = await t.to(asyncCpu);
    expect(u.backend).toBe(asyncCpu);
    expect(u.shape).toEqual([1, 3]);
    expect(u.dtype).toBe('int32');
    expect(Array.from(await u.data())).toEqual([1, 2, 3]);
    // (bytes are counted by the CPU's shared 1 MiB chunks: see backend-cpu's memory.test.ts)
    expect(memory().backends['async-cpu']!.tensors).toBe(before + 1);
    const back = await u.to(host);
    expect(back.backend).toBe(host);
    expect(Array.from(back.dataSync())).toEqual([1, 2, 3]);
    expect(() => t.add(u)).toThrow(BackendError);
  });

  test('to the same backend is a view; to one without the dtype raises BackendError', async () => {
    const t = tensor([1, 2], { dtype: 'float64' });
    const same = await t.to(host);
    expect(same).not.toBe(t);
    expect(same.storage).toBe(t.storage);
    const f32only: Backend = { ...cpu(), name: 'f32-only', dtypes: ['float32', 'int32'] };
    await expect(t.to(f32only)).rejects.toThrow(BackendError);
    await expect(t.to(f32only)).rejects.toThrow("to: backend 'f32-only' does not support float64");
  });
});
