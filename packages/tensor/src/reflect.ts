import type { BinaryOp } from './ops.js';
import type { Tensor } from './tensor.js';

// How a Tensor's binary methods and `matmul` hand an operand of another library (autograd's
// Variable) the op, so that mixed arithmetic records the graph whichever side the Tensor is on.

/** The symbol by which a Tensor's binary methods and `matmul` recognize a {@link Reflected} operand. */
export const REFLECT: unique symbol = Symbol.for('nablajs.reflect');

/**
 * An operand that is not a Tensor but knows how to combine with one on its left, as Python's
 * `__rsub__`: `tensor.sub(x)` returns `x[REFLECT]('sub', tensor)`. Autograd's Variable implements
 * it (lifting the Tensor to a constant Variable), so mixed arithmetic records the graph either way.
 */
export interface Reflected<R = unknown> {
  /** `left op this`, for a binary op or `matmul`. */
  [REFLECT](op: BinaryOp | 'matmul', left: Tensor): R;
}

/** Whether `x` is a {@link Reflected} operand (a Tensor never is: it has no `REFLECT` key). */
export const isReflected = (x: unknown): x is Reflected =>
  typeof x === 'object' && x !== null && REFLECT in x;
