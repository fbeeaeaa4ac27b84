import { DTypeError, ShapeError, fmtShape } from './errors.js';
import { isFloat, promoteTypes } from './dtype.js';
import { binaryOp, broadcastRef, castTemp, checkBackend, withTemps, wrap } from './math.js';
import { SCAN, type ScanOp } from './ops.js';
import { broadcastShapes, checkSize, concatLayout, normAxis, sameShape } from './shape.js';
import type { Tensor } from './tensor.js';

/** The structured primitives on Tensors (matmul, gather and its adjoint, concat, the running
 * reductions, argsort) and `linear`: checks and dtype promotion, then one backend call. */

/** Matrix product with NumPy's rules: batched, batch axes broadcast, 1-D operands promoted and dropped. */
export function matmulOp(a: Tensor, b: Tensor): Tensor {
  checkBackend('matmul', [a, b]);
  if (a.rank === 0 || b.rank === 0)
    throw new ShapeError(
      'matmul',
      `operands need at least one axis, got ${fmtShape(a.shape)} @ ${fmtShape(b.shape)}`,
      'use mul for scalars',
    );
  const as = a.rank === 1 ? [1, a.shape[0]!] : a.shape;
  const bs = b.rank === 1 ? [b.shape[0]!, 1] : b.shape;
  const K = as[as.length - 1]!;
  if (bs[bs.length - 2] !== K) {
    const hint =
      bs[bs.length - 1] === K
        ? 'did you mean b.transpose()?'
        : 'the last axis of a must equal the second-to-last of b';
    throw new ShapeError(
      'matmul',
      `inner dimensions differ: ${fmtShape(a.shape)} @ ${fmtShape(b.shape)}`,
      hint,
    );
  }
  const M = as[as.length - 2]!;
  const N = bs[bs.length - 1]!;
  const batch = broadcastShapes('matmul', as.slice(0, -2), bs.slice(0, -2));
  checkSize('matmul', [...batch, M, N]);
  if (a.dtype === 'bool' || b.dtype === 'bool')
    throw new DTypeError(
      'matmul',
      `is not defined for bool (${a.dtype} ${fmtShape(a.shape)} @ ${b.dtype} ${fmtShape(b.shape)})`,
      "cast first: m.cast('int32') or m.cast('float32')",
    );
  return withTemps((temps) => {
    const dtype = promoteTypes(a.dtype, b.dtype);
    const A = castTemp(a, dtype, temps);
    const B = castTemp(b, dtype, temps);
    const Av = A.rank === 1 ? A.reshape(as) : A;
    const Bv = B.rank === 1 ? B.reshape(bs) : B;
    if (Av !== A) temps.push(Av);
    if (Bv !== B) temps.push(Bv);
    const h = a.backend.matmul(
      broadcastRef(Av, [...batch, M, K]),
      broadcastRef(Bv, [...batch, K, N]),
    );
    const shape = [...batch, ...(a.rank === 1 ? [] : [M]), ...(b.rank === 1 ? [] : [N])];
    return wrap(a.backend, h, dtype, shape);
  });
}

function checkIndex(op: string, x: readonly number[], axis: number, index: Tensor): void {
  if (index.dtype !== 'int32')
    throw new DTypeError(
      op,
      `index must be int32, got ${index.dtype}`,
      "make it with { dtype: 'int32' }",
    );
  if (index.rank !== x.length || index.shape.some((d, i) => i !== axis && d > x[i]!))
    throw new ShapeError(
      op,
      `index ${fmtShape(index.shape)} does not fit ${fmtShape(x)} along axis ${axis}`,
      'index needs the same rank, and no larger size on the other axes',
    );
}

/** PyTorch's gather: out[i][j] = x[i][index[i][j]] (axis 1). */
export function gatherOp(x: Tensor, axis: number, index: Tensor): Tensor {
  checkBackend('gather', [x, index]);
  const ax = normAxis('gather', axis, x.rank);
  checkIndex('gather', x.shape, ax, index);
  return wrap(x.backend, x.backend.gather(x, ax, index), x.dtype, index.shape);
}

