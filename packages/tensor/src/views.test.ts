import { describe, expect, test } from 'vitest';
import { cpu } from '../../backend-cpu/src/index.js';
import {
  arange,
  ShapeError,
  type SliceSpec,
  tensor,
  type Tensor,
  useBackend,
  zeros,
} from './index.js';

useBackend(cpu());

const values = (t: Tensor) => Array.from(t.dataSync());
/** [[0,1,2],[3,4,5]] as float32. */
const m23 = () => arange(6, undefined, 1, { dtype: 'float32' }).reshape([2, 3]);

describe('reshape', () => {
  test('a contiguous reshape is a view of the same storage', async () => {
    const a = arange(6);
    const r = a.reshape([2, -1]);
    expect(r.shape).toEqual([2, 3]);
    expect(r.strides).toEqual([3, 1]);
    expect(r.storage).toBe(a.storage);
    expect(await r.array()).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    expect(r.reshape([-1]).shape).toEqual([6]);
    expect(r.reshape([3, 1, -1]).shape).toEqual([3, 1, 2]);
    expect(tensor([5]).reshape([]).shape).toEqual([]);
    expect(tensor(5).reshape([1, 1]).shape).toEqual([1, 1]);
  });

  test('bad sizes raise ShapeError', () => {
    const a = arange(6);
    expect(() => a.reshape([4, -1])).toThrow(ShapeError);
    expect(() => a.reshape([4, -1])).toThrow('reshape: cannot reshape [6] (6 elements) to [4,-1]');
    expect(() => a.reshape([-1, -1])).toThrow(ShapeError);
    expect(() => a.reshape([7])).toThrow(ShapeError);
  });

  test('a non-contiguous tensor is copied, in row-major order of the view', () => {
    const base = m23();
    const t = base.transpose();
    const r = t.reshape([6]);
    expect(values(r)).toEqual([0, 3, 1, 4, 2, 5]);
    expect(r.storage).not.toBe(base.storage);
    expect(r.strides).toEqual([1]);
  });
});

describe('permute and transpose', () => {
  test('permute reorders shape and strides without copying', async () => {
    const a = arange(24).reshape([2, 3, 4]);
    const p = a.permute(2, 0, 1);
    expect(p.shape).toEqual([4, 2, 3]);
    expect(p.strides).toEqual([1, 12, 4]);
    expect(p.storage).toBe(a.storage);
    // p[k][i][j] = a[i][j][k] = 12i + 4j + k
    const arr = (await p.array()) as number[][][];
    expect(arr[3]![1]![2]).toBe(12 + 8 + 3);
    expect(arr[0]![1]![0]).toBe(12);
    expect(() => a.permute(0, 1)).toThrow(ShapeError);
    expect(() => a.permute(0, 1, 1)).toThrow(ShapeError);
  });

  test('transpose swaps the last two axes by default, any two when named', async () => {
    const t = m23().transpose();
    expect(t.shape).toEqual([3, 2]);
    expect(t.strides).toEqual([1, 3]);
    expect(await t.array()).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
    const a = arange(24).reshape([2, 3, 4]);
    expect(a.transpose(0, 2).shape).toEqual([4, 3, 2]);
    expect(a.transpose(0, 2).strides).toEqual([1, 4, 12]);
    expect(a.transpose().shape).toEqual([2, 4, 3]);
    expect(values(arange(3).transpose())).toEqual([0, 1, 2]); // 1-D: unchanged
  });
});

describe('expand and broadcastTo', () => {
  test('size-1 and new axes get stride 0 and share storage', async () => {
    const col = tensor([[1], [2]]);
    const e = col.expand([2, 3]);
    expect(e.shape).toEqual([2, 3]);
    expect(e.strides).toEqual([1, 0]);
    expect(e.storage).toBe(col.storage);
    expect(await e.array()).toEqual([
      [1, 1, 1],
      [2, 2, 2],
    ]);
    const e3 = col.expand([4, -1, 3]);
    expect(e3.shape).toEqual([4, 2, 3]);
    expect(e3.strides).toEqual([0, 1, 0]);
    expect(values(e3.sum())).toEqual([4 * 3 * 3]);
  });

  test('broadcastTo is expand', () => {
    const b = tensor([1, 2, 3]).broadcastTo([2, 3]);
    expect(b.strides).toEqual([0, 1]);
    expect(values(b)).toEqual([1, 2, 3, 1, 2, 3]);
  });

  test('incompatible targets raise ShapeError', () => {
    const t = tensor([[1, 2, 3]]);
    expect(() => t.expand([2, 4])).toThrow(ShapeError);
    expect(() => t.expand([2, 4])).toThrow('expand: cannot broadcast [1,3] to [2,4]');
    expect(() => t.expand([3])).toThrow(ShapeError); // fewer axes
    expect(() => tensor([1, 2, 3]).expand([-1, 3])).toThrow(ShapeError); // -1 on a new axis
  });
});

