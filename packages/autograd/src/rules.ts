import {
  type ArithOp,
  type SliceSpec,
  type Tensor,
  type UnaryOp,
  type WindowOp,
  oneHot,
  sameShape,
  softmaxCrossEntropyGrad,
} from '@nablajs/tensor';
import { isGradEnabled } from './mode.js';
import { Variable, scatterAdd, unslice, where } from './variable.js';
import { type WindowParams, col2im, im2col, maxPoolGrad } from './window.js';

/** Every op the graph records; each has one gradient rule below. */
export type DiffOp =
  | UnaryOp
  | ArithOp
  | 'sum' | 'max' | 'min' | 'matmul' | 'reshape' | 'permute' | 'expand' | 'slice' | 'unslice'
  | 'linear' | 'softmaxCrossEntropy' | 'gather' | 'scatterAdd' | 'concat' | 'where' | 'cast'
  | WindowOp; // prettier-ignore

/** A local backward: from ∂L/∂out to ∂L/∂input for each input (null: no gradient flows there). */
// `params` is each rule's own record (axes, specs, index…), typed where the rule is written.
export type Rule = (
  g: Variable,
  inputs: Variable[],
  out: Variable,
  params: never,
  needs: boolean[],
) => (Variable | null)[];

/** Sums `g` over the axes that broadcasting added or stretched, back to `shape`. */
export function unbroadcast(g: Variable, shape: readonly number[]): Variable {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.rank - shape.length;
  const axes = g.shape.flatMap((d, i) =>
    i < lead || (shape[i - lead] === 1 && d !== 1) ? [i] : [],
  );
  return (axes.length ? g.sum(axes) : g).reshape(shape);
}

/** Local gradients of the unary primitives, written with differentiable ops (so they nest). */
const UNARY: Record<UnaryOp, ((g: Variable, x: Variable, y: Variable) => Variable) | null> = {
  neg: (g) => g.neg(),
  exp: (g, _x, y) => g.mul(y),
  log: (g, x) => g.div(x),
  sqrt: (g, _x, y) => g.div(y.mul(2)),
  abs: (g, x) => g.mul(x.sign()),
  sign: null,
  sigmoid: (g, _x, y) => g.mul(y.mul(y.neg().add(1))),
  tanh: (g, _x, y) => g.mul(y.square().neg().add(1)),
  relu: (g, x) => g.mul(x.step()),
  step: null,
  reciprocal: (g, _x, y) => g.mul(y.square()).neg(),
  square: (g, x) => g.mul(x.mul(2)),
  sin: (g, x) => g.mul(x.cos()),
  cos: (g, x) => g.mul(x.sin()).neg(),
  floor: null,
  ceil: null,
  log1p: (g, x) => g.div(x.add(1)),
  expm1: (g, _x, y) => g.mul(y.add(1)),
};

type Partial2 = (g: Variable, a: Variable, b: Variable, y: Variable) => Variable;

/** Local gradients of the arithmetic binary primitives (∂/∂a, ∂/∂b), before undoing broadcasting. */
const BINARY: Record<ArithOp, [Partial2, Partial2]> = {
  add: [(g) => g, (g) => g],
  sub: [(g) => g, (g) => g.neg()],
  mul: [(g, _a, b) => g.mul(b), (g, a) => g.mul(a)],
  div: [(g, _a, b) => g.div(b), (g, _a, b, y) => g.mul(y).div(b).neg()],
  // d/db a^b = a^b·ln a, taken as 0 where a = 0 (PyTorch's convention) so 0^b stays finite
  pow: [
    (g, a, b) => g.mul(b).mul(a.pow(b.sub(1))),
    (g, a, _b, y) => g.mul(where(a.data.eq(0), 0, y.mul(a.log()))),
  ],
  // ties split the gradient evenly, as in PyTorch
  maximum: [(g, a, b) => g.mul(winShare(a, b)), (g, a, b) => g.mul(winShare(b, a))],
  minimum: [(g, a, b) => g.mul(winShare(b, a)), (g, a, b) => g.mul(winShare(a, b))],
};

/** 1 where `w` beats `l`, ½ on ties, else 0: a constant mask. */
function winShare(w: Variable, l: Variable): Tensor {
  return w.data.gt(l.data).cast(w.dtype).add(w.data.eq(l.data).cast(w.dtype).mul(0.5));
}

/** ∂L/∂x for sum/max/min: the output gradient spread back over the reduced axes. */
function spread(g: Variable, x: Variable, p: { axes: number[]; keepDims: boolean }): Variable {
  const kept = x.shape.map((d, i) => (p.axes.includes(i) ? 1 : d));
  return g.reshape(kept).expand(x.shape);
}

