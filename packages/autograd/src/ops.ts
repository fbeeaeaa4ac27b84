import {
  type Axes,
  Tensor,
  broadcastShapes,
  isFloat,
  normAxes,
  sameShape,
  tensor,
} from '@nablajs/tensor';
import { isGradEnabled } from './mode.js';
import { FunctionNode } from './node.js';
import type { DiffOp, OpParams } from './params.js';
import { RULES } from './rules.js';
import { type Operand, Variable } from './variable.js';

// How Variable's ops record the graph: constants lifted to Variables, the output wrapped with the
// function node that made it, and the ops (reductions, matmul) that shape their inputs first.

/** Wraps a Tensor or number as a constant Variable: a number takes `like`'s dtype when that is a
 * float, else int32 (an integer) or float32 (a fraction), as Tensor ops do. */
export function lift(x: Operand, like: Variable): Variable {
  if (x instanceof Variable) return x;
  if (x instanceof Tensor) return new Variable(x);
  const dtype = isFloat(like.dtype) ? like.dtype : Number.isInteger(x) ? 'int32' : 'float32';
  return new Variable(tensor(x, { dtype, backend: like.data.backend }));
}

/** Wraps `out` and, when grad mode is on and an input requires grad, records the node that made it. */
export function record<K extends DiffOp>(
  op: K,
  inputs: readonly Variable[],
  out: Tensor,
  ...params: OpParams<K>
): Variable {
  const v = new Variable(out);
  if (isGradEnabled() && inputs.some((i) => i.requiresGrad)) {
    v.requiresGrad = true;
    v.gradFn = new FunctionNode(op, inputs, v, params[0], (g, xs, y, needs) =>
      RULES[op](g, xs, y, needs, ...params),
    );
  }
  return v;
}

/** A reduction over `axis`, recorded with the axes normalized once. */
export function reduce(
  op: 'sum' | 'max' | 'min',
  x: Variable,
  axis: Axes | undefined,
  keepDims: boolean,
): Variable {
  const axes = normAxes(op, axis, x.rank);
  // one axis given as a number selects an index (PyTorch's max(dim)); others split ties (amax)
  const select = op !== 'sum' && typeof axis === 'number';
  return record(op, [x], x.data[op](axes, keepDims), { axes, keepDims, select });
}

/** `a @ other` with NumPy's rules (batched, broadcast batch axes, 1-D operands), built from reshape
 * and expand so that one matmul node differentiates every case. */
export function matmul(a: Variable, other: Operand): Variable {
  const b = lift(other, a);
  const a2 = a.rank === 1 ? a.reshape([1, a.shape[0]!]) : a;
  const b2 = b.rank === 1 ? b.reshape([b.shape[0]!, 1]) : b;
  if (a2.rank < 2 || b2.rank < 2) return record('matmul', [a, b], a.data.matmul(b.data)); // lets Tensor raise
  const batch = broadcastShapes('matmul', a2.shape.slice(0, -2), b2.shape.slice(0, -2));
  // expand only where batch axes broadcast: no extra graph node (nor nameless copy) otherwise
  const fit = (v: Variable) => {
    const shape = [...batch, ...v.shape.slice(-2)];
    return sameShape(v.shape, shape) ? v : v.expand(shape);
  };
  const ae = fit(a2);
  const be = fit(b2);
  const out = record('matmul', [ae, be], ae.data.matmul(be.data));
  if (a.rank > 1 && b.rank > 1) return out;
  const shape = [
    ...batch,
    ...(a.rank === 1 ? [] : [a2.shape[a2.rank - 2]!]),
    ...(b.rank === 1 ? [] : [b2.shape[b2.rank - 1]!]),
  ];
  return out.reshape(shape);
}
