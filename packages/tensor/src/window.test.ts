// The Tensor-level window ops: shapes, option resolution and the errors that name op and shapes.
// Their values are the conformance suite's business (packages/backend-tests, cases/window.ts).
import { describe, expect, test } from 'vitest';
import { cpu } from '../../backend-cpu/src/index.js';
import {
  DTypeError,
  ShapeError,
  col2im,
  im2col,
  maxPool,
  maxPoolGrad,
  tensor,
  useBackend,
  windowGeometry,
  zeros,
} from './index.js';

useBackend(cpu());

describe('window ops on tensors', () => {
  test('windowGeometry spells every option out and computes the output as PyTorch', () => {
    expect(windowGeometry('op', [28, 28], { kernelSize: 5, padding: 2 })).toEqual({
      input: [28, 28],
      output: [28, 28],
      kernel: [5, 5],
      stride: [1, 1],
      padding: [2, 2],
      dilation: [1, 1],
    });
    const g = windowGeometry('op', [9, 10], { kernelSize: [3, 2], stride: [2, 3], dilation: 2 });
    expect(g.output).toEqual([3, 3]);
  });

  test('shapes of im2col, col2im, maxPool and maxPoolGrad, in 1-d, 2-d and 3-d', () => {
    expect(im2col(zeros([2, 3, 7, 8]), { kernelSize: 3, padding: 1 }).shape).toEqual([2, 27, 56]);
    expect(im2col(zeros([2, 3, 9]), { kernelSize: [2], stride: [2] }).shape).toEqual([2, 6, 4]);
    expect(im2col(zeros([1, 2, 3, 4, 5]), { kernelSize: 2 }).shape).toEqual([1, 16, 24]);
    expect(col2im(zeros([2, 27, 56]), [7, 8], { kernelSize: 3, padding: 1 }).shape).toEqual([2, 3, 7, 8]); // prettier-ignore
    const [v, i] = maxPool(zeros([2, 3, 6, 8]), { kernelSize: 2, stride: 2 });
    expect([v.shape, i.shape, v.dtype, i.dtype]).toEqual([[2, 3, 3, 4], [2, 3, 3, 4], 'float32', 'int32']); // prettier-ignore
    expect(maxPoolGrad(v, i, [6, 8], { kernelSize: 2, stride: 2 }).shape).toEqual([2, 3, 6, 8]);
    // int32 passes through im2col
    const x = tensor([[[1, 2, 3]]], { dtype: 'int32' });
    expect([...im2col(x, { kernelSize: [2] }).dataSync()]).toEqual([1, 2, 2, 3]);
  });

  test('errors name the op, the shapes and the options', () => {
    expect(() => im2col(zeros([3, 28, 28]), { kernelSize: [5, 5] })).toThrow(
      'im2col: input [3,28,28] is not [N, C, ...spatial] for kernelSize [5,5]',
    );
    expect(() => im2col(zeros([1, 1, 4, 4]), { kernelSize: 5 })).toThrow(ShapeError);
    expect(() => im2col(zeros([1, 1, 4, 4]), { kernelSize: 5 })).toThrow(
      /^im2col: no window fits: input \[4,4\] with kernel \[5,5\]/,
    );
    expect(() => im2col(zeros([1, 1, 4, 4]), { kernelSize: [2, 2, 2] })).toThrow(/not \[N, C/);
    expect(() => im2col(zeros([1, 1, 4, 4]), { kernelSize: 2, stride: 0 })).toThrow(
      'im2col: stride 0 must be one integer ≥ 1 or 2 of them (one per spatial axis)',
    );
    expect(() => im2col(zeros([1, 1, 4, 4]), { kernelSize: 2, padding: [1] })).toThrow(
      /padding \[1\] must be one integer ≥ 0 or 2/,
    );
    expect(() => col2im(zeros([1, 10, 9]), [4, 4], { kernelSize: 2 })).toThrow(
      'col2im: columns [1,10,9] do not fit kernel [2,2] and output [4,4]: expected [N, C·4, 9]',
    );
    expect(() => maxPool(zeros([1, 1, 4, 4], { dtype: 'int32' }), { kernelSize: 2 })).toThrow(
      DTypeError,
    );
    expect(() => maxPool(zeros([1, 1, 4, 4]), { kernelSize: 2, padding: 2 })).toThrow(
      'maxPool: padding [2,2] is more than half of kernelSize [2,2]',
    );
    const [v] = maxPool(zeros([1, 1, 4, 4]), { kernelSize: 2 });
    expect(() => maxPoolGrad(v, zeros([1, 1, 3, 3]), [4, 4], { kernelSize: 2 })).toThrow(
      /maxPoolGrad: grad \[1,1,3,3\] and indices \[1,1,3,3\] float32 must both be \[1,1,3,3\], indices int32/,
    );
  });

  test('maxPoolGrad refuses an index outside the plane (CPU)', () => {
    const g = tensor([[[1, 2]]]);
    const idx = tensor([[[0, 7]]], { dtype: 'int32' });
    expect(() => maxPoolGrad(g, idx, [3], { kernelSize: [2] })).toThrow(
      'maxPoolGrad: index 7 is out of range for an input plane of 3 elements',
    );
  });
});
