import { describe, expect, test } from 'vitest';
import { cpu } from '../../backend-cpu/src/index.js';
import {
  arange,
  eye,
  full,
  ones,
  randn,
  onesLike,
  ShapeError,
  tensor,
  useBackend,
  zeros,
  zerosLike,
} from './index.js';

useBackend(cpu());

describe('tensor()', () => {
  test('from a number: a 0-d float32 tensor', async () => {
    const t = tensor(3.5);
    expect(t.shape).toEqual([]);
    expect(t.rank).toBe(0);
    expect(t.size).toBe(1);
    expect(t.dtype).toBe('float32');
    expect(await t.item()).toBe(3.5);
  });

  test('from nested arrays: shape inferred, row-major data', async () => {
    const t = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.strides).toEqual([3, 1]);
    expect(Array.from(t.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await t.array()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(tensor([[[1], [2]]]).shape).toEqual([1, 2, 1]);
  });

  test('from a plain array, which is copied', () => {
    const src = [1, 2, 3];
    const t = tensor(src);
    src[0] = 100;
    expect(Array.from(t.dataSync())).toEqual([1, 2, 3]);
  });

  test('from typed arrays: dtype from the array, data copied', () => {
    const f32 = new Float32Array([1.5, 2.5]);
    const i32 = new Int32Array([7, -8]);
    const f64 = new Float64Array([0.1, 0.2]);
    const [a, b, c] = [tensor(f32), tensor(i32), tensor(f64)];
    expect([a.dtype, b.dtype, c.dtype]).toEqual(['float32', 'int32', 'float64']);
    f32[0] = 99;
    i32[1] = 99;
    f64[0] = 99;
    expect(Array.from(a.dataSync())).toEqual([1.5, 2.5]);
    expect(Array.from(b.dataSync())).toEqual([7, -8]);
    expect(Array.from(c.dataSync())).toEqual([0.1, 0.2]); // float64 keeps 0.1 exactly as a double
  });

  test('from a large typed array and from a subarray view: data copied, only the view', () => {
    const big = new Float32Array(200_000).fill(3); // larger than what the CPU carves from chunks
    const t = tensor(big);
    const view = tensor(big.subarray(10, 14), { shape: [2, 2] });
    big.fill(7);
    expect(t.size).toBe(200_000);
    expect(t.dataSync().every((v) => v === 3)).toBe(true);
    expect(Array.from(view.dataSync())).toEqual([3, 3, 3, 3]);
  });

  test('with a shape', async () => {
    const t = tensor([1, 2, 3, 4, 5, 6], { shape: [3, 2] });
    expect(t.shape).toEqual([3, 2]);
    expect(await t.array()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(tensor(new Int32Array([1, 2, 3, 4]), { shape: [2, 1, 2] }).shape).toEqual([2, 1, 2]);
    expect(() => tensor([1, 2, 3], { shape: [2, 2] })).toThrow(ShapeError);
    expect(() => tensor([1, 2, 3], { shape: [2, 2] })).toThrow(
      'tensor: 3 values do not fill shape [2,2]',
    );
    expect(() => tensor([1, 2], { shape: [-1, 2] })).toThrow('invalid shape [-1,2]');
  });

  test('dtype option converts: int32 truncates toward zero, float64 keeps doubles', () => {
    expect(Array.from(tensor([1.7, -1.7, 3], { dtype: 'int32' }).dataSync())).toEqual([1, -1, 3]);
    const d = tensor([1 / 3], { dtype: 'float64' });
    expect(d.dtype).toBe('float64');
    expect(d.dataSync()[0]).toBe(1 / 3);
    expect(tensor([1 / 3]).dataSync()[0]).toBe(Math.fround(1 / 3));
  });

  test('ragged arrays raise ShapeError', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(ShapeError);
    expect(() => tensor([[1, 2], [3]])).toThrow(/tensor: nested arrays are ragged/);
    // the same number of leaves as a [2,2] tensor, but at different depths
    expect(() => tensor([[1, 2], [[3, 4]]] as never)).toThrow(ShapeError);
    expect(() => tensor([[1], 2] as never)).toThrow(ShapeError);
    expect(() => tensor(['a', 'b'] as never)).toThrow(ShapeError);
  });

  test('empty arrays', () => {
    expect(tensor([]).shape).toEqual([0]);
    expect(tensor([[], []]).shape).toEqual([2, 0]);
  });
});

describe('filled tensors', () => {
  test('zeros, ones and full; float32 by default', () => {
    const z = zeros([2, 3]);
    expect(z.shape).toEqual([2, 3]);
    expect(z.dtype).toBe('float32');
    expect(Array.from(z.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(ones([3], { dtype: 'int32' }).dataSync())).toEqual([1, 1, 1]);
    expect(ones([3], { dtype: 'int32' }).dtype).toBe('int32');
    const f = full([2, 2], 7.25, { dtype: 'float64' });
    expect(f.dtype).toBe('float64');
    expect(Array.from(f.dataSync())).toEqual([7.25, 7.25, 7.25, 7.25]);
    expect(zeros([]).shape).toEqual([]);
    expect(zeros([0, 4]).size).toBe(0);
    expect(() => zeros([2.5])).toThrow(ShapeError);
  });

  test('zerosLike and onesLike keep shape and dtype', () => {
    const t = tensor([[1, 2, 3]], { dtype: 'int32' });
    const z = zerosLike(t);
    const o = onesLike(t);
    expect([z.shape, z.dtype]).toEqual([[1, 3], 'int32']);
    expect(Array.from(z.dataSync())).toEqual([0, 0, 0]);
    expect([o.shape, o.dtype]).toEqual([[1, 3], 'int32']);
    expect(Array.from(o.dataSync())).toEqual([1, 1, 1]);
  });

  test('eye: square and rectangular', async () => {
    expect(await eye(3).array()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
    expect(await eye(2, 3).array()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    expect(await eye(3, 2, { dtype: 'int32' }).array()).toEqual([
      [1, 0],
      [0, 1],
      [0, 0],
    ]);
  });
});

describe('arange', () => {
  test('integer arguments give int32', () => {
    const a = arange(5);
    expect(a.dtype).toBe('int32');
    expect(Array.from(a.dataSync())).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(arange(2, 5).dataSync())).toEqual([2, 3, 4]);
    expect(Array.from(arange(1, 10, 3).dataSync())).toEqual([1, 4, 7]);
  });

  test('a fractional argument gives float32', () => {
    const a = arange(0, 1, 0.25);
    expect(a.dtype).toBe('float32');
    expect(Array.from(a.dataSync())).toEqual([0, 0.25, 0.5, 0.75]);
    expect(arange(0.5, 3).dtype).toBe('float32');
    expect(Array.from(arange(0.5, 3).dataSync())).toEqual([0.5, 1.5, 2.5]);
  });

  test('negative steps count down; an empty range is empty', () => {
    expect(Array.from(arange(5, 0, -1).dataSync())).toEqual([5, 4, 3, 2, 1]);
    expect(Array.from(arange(0, -1, -0.5).dataSync())).toEqual([0, -0.5]);
    expect(arange(3, 3).shape).toEqual([0]);
    expect(arange(3, 0).shape).toEqual([0]);
    expect(arange(0, 3, -1).shape).toEqual([0]);
    expect(() => arange(0, 3, 0)).toThrow(ShapeError);
  });

  test('a tensor too large to hold says what was asked and the limit', () => {
    const limit = 'a tensor holds at most 2147483647 elements (2^31 − 1)';
    expect(() => zeros([1e6, 1e6])).toThrow(ShapeError);
    expect(() => zeros([1e6, 1e6])).toThrow(
      `zeros: shape [1000000,1000000] has 1000000000000 elements; ${limit}`,
    );
    expect(() => ones([2 ** 31])).toThrow(`ones: shape [2147483648] has 2147483648 elements`);
    expect(() => randn([1e5, 1e5])).toThrow(`randn: shape [100000,100000]`);
    expect(() => arange(0, 1, 1e-12)).toThrow(`arange: shape [1000000000000]`);
    const x = tensor([[1], [2]]);
    expect(() => x.expand([2, 1e10])).toThrow(`expand: shape [2,10000000000]`);
    expect(() => zeros([1e5, 1]).add(zeros([1e5]))).toThrow(`add: shape [100000,100000]`);
    expect(() => zeros([1e5, 1]).matmul(zeros([1, 1e5]))).toThrow(`matmul: shape [100000,100000]`);
  });

  test('bounds and steps must be finite: the error names the argument', () => {
    expect(() => arange(NaN)).toThrow('arange: stop NaN must be a finite number');
    expect(() => arange(0, Infinity)).toThrow('arange: stop Infinity must be a finite number');
    expect(() => arange(NaN, 3)).toThrow('arange: start NaN must be a finite number');
    expect(() => arange(0, 3, NaN)).toThrow('arange: step NaN must be a finite number');
  });

  test('an explicit dtype wins', () => {
    const a = arange(3, undefined, 1, { dtype: 'float64' });
    expect(a.dtype).toBe('float64');
    expect(Array.from(a.dataSync())).toEqual([0, 1, 2]);
  });
});
