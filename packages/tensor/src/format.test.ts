import { describe, expect, test } from 'vitest';
import { cpu } from '../../backend-cpu/src/index.js';
import { arange, formatTensor, tensor, useBackend, zeros } from './index.js';

useBackend(cpu());

describe('toString, as NumPy prints an array', () => {
  test('a float32 matrix', () => {
    const t = tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(t.toString()).toBe('array([[1., 2.],\n       [3., 4.]])');
    expect(String(t.transpose())).toBe('array([[1., 3.],\n       [2., 4.]])');
  });

  test('int32 and float64 name their dtype; float32 is the default and does not', () => {
    expect(arange(5).toString()).toBe('array([0, 1, 2, 3, 4], dtype=int32)');
    expect(tensor([1, -20], { dtype: 'int32' }).toString()).toBe('array([  1, -20], dtype=int32)');
    expect(tensor([0.5, 1], { dtype: 'float64' }).toString()).toBe(
      'array([0.5, 1. ], dtype=float64)',
    );
  });

  test('0-d and empty tensors', () => {
    expect(tensor(6).toString()).toBe('array(6.)');
    expect(tensor(-1.25).toString()).toBe('array(-1.25)');
    expect(zeros([0]).toString()).toBe('array([])');
  });

  test('columns align; fractions pad their unneeded zeros with spaces', () => {
    expect(tensor([0.5, 1, -2.25]).toString()).toBe('array([ 0.5 ,  1.  , -2.25])');
    expect(tensor([1000, -2000, 0]).toString()).toBe('array([ 1000., -2000.,     0.])');
    expect(tensor([1.5, 5.5, 9.5]).toString()).toBe('array([1.5, 5.5, 9.5])');
    // at most 4 decimals
    expect(tensor([0.123456, 2], { dtype: 'float64' }).toString()).toBe(
      'array([0.1235, 2.    ], dtype=float64)',
    );
  });

  test('3-D arrays separate blocks with a blank line', () => {
    expect(arange(8).reshape([2, 2, 2]).toString()).toBe(
      'array([[[0, 1],\n        [2, 3]],\n\n       [[4, 5],\n        [6, 7]]], dtype=int32)',
    );
  });

  test('NaN and infinities', () => {
    expect(tensor([NaN, Infinity, -Infinity, 1]).toString()).toBe(
      'array([ nan,  inf, -inf,   1.])',
    );
  });

  test('very large or very small magnitudes switch to scientific notation', () => {
    const s = tensor([1e-5, 1]).toString();
    expect(s).toMatch(/^array\(\[1(\.0*)?e-05, 1(\.0*)?e\+00\]\)$/);
    expect(tensor([1e9, 1]).toString()).toMatch(/^array\(\[1(\.0*)?e\+09, 1(\.0*)?e\+00\]\)$/);
  });

  test('more than 1000 elements are summarized with ...', () => {
    const v = arange(1001, undefined, 1, { dtype: 'float32' });
    expect(v.toString()).toBe('array([   0.,    1.,    2., ...,  998.,  999., 1000.])');
    const m = arange(2000, undefined, 1, { dtype: 'float32' }).reshape([40, 50]);
    expect(m.toString()).toBe(
      [
        'array([[   0.,    1.,    2., ...,   47.,   48.,   49.],',
        '       [  50.,   51.,   52., ...,   97.,   98.,   99.],',
        '       [ 100.,  101.,  102., ...,  147.,  148.,  149.],',
        '       ...,',
        '       [1850., 1851., 1852., ..., 1897., 1898., 1899.],',
        '       [1900., 1901., 1902., ..., 1947., 1948., 1949.],',
        '       [1950., 1951., 1952., ..., 1997., 1998., 1999.]])',
      ].join('\n'),
    );
    expect(arange(1000).toString()).not.toContain('...'); // exactly 1000 is printed in full
  });

  test('formatTensor on raw data, and a disposed tensor', () => {
    expect(formatTensor(new Int32Array([1, 2, 3, 4]), [2, 2], 'int32')).toBe(
      'array([[1, 2],\n       [3, 4]], dtype=int32)',
    );
    const t = tensor([1, 2]);
    t.dispose();
    expect(t.toString()).toBe('Tensor([2], float32, disposed)');
  });
});