/** Zeros of `shape`, then out[i][index[i][j]] += src[i][j] (axis 1): gather's adjoint. */
export function scatterAdd(
  shape: readonly number[],
  axis: number,
  index: Tensor,
  src: Tensor,
): Tensor {
  checkBackend('scatterAdd', [src, index]);
  const ax = normAxis('scatterAdd', axis, shape.length);
  checkIndex('scatterAdd', shape, ax, index);
  if (!sameShape(index.shape, src.shape))
    throw new ShapeError(
      'scatterAdd',
      `src ${fmtShape(src.shape)} and index ${fmtShape(index.shape)} differ`,
      'they must have one shape',
    );
  // bool adds as int32 (its counts)
  return withTemps((temps) => {
    const s = castTemp(src, src.dtype === 'bool' ? 'int32' : src.dtype, temps);
    return wrap(src.backend, src.backend.scatterAdd(s, ax, index, shape), s.dtype, shape);
  });
}

/** Joins tensors along an existing axis. */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError('concat', 'needs at least one tensor');
  checkBackend('concat', tensors);
  const first = tensors[0]!;
  const ax = normAxis('concat', axis, first.rank);
  for (const t of tensors)
    if (t.rank !== first.rank || t.shape.some((d, i) => i !== ax && d !== first.shape[i]))
      throw new ShapeError(
        'concat',
        `shapes ${tensors.map((u) => fmtShape(u.shape)).join(', ')} differ off axis ${ax}`,
        'all axes but the joined one must match',
      );
  const dtype = tensors.map((t) => t.dtype).reduce(promoteTypes);
  return withTemps((temps) => {
    const xs = tensors.map((t) => castTemp(t, dtype, temps));
    const { shape } = concatLayout(
      xs.map((x) => x.shape),
      ax,
    );
    checkSize('concat', shape);
    return wrap(first.backend, first.backend.concat(xs, ax), dtype, shape);
  });
}

/** Joins tensors along a new axis. */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError('stack', 'needs at least one tensor');
  const ax = normAxis('stack', axis, tensors[0]!.rank + 1);
  const views = tensors.map((t) => t.unsqueeze(ax));
  try {
    return concat(views, ax);
  } finally {
    for (const v of views) v.dispose();
  }
}

/** The running `op` along `axis`: cumsum keeps the dtype, cumprod computes int32 in float32. */
export function scanOp(op: ScanOp, x: Tensor, axis: number): Tensor {
  x.assertLive(op);
  const ax = normAxis(op, axis, Math.max(1, x.rank));
  if (x.rank === 0) {
    const flat = x.reshape([1]);
    const r = scanOp(op, flat, 0);
    flat.dispose();
    const out = r.reshape([]);
    r.dispose();
    return out;
  }
  return withTemps((temps) => {
    const input = isFloat(x.dtype)
      ? x
      : castTemp(x, SCAN[op].dtypes === 'float' ? 'float32' : 'int32', temps);
    return wrap(x.backend, x.backend.scan(op, input, ax), input.dtype, x.shape);
  });
}

/** int32 positions that sort `x` along `axis` (stable; NaN last, or first when `descending`). */
export function argsortOp(x: Tensor, axis: number, descending: boolean): Tensor {
  x.assertLive('argsort');
  if (x.rank === 0) return wrap(x.backend, x.backend.zeros('int32', 1), 'int32', []);
  const ax = normAxis('argsort', axis, x.rank);
  return withTemps((temps) => {
    const input = castTemp(x, x.dtype === 'bool' ? 'int32' : x.dtype, temps);
    return wrap(x.backend, x.backend.argsort(input, ax, descending), 'int32', x.shape);
  });
}

/** y = x·wᵀ + b, PyTorch's `F.linear`: x [..., in], w [out, in], b [out]. */
export function linear(x: Tensor, w: Tensor, b?: Tensor): Tensor {
  if (
    w.rank !== 2 ||
    x.rank < 1 ||
    x.shape[x.rank - 1] !== w.shape[1] ||
    (b && (b.rank !== 1 || b.shape[0] !== w.shape[0]))
  )
    throw new ShapeError(
      'linear',
      `input ${fmtShape(x.shape)}, weight ${fmtShape(w.shape)}${b ? `, bias ${fmtShape(b.shape)}` : ''} do not fit`,
      'weight is [out, in] with in = the last axis of the input, bias is [out]',
    );
  const k = x.backend.fused?.linear;
  if (k && x.rank === 2 && x.dtype === w.dtype && (!b || b.dtype === x.dtype) && isFloat(x.dtype)) {
    checkBackend('linear', b ? [x, w, b] : [x, w]);
    return wrap(x.backend, k(x, w, b ?? null), x.dtype, [x.shape[0]!, w.shape[0]!]);
  }
  const wt = w.transpose();
  const y = matmulOp(x, wt);
  wt.dispose();
  if (!b) return y;
  const out = binaryOp('add', y, b);
  y.dispose();
  return out;
}