describe('slice', () => {
  test('ranges, steps and negative indices, as NumPy', () => {
    const a = arange(10);
    expect(values(a.slice([[2, 8, 2]]))).toEqual([2, 4, 6]);
    expect(values(a.slice([[-3]]))).toEqual([7, 8, 9]);
    expect(values(a.slice([[undefined, -7]]))).toEqual([0, 1, 2]);
    expect(values(a.slice([[1, -1, 3]]))).toEqual([1, 4, 7]);
    expect(values(a.slice([[undefined, undefined, 4]]))).toEqual([0, 4, 8]);
    expect(values(a.slice([[-100, 100]]))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]); // clamped
    expect(a.slice([[7, 3]]).shape).toEqual([0]);
  });

  test('a view into the same storage, with an offset and scaled strides', async () => {
    const m = arange(12).reshape([3, 4]);
    const s = m.slice([
      [1, 3],
      [0, 4, 2],
    ]);
    expect(s.shape).toEqual([2, 2]);
    expect(s.strides).toEqual([4, 2]);
    expect(s.offset).toBe(4);
    expect(s.storage).toBe(m.storage);
    expect(await s.array()).toEqual([
      [4, 6],
      [8, 10],
    ]);
    expect(await m.slice([null, [0, 3, 2]]).array()).toEqual([
      [0, 2],
      [4, 6],
      [8, 10],
    ]);
  });

  test('a number picks an index and drops the axis; missing specs keep the axes', () => {
    const m = arange(12).reshape([3, 4]);
    expect(m.slice([1]).shape).toEqual([4]);
    expect(values(m.slice([1]))).toEqual([4, 5, 6, 7]);
    expect(values(m.slice([null, -1]))).toEqual([3, 7, 11]);
    expect(values(m.slice([-1, 2]))).toEqual([10]);
    expect(m.slice([-1, 2]).shape).toEqual([]);
  });

  test('bad specs raise ShapeError', () => {
    const m = arange(12).reshape([3, 4]);
    expect(() => m.slice([3])).toThrow('slice: index 3 is out of range for axis 0 of [3,4]');
    expect(() => m.slice([-4])).toThrow(ShapeError);
    expect(() => m.slice([[0, 3, 0]])).toThrow(ShapeError);
    expect(() => m.slice([[3, 0, -1]])).toThrow(ShapeError);
    expect(() => m.slice([null, null, null])).toThrow(ShapeError);
  });

  test('bounds and steps must be finite integers: the error names the argument and the axis', () => {
    const m = arange(12).reshape([3, 4]);
    const bad: [SliceSpec[], string][] = [
      [[[0, NaN]], 'slice: end NaN on axis 0 must be an integer'],
      [[null, [NaN, 2]], 'slice: start NaN on axis 1 must be an integer'],
      [[[1.5, 3]], 'slice: start 1.5 on axis 0 must be an integer'],
      [[[0, 2.5]], 'slice: end 2.5 on axis 0 must be an integer'],
      [[[0, Infinity]], 'slice: end Infinity on axis 0 must be an integer'],
      [[[-Infinity, 2]], 'slice: start -Infinity on axis 0 must be an integer'],
      [[[0, 3, NaN]], 'slice: step NaN on axis 0 must be a positive integer'],
      [[[0, 3, 1.5]], 'slice: step 1.5 on axis 0 must be a positive integer'],
      [[NaN], 'slice: index NaN is out of range for axis 0'],
      [[0.5], 'slice: index 0.5 is out of range for axis 0'],
    ];
    for (const [specs, message] of bad) {
      expect(() => m.slice(specs), JSON.stringify(specs)).toThrow(ShapeError);
      expect(() => m.slice(specs), String(specs)).toThrow(message);
    }
  });

  test('a refused slice leaves the allocator alone: live tensors keep their values', () => {
    const a = tensor([1, 2, 3, 4]);
    const y = a.mul(2);
    expect(() =>
      a
        .reshape([2, 2])
        .slice([
          [0, NaN],
          [0, NaN],
        ])
        .contiguous(),
    ).toThrow(ShapeError);
    const z = a.mul(3);
    expect(values(y)).toEqual([2, 4, 6, 8]);
    expect(values(z)).toEqual([3, 6, 9, 12]);
  });
});

