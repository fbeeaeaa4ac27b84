import { isFloat } from './dtype.js';
import { ShapeError, fmtShape } from './errors.js';
import { checkBackend, wrap } from './math.js';
import { sizeOf } from './shape.js';
import type { Tensor } from './tensor.js';
import { type WindowOptions, col2im, im2col, windowGeometry } from './window.js';

// A convolution of one group and its gradients, in one kernel where the backend has one
// (`FusedKernels.conv`, `convGrad`: the CPU backend keeps the columns in WebAssembly memory between
// im2col and the matmuls), otherwise composed of im2col, matmul and col2im. Tensors only: the
// differentiable convolution (`conv2d` of @nablajs/nn) records one node whose backward calls
// `convGrad`, or composes differentiable ops when a graph of the gradient is being built.

/** Checks x [N, C, ...input], w [O, C, ...kernel], b [O] and gives the geometry and sizes. */
function convShapes(op: string, x: Tensor, w: Tensor, b: Tensor | null, opts: WindowOptions) {
  const d = x.rank - 2;
  if (
    d < 1 ||
    w.rank !== x.rank ||
    w.shape[1] !== x.shape[1] ||
    (b && (b.rank !== 1 || b.shape[0] !== w.shape[0])) ||
    !isFloat(x.dtype) ||
    w.dtype !== x.dtype ||
    (b && b.dtype !== x.dtype)
  )
    throw new ShapeError(
      op,
      `input ${fmtShape(x.shape)} ${x.dtype}, weight ${fmtShape(w.shape)} ${w.dtype}${b ? `, bias ${fmtShape(b.shape)} ${b.dtype}` : ''} do not fit`,
      'float input [N, C, ...spatial], weight [out, C, ...kernel], bias [out], one dtype',
    );
  const window = { ...opts, kernelSize: w.shape.slice(2) };
  const g = windowGeometry(op, x.shape.slice(2), window);
  const [N, C, O] = [x.shape[0]!, x.shape[1]!, w.shape[0]!];
  return { g, window, N, O, CK: C * sizeOf(g.kernel), L: sizeOf(g.output) };
}

/**
 * A convolution (cross-correlation) of one group: x [N, C, ...input] with w [O, C, ...kernel], the
 * window options' stride, padding and dilation (their kernelSize is w's), plus b [O] per output
 * channel; gives [N, O, ...output].
 */
export function conv(x: Tensor, w: Tensor, b: Tensor | null, opts: WindowOptions): Tensor {
  checkBackend('conv', b ? [x, w, b] : [x, w]);
  const { g, window, N, O, CK } = convShapes('conv', x, w, b, opts);
  const shape = [N, O, ...g.output];
  const out = x.backend.fused?.conv?.(x, w, b, g);
  if (out) return wrap(x.backend, out, x.dtype, shape);
  const cols = im2col(x, window);
  const wm = w.reshape([O, CK]);
  const y = wm.matmul(cols);
  const bias = b?.reshape([O, 1]);
  const yb = bias ? y.add(bias) : y;
  const result = yb.reshape(shape);
  for (const t of [cols, wm, y, bias, yb]) if (t && t !== result) t.dispose();
  return result;
}

/**
 * The gradients of `conv` from gy [N, O, ...output] (∂L/∂y): [∂x, ∂w, ∂b], each where `needs`
 * asks for it, null elsewhere.
 */
export function convGrad(
  x: Tensor,
  w: Tensor,
  gy: Tensor,
  opts: WindowOptions,
  needs: readonly [boolean, boolean, boolean],
): [Tensor | null, Tensor | null, Tensor | null] {
  checkBackend('convGrad', [x, w, gy]);
  const { g, window, N, O, CK, L } = convShapes('convGrad', x, w, null, opts);
  const want = [N, O, ...g.output];
  if (gy.dtype !== x.dtype || gy.shape.length !== want.length || gy.shape.some((n, i) => n !== want[i]))
    throw new ShapeError('convGrad', `gradient ${fmtShape(gy.shape)} ${gy.dtype} is not ${fmtShape(want)} ${x.dtype}`); // prettier-ignore
  const k = x.backend.fused?.convGrad?.(x, w, gy, g, needs);
  if (k) {
    const [dx, dw, db] = k;
    return [
      dx ? wrap(x.backend, dx, x.dtype, x.shape) : null,
      dw ? wrap(x.backend, dw, x.dtype, w.shape) : null,
      db ? wrap(x.backend, db, x.dtype, [O]) : null,
    ];
  }
  const g2 = gy.reshape([N, O, L]);
  const temps: Tensor[] = [g2];
  let dx: Tensor | null = null;
  let dw: Tensor | null = null;
  if (needs[0]) {
    const wt = w.reshape([O, CK]).transpose();
    const dcols = wt.matmul(g2); // [N, CK, L]
    dx = col2im(dcols, x.shape.slice(2), window);
    temps.push(wt, dcols);
  }
  if (needs[1]) {
    const cols = im2col(x, window);
    const colsT = cols.transpose();
    const per = g2.matmul(colsT); // [N, O, CK]
    const sum = per.sum(0);
    dw = sum.reshape(w.shape);
    temps.push(cols, colsT, per, sum);
  }
  const db = needs[2] ? g2.sum([0, 2]) : null;
  for (const t of temps) if (t !== dx && t !== dw && t !== db) t.dispose();
  return [dx, dw, db];
}
