import { type Axes, type SliceSpec, normAxis } from '@nablajs/tensor';
import { record } from './ops.js';
import type { Variable } from './variable.js';

// The views of a Variable: each records the Tensor view it makes (reshape, permute, expand, slice),
// so the gradient goes back through that view's rule. Installed as methods by variable.ts.

/** The view functions, `VIEWS.reshape(v, shape)` being `v.reshape(shape)`. */
export const VIEWS = {
  reshape(v: Variable, shape: readonly number[]): Variable {
    return record('reshape', [v], v.data.reshape(shape));
  },
  permute(v: Variable, ...axes: number[]): Variable {
    const out = v.data.permute(...axes);
    return record(
      'permute',
      [v],
      out,
      axes.map((a) => normAxis('permute', a, v.rank)),
    );
  },
  transpose(v: Variable, a = -2, b = -1): Variable {
    if (v.rank < 2) return v.reshape(v.shape);
    const order = Array.from({ length: v.rank }, (_, i) => i);
    const i = normAxis('transpose', a, v.rank);
    const j = normAxis('transpose', b, v.rank);
    [order[i], order[j]] = [order[j]!, order[i]!];
    return v.permute(...order);
  },
  expand(v: Variable, shape: readonly number[]): Variable {
    return record('expand', [v], v.data.expand(shape));
  },
  broadcastTo(v: Variable, shape: readonly number[]): Variable {
    return v.expand(shape);
  },
  slice(v: Variable, specs: readonly SliceSpec[]): Variable {
    return record('slice', [v], v.data.slice(specs), specs);
  },
  squeeze(v: Variable, axes?: Axes): Variable {
    return v.reshape(v.data.squeeze(axes).shape);
  },
  unsqueeze(v: Variable, axis: number): Variable {
    const a = normAxis('unsqueeze', axis, v.rank + 1);
    return v.reshape([...v.shape.slice(0, a), 1, ...v.shape.slice(a)]);
  },
  flatten(v: Variable, start = 0, end = -1): Variable {
    return v.reshape(v.data.flatten(start, end).shape);
  },
  contiguous(v: Variable): Variable {
    return record('reshape', [v], v.data.contiguous());
  },
};

/** The view methods `VIEWS` gives Variable. */
export interface ViewMethods {
  /** The same elements in `shape` (one entry may be -1). */
  reshape(shape: readonly number[]): Variable;
  /** Reorders axes: `permute(1, 0)` transposes a matrix. */
  permute(...axes: number[]): Variable;
  /** Swaps two axes, the last two by default. */
  transpose(a?: number, b?: number): Variable;
  /** Broadcasts to `shape`; the gradient sums over the broadcast axes. */
  expand(shape: readonly number[]): Variable;
  /** The same as `expand`. */
  broadcastTo(shape: readonly number[]): Variable;
  /** A strided slice, as `Tensor.slice`; the gradient is scattered back into zeros. */
  slice(specs: readonly SliceSpec[]): Variable;
  /** Drops size-1 axes (all of them, or the ones named). */
  squeeze(axes?: Axes): Variable;
  /** Inserts a size-1 axis at `axis`. */
  unsqueeze(axis: number): Variable;
  /** Merges axes `start..end` (inclusive) into one. */
  flatten(start?: number, end?: number): Variable;
  /** The same value in row-major storage. */
  contiguous(): Variable;
}