describe('squeeze, unsqueeze, flatten', () => {
  test('squeeze drops all size-1 axes, or those named', () => {
    const t = zeros([1, 3, 1, 2]);
    expect(t.squeeze().shape).toEqual([3, 2]);
    expect(t.squeeze(0).shape).toEqual([3, 1, 2]);
    expect(t.squeeze([-2, 0]).shape).toEqual([3, 2]);
    expect(t.squeeze().storage).toBe(t.storage);
    expect(() => t.squeeze(1)).toThrow('squeeze: axis 1 of [1,3,1,2] has size 3, not 1');
  });

  test('unsqueeze inserts an axis; -1 appends', async () => {
    const v = tensor([1, 2, 3]);
    expect(v.unsqueeze(0).shape).toEqual([1, 3]);
    expect(v.unsqueeze(1).shape).toEqual([3, 1]);
    expect(v.unsqueeze(-1).shape).toEqual([3, 1]);
    expect(await v.unsqueeze(1).array()).toEqual([[1], [2], [3]]);
    // on a transposed view, the values follow the view
    const t = m23().transpose().unsqueeze(1);
    expect(t.shape).toEqual([3, 1, 2]);
    expect(await t.array()).toEqual([[[0, 3]], [[1, 4]], [[2, 5]]]);
    expect(() => v.unsqueeze(3)).toThrow(ShapeError);
  });

  test('flatten merges a range of axes', () => {
    const t = arange(24).reshape([2, 3, 4]);
    expect(t.flatten().shape).toEqual([24]);
    expect(t.flatten(1).shape).toEqual([2, 12]);
    expect(t.flatten(0, 1).shape).toEqual([6, 4]);
    expect(t.flatten().storage).toBe(t.storage);
    expect(values(t.transpose(0, 2).flatten()).slice(0, 4)).toEqual([0, 12, 4, 16]);
    expect(tensor(5).flatten().shape).toEqual([1]);
  });
});

describe('assign', () => {
  test('writing through a slice is visible in the base and bumps version', async () => {
    const base = zeros([2, 3]);
    const row = base.slice([1]);
    expect(base.version).toBe(0);
    row.assign(tensor([1, 2, 3]));
    expect(await base.array()).toEqual([
      [0, 0, 0],
      [1, 2, 3],
    ]);
    expect(base.version).toBe(1);
    expect(row.version).toBe(1);
  });

  test('writing through a transposed view, with a broadcast scalar', async () => {
    const base = zeros([2, 3]);
    base.transpose().slice([0]).assign(7);
    expect(await base.array()).toEqual([
      [7, 0, 0],
      [7, 0, 0],
    ]);
    base.assign(tensor([1, 2, 3])); // broadcast over rows
    expect(await base.array()).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
    expect(base.version).toBe(2);
  });

  test('the value is cast to the target dtype', () => {
    const t = zeros([2], { dtype: 'int32' });
    t.assign(2.75);
    expect(values(t)).toEqual([2, 2]);
    t.assign(tensor([-1.5, 3.9]));
    expect(values(t)).toEqual([-1, 3]);
    expect(t.dtype).toBe('int32');
  });

  test('a source over the same storage is read before it is overwritten', async () => {
    const a = tensor([
      [1, 2],
      [3, 4],
    ]);
    a.assign(a.transpose());
    expect(await a.array()).toEqual([
      [1, 3],
      [2, 4],
    ]);
  });

  test('assign into an expanded view raises ShapeError', () => {
    const col = zeros([2, 1]);
    const e = col.expand([2, 3]);
    expect(() => e.assign(1)).toThrow(ShapeError);
    expect(() => e.assign(1)).toThrow('assign: cannot write into a broadcast view [2,3]');
    expect(values(col)).toEqual([0, 0]);
  });

  test('a value that does not broadcast raises ShapeError', () => {
    expect(() => zeros([2, 3]).assign(zeros([4]))).toThrow(ShapeError);
  });
});

describe('contiguous and clone', () => {
  test('contiguous copies a strided view; clone always copies', () => {
    const a = m23();
    expect(a.contiguous().storage).toBe(a.storage);
    const c = a.transpose().contiguous();
    expect(c.storage).not.toBe(a.storage);
    expect(c.strides).toEqual([2, 1]);
    expect(values(c)).toEqual([0, 3, 1, 4, 2, 5]);
    const k = a.clone();
    expect(k.storage).not.toBe(a.storage);
    k.assign(0);
    expect(values(a)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
