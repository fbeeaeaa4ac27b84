import { FunctionNode, Variable, col2im, im2col, isGradEnabled } from '@nablajs/autograd';
import { type WindowOptions, conv, convGrad } from '@nablajs/tensor';

/**
 * A convolution of one group as one node of the graph: forward and backward run `conv` and
 * `convGrad` of @nablajs/tensor (one kernel each where the backend has them: the CPU backend keeps
 * the columns in WebAssembly memory), instead of im2col, a matmul and a bias add as three nodes with
 * the columns and the sum as tensors in between. When a graph of the gradient is being built
 * (`createGraph`), backward composes differentiable ops instead (im2col, matmul, col2im), so
 * convolutions stay differentiable to any order.
 */
export function convNode(
  x: Variable,
  w: Variable,
  b: Variable | undefined,
  window: WindowOptions,
): Variable {
  const out = new Variable(conv(x.data, w.data, b?.data ?? null, window));
  const inputs = b ? [x, w, b] : [x, w];
  if (isGradEnabled() && inputs.some((v) => v.requiresGrad)) {
    out.requiresGrad = true;
    out.gradFn = new FunctionNode('conv', inputs, out, window, (g, [xi, wi], _y, needs) => {
      const [nx, nw, nb] = [needs[0]!, needs[1]!, needs[2] ?? false];
      if (isGradEnabled()) return recordedGrads(g, xi!, wi!, window, [nx, nw, nb], !!b);
      const [dx, dw, db] = convGrad(xi!.data, wi!.data, g.data, window, [nx, nw, nb]);
      const grads = [dx && new Variable(dx), dw && new Variable(dw)];
      return b ? [...grads, db && new Variable(db)] : grads;
    });
  }
  return out;
}

/** The gradients as differentiable ops (recorded when building a graph of the gradient). */
function recordedGrads(
  g: Variable,
  x: Variable,
  w: Variable,
  window: WindowOptions,
  [nx, nw, nb]: [boolean, boolean, boolean],
  bias: boolean,
): (Variable | null)[] {
  const [N, O] = [x.shape[0]!, w.shape[0]!];
  const g2 = g.reshape([N, O, -1]); // [N, O, L]
  const wm = w.reshape([O, -1]); // [O, C·K]
  const dx = nx ? col2im(wm.transpose().matmul(g2), x.shape.slice(2), window) : null;
  const dw = nw ? g2.matmul(im2col(x, window).transpose()).sum(0).reshape(w.shape) : null;
  const grads = [dx, dw];
  return bias ? [...grads, nb ? g2.sum([0, 2]) : null] : grads;
}
