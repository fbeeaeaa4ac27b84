// Where Nabla follows PyTorch's rules on purpose (issue 18): dtype promotion with 0-d operands and
// numbers, mean refused on integers. The expected dtypes are PyTorch 1.13's (torch.result_type).
import { cpu } from '../../backend-cpu/src/index.js';
import { describe, expect, test } from 'vitest';
import {
  DTypeError,
  type DType,
  fullLike,
  randLike,
  randnLike,
  tensor,
  useBackend,
  where,
} from './index.js';

useBackend(cpu());

const t = (dtype: DType, zeroD = false) => tensor(zeroD ? 1 : [1, 2, 3], { dtype });

describe('promotion with 0-d operands and numbers follows PyTorch', () => {
  // [left, right, result]: `0` marks a 0-d tensor
  // prettier-ignore
  const CASES: [DType, boolean, DType, boolean, DType][] = [
    ['float32', false, 'float64', true, 'float32'], // the case: a 0-d float64 keeps float32
    ['float64', true, 'float32', false, 'float32'],
    ['int32', false, 'float64', true, 'float64'], // a higher category promotes
    ['int32', false, 'float32', true, 'float32'],
    ['float64', false, 'float32', true, 'float64'],
    ['float32', true, 'float64', true, 'float64'], // both 0-d: ordinary promotion
    ['float32', false, 'float64', false, 'float64'], // both with axes: ordinary promotion
    ['float32', false, 'int32', true, 'float32'],
  ];
  for (const [da, za, db, zb, want] of CASES)
    test(`${da}${za ? ' 0-d' : ''} + ${db}${zb ? ' 0-d' : ''} is ${want}`, () => {
      expect(t(da, za).add(t(db, zb)).dtype).toBe(want);
      expect(where(tensor([true, false, true]), t(da, za), t(db, zb)).dtype).toBe(want);
    });
  test('numbers: an integer keeps int32, a fraction makes float32, floats keep their dtype', () => {
    expect(t('int32').add(2).dtype).toBe('int32');
    expect(t('int32').add(1.5).dtype).toBe('float32');
    expect(t('float64').mul(1.5).dtype).toBe('float64');
    expect(t('float32').mul(1e300).dtype).toBe('float32');
  });
});

test('mean and variance of int32 are refused (PyTorch: "could not infer output dtype")', () => {
  const x = tensor([1, 2], { dtype: 'int32' });
  expect(() => x.mean()).toThrow(DTypeError);
  expect(() => x.variance()).toThrow(/cast\('float32'\)/);
  expect(x.cast('float32').mean().dataSync()[0]).toBe(1.5);
});

test('randLike, randnLike and fullLike take the shape, backend and (float) dtype', () => {
  const x = tensor([[1, 2, 3]], { dtype: 'float64' });
  const r = randLike(x, { seed: 1 });
  expect([r.shape, r.dtype]).toEqual([[1, 3], 'float64']);
  expect(Array.from(r.dataSync()).every((v) => v >= 0 && v < 1)).toBe(true);
  expect(randnLike(tensor([1, 2], { dtype: 'int32' })).dtype).toBe('float32');
  expect(Array.from(fullLike(x, 7).dataSync())).toEqual([7, 7, 7]);
});

test('maskedSelect takes a mask as numbers: over axis 0, or over every element', () => {
  const x = tensor([
    [1, 2],
    [3, 4],
    [5, 6],
  ]);
  expect(Array.from(x.maskedSelect([0, 1, 1]).dataSync())).toEqual([3, 4, 5, 6]);
  expect(x.maskedSelect([0, 1, 1]).shape).toEqual([2, 2]);
  expect(Array.from(x.maskedSelect(new Int32Array([1, 0, 0, 1, 1, 0])).dataSync())).toEqual([
    1, 4, 5,
  ]);
  expect(() => x.maskedSelect([1, 0])).toThrow(/does not match/);
});

test('maskedSelect on a backend that reads asynchronously asks for the mask values first', async () => {
  const gpuLike = { ...cpu(), name: 'async', sync: false, readSync: undefined };
  const x = tensor([1, 2, 3], { backend: gpuLike });
  const mask = x.gt(1);
  expect(() => x.maskedSelect(mask)).toThrow(/await mask.data\(\)/);
  expect(await x.maskedSelect(await mask.data()).data()).toEqual(new Float32Array([2, 3]));
});