function extremum(
  g: Variable,
  xs: Variable[],
  y: Variable,
  p: { axes: number[]; keepDims: boolean },
): Variable[] {
  const x = xs[0]!;
  const kept = x.shape.map((d, i) => (p.axes.includes(i) ? 1 : d));
  const mask = x.data.eq(y.data.reshape(kept)).cast(g.dtype);
  const count = mask.sum(p.axes, true);
  return [spread(g, x, p).mul(mask.div(count))];
}

const OTHER: Record<Exclude<DiffOp, UnaryOp | ArithOp>, Rule> = {
  sum: (g, [x], _y, p) => [spread(g, x!, p)],
  max: extremum,
  min: extremum,
  matmul: (g, [a, b], _y, _p, needs) => [
    needs[0] ? g.matmul(b!.transpose()) : null,
    needs[1] ? a!.transpose().matmul(g) : null,
  ],
  linear: (g, [x, w, b], _y, _p, needs) => {
    // batch axes of x fold into rows: ∂w = gᵀ·x over all of them, ∂b = Σ g
    const g2 = g.reshape([-1, w!.shape[0]!]);
    return [
      needs[0] ? g.matmul(w!) : null,
      needs[1] ? g2.transpose().matmul(x!.reshape([-1, w!.shape[1]!])) : null,
      b && needs[2] ? g2.sum(0) : null,
    ];
  },
  softmaxCrossEntropy: (g, [x], _y, labels: Tensor) => {
    // recorded (createGraph): composed of differentiable ops; otherwise the fused kernel
    if (isGradEnabled())
      return [
        x!
          .softmax(1)
          .sub(oneHot(labels, x!.shape[1]!, x!.dtype))
          .mul(g.unsqueeze(1)),
      ];
    return [new Variable(softmaxCrossEntropyGrad(x!.data, labels, g.data))];
  },
  reshape: (g, [x]) => [g.reshape(x!.shape)],
  permute: (g, _xs, _y, axes: number[]) => {
    const inverse = axes.map((_, i) => axes.indexOf(i));
    return [g.permute(...inverse)];
  },
  expand: (g, [x]) => [unbroadcast(g, x!.shape)],
  slice: (g, [x], _y, specs: SliceSpec[]) => [unslice(g, x!.shape, specs)],
  unslice: (g, _xs, _y, specs: SliceSpec[]) => [g.slice(specs)],
  gather: (g, [x], _y, p: { axis: number; index: Tensor }) => [
    scatterAdd(x!.shape, p.axis, p.index, g),
  ],
  scatterAdd: (g, _xs, _y, p: { axis: number; index: Tensor }) => [g.gather(p.axis, p.index)],
  concat: (g, xs, _y, axis: number) => {
    let at = 0;
    return xs.map((x) => {
      const specs: SliceSpec[] = x.shape.map((d, i) => (i === axis ? [at, at + d] : null));
      at += x.shape[axis]!;
      return g.slice(specs);
    });
  },
  where: (g, [a, b], _y, cond: Tensor, needs) => [
    needs[0] ? unbroadcast(where(cond, g, 0), a!.shape) : null,
    needs[1] ? unbroadcast(where(cond, 0, g), b!.shape) : null,
  ],
  cast: (g, [x]) => [x!.dtype === 'int32' ? null : g.cast(x!.dtype)],
  im2col: (g, _xs, _y, p: WindowParams) => [col2im(g, p.size, p.opts)],
  col2im: (g, _xs, _y, p: WindowParams) => [im2col(g, p.opts)],
  maxPool: (g, _xs, _y, p: WindowParams) => [maxPoolGrad(g, p.indices!, p.size, p.opts)],
  maxPoolGrad: (g, _xs, y, p: WindowParams) => {
    // the value at each window's argmax: a gather from the flattened planes
    const [N, C] = y.shape as [number, number];
    const at = p.indices!.reshape([N, C, -1]);
    return [g.reshape([N, C, -1]).gather(2, at).reshape(p.indices!.shape)];
  },
};

/** The gradient rule of every recorded op, in one table keyed by primitive. */
export const RULES: Record<DiffOp, Rule> = {
  ...(Object.fromEntries(
    Object.entries(UNARY).map(([op, f]) => [
      op,
      (g: Variable, [x]: Variable[], y: Variable) => [f ? f(g, x!, y) : null],
    ]),
  ) as unknown as Record<UnaryOp, Rule>),
  ...(Object.fromEntries(
    Object.entries(BINARY).map(([op, f]) => [
      op,
      (g: Variable, [a, b]: Variable[], y: Variable, _p: unknown, needs: boolean[]) =>
        f.map((d, i) => (needs[i] ? unbroadcast(d(g, a!, b!, y), (i ? b! : a!).shape) : null)),
    ]),
  ) as unknown as Record<ArithOp, Rule>),
  ...OTHER,
};
