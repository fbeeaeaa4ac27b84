import {
  type Tensor,
  type WindowOptions,
  conv as convTensor,
  convGrad as convGradTensor,
  col2im as col2imTensor,
  im2col as im2colTensor,
  maxPool as maxPoolTensor,
  maxPoolGrad as maxPoolGradTensor,
} from '@nablajs/tensor';
import { isGradEnabled } from './mode.js';
import { Variable, record } from './variable.js';

// The sliding-window primitives on Variables; their gradient rules (rules.ts) are each other's:
// im2col ↔ col2im, maxPool → maxPoolGrad → a gather at the argmax, and conv → convGrad, or its
// composition of differentiable ops, so every order works.

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

/**
 * A convolution of one group, x [N, C, ...spatial] with w [O, C, ...kernel] plus b [O], as one node
 * of the graph (the Tensor function `conv`: one kernel where the backend has it; the CPU backend
 * keeps the columns in WebAssembly memory), instead of im2col, a matmul and a bias add as three
 * nodes with the columns and the sum as tensors in between. Its rule is `convGrads`.
 */
export function conv(
  x: Variable,
  w: Variable,
  b: Variable | undefined,
  opts: WindowOptions,
): Variable {
  return record(
    'conv',
    b ? [x, w, b] : [x, w],
    convTensor(x.data, w.data, b?.data ?? null, opts),
    opts,
  );
}

/**
 * conv's gradients: `convGrad` of @nablajs/tensor (one kernel where the backend has it), or, when a
 * graph of the gradient is being built (createGraph), composed of differentiable ops (im2col,
 * matmul, col2im), so convolutions differentiate to any order.
 */
export function convGrads(
  g: Variable,
  [x, w, b]: Variable[],
  needs: boolean[],
  opts: WindowOptions,
): (Variable | null)[] {
  const [nx, nw, nb] = [needs[0]!, needs[1]!, needs[2] ?? false];
  if (!isGradEnabled()) {
    const [dx, dw, db] = convGradTensor(x!.data, w!.data, g.data, opts, [nx, nw, nb]);
    const grads = [dx && new Variable(dx), dw && new Variable(dw)];
    return b ? [...grads, db && new Variable(db)] : grads;
  }
  const [N, O] = [x!.shape[0]!, w!.shape[0]!];
  const g2 = g.reshape([N, O, -1]); // [N, O, L]
  const wm = w!.reshape([O, -1]); // [O, C·K]
  const dx = nx ? col2im(wm.transpose().matmul(g2), x!.shape.slice(2), opts) : null;
  const dw = nw ? g2.matmul(im2col(x!, opts).transpose()).sum(0).reshape(w!.shape) : null;
  return b ? [dx, dw, nb ? g2.sum([0, 2]) : null] : [dx, dw];
}
