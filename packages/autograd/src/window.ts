import {
  type Tensor,
  type WindowOptions,
  col2im as col2imTensor,
  im2col as im2colTensor,
  maxPool as maxPoolTensor,
  maxPoolGrad as maxPoolGradTensor,
} from '@nablajs/tensor';
import { type Variable, record } from './variable.js';

// The sliding-window primitives on Variables; their gradient rules (rules.ts) are each other's:
// im2col ↔ col2im, and maxPool → maxPoolGrad → a gather at the argmax, so every order works.

/** What the window ops' rules need: the options and a spatial size. */
export interface WindowParams {
  /** The window options the op ran with. */
  opts: WindowOptions;
  /** The spatial size of the input (of im2col and the poolings) or of the output (of col2im). */
  size: readonly number[];
}

/** What maxPool's and maxPoolGrad's rules need besides: the argmax. */
export interface PoolParams extends WindowParams {
  /** maxPool's argmax (int32, flat positions in each input plane). */
  indices: Tensor;
}

/** PyTorch's `F.unfold` on a Variable: [N, C, ...spatial] → [N, C·∏kernel, L] (see the Tensor
 * function `im2col`); its gradient is `col2im`. */
export function im2col(x: Variable, opts: WindowOptions): Variable {
  const params: WindowParams = { opts, size: x.shape.slice(2) };
  return record('im2col', [x], im2colTensor(x.data, opts), params);
}

/** PyTorch's `F.fold` on a Variable: [N, C·∏kernel, L] → [N, C, ...outputSize], overlaps summed;
 * its gradient is `im2col`. */
export function col2im(
  cols: Variable,
  outputSize: readonly number[],
  opts: WindowOptions,
): Variable {
  const params: WindowParams = { opts, size: [...outputSize] };
  return record('col2im', [cols], col2imTensor(cols.data, outputSize, opts), params);
}

/** Max pooling of a Variable [N, C, ...spatial]: the maxima (differentiable, the gradient going to
 * each window's argmax) and the int32 argmax (see the Tensor function `maxPool`). */
export function maxPool(x: Variable, opts: WindowOptions): [Variable, Tensor] {
  const [values, indices] = maxPoolTensor(x.data, opts);
  const params: PoolParams = { opts, size: x.shape.slice(2), indices };
  return [record('maxPool', [x], values, params), indices];
}

/** maxPool's gradient as a Variable op: `grad` added at `indices` into zeros [N, C, ...inputSize];
 * differentiable in `grad` (its own gradient gathers at the indices). */
export function maxPoolGrad(
  grad: Variable,
  indices: Tensor,
  inputSize: readonly number[],
  opts: WindowOptions,
): Variable {
  const params: PoolParams = { opts, size: [...inputSize], indices };
  return record(
    'maxPoolGrad',
    [grad],
    maxPoolGradTensor(grad.data, indices, inputSize, opts),
    params,
  );
}
