import {
  type ActivationOp,
  activationGrad,
  type SliceSpec,
  type Tensor,
  arange,
  fusedLayerNormGrad,
  fusedSoftmaxGrad,
  isFloat,
  oneHot,
  type Primitives,
  sameShape,
  softmaxCrossEntropyGrad,
} from '@nablajs/tensor';
import { isGradEnabled } from './mode.js';
import { scatterAdd, unslice, where } from './functions.js';
import { Variable } from './variable.js';
import type { DiffOp, ReduceParams, Rule } from './params.js';
import { col2im, convGrads, im2col, maxPoolGrad } from './window.js';

/** Sums `g` over the axes that broadcasting added or stretched, back to `shape`. */
export function unbroadcast(g: Variable, shape: readonly number[]): Variable {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.rank - shape.length;
  const axes = g.shape.flatMap((d, i) =>
    i < lead || (shape[i - lead] === 1 && d !== 1) ? [i] : [],
  );
  return (axes.length ? g.sum(axes) : g).reshape(shape);
}

/** A unary rule from its local gradient, written with differentiable ops (so that rules nest). */
const unary =
  (d: (g: Variable, x: Variable, y: Variable) => Variable) =>
  (g: Variable, [x]: Variable[], y: Variable) => [d(g, x!, y)];

/** The rule of a piecewise-constant op (sign, floor): its gradient is zero wherever it exists. */
export const piecewiseConstant = (_g: Variable, xs: Variable[]): null[] => xs.map(() => null);

/** An activation's rule: `composed` when recording (createGraph), otherwise one fused kernel. */
const activation = (
  op: ActivationOp,
  composed: (g: Variable, x: Variable, y: Variable) => Variable,
) =>
  unary((g, x, y) =>
    isGradEnabled() ? composed(g, x, y) : new Variable(activationGrad(op, y.data, g.data)),
  );

type Partial2 = (g: Variable, a: Variable, b: Variable, y: Variable) => Variable;

/** `g` summed back over broadcasting to `x`'s shape, in `x`'s dtype (a float64 0-d operand of a
 * float32 result gets a float64 gradient, as in PyTorch). */
const fit = (g: Variable, x: Variable): Variable => unbroadcast(g, x.shape).cast(x.dtype);

/** An arithmetic rule from its local gradients (∂/∂a, ∂/∂b), each summed back over broadcasting. */
const binary =
  (...ds: [Partial2, Partial2]) =>
  (g: Variable, [a, b]: Variable[], y: Variable, needs: boolean[]) =>
    ds.map((d, i) => (needs[i] ? fit(d(g, a!, b!, y), i ? b! : a!) : null));

/** 1 where `w` beats `l`, ½ on ties, else 0: a constant mask. */
function winShare(w: Variable, l: Variable): Tensor {
  return w.data.gt(l.data).cast(w.dtype).add(w.data.eq(l.data).cast(w.dtype).mul(0.5));
}

/** ∂L/∂x for sum/max/min: the output gradient spread back over the reduced axes. */
function spread(g: Variable, x: Variable, p: ReduceParams): Variable {
  const kept = x.shape.map((d, i) => (p.axes.includes(i) ? 1 : d));
  return g.reshape(kept).expand(x.shape);
}

/**
 * ∂x, ∂w and ∂b (with `bias`) of y = x·wᵀ + b, written once for Tensors and Variables. The batch
 * axes of x fold into rows: ∂w = gᵀ·x over all of them, ∂b = Σ g (rows counted, not -1: reshape
 * cannot infer a -1 beside a 0, as for Linear(0, n)).
 */
function linearGrads<T extends Primitives<T>>(
  g: T,
  x: T,
  w: T,
  needs: boolean[],
  bias: boolean,
): (T | null)[] {
  const rows = x.shape.slice(0, -1).reduce((a, d) => a * d, 1);
  const g2 = g.reshape([rows, w.shape[0]!]);
  return [
    needs[0] ? g.matmul(w) : null,
    needs[1] ? g2.permute(1, 0).matmul(x.reshape([rows, w.shape[1]!])) : null,
    bias && needs[2] ? g2.sum(0) : null,
  ];
}

/** The rule of max (`argmax`) or min (`argmin`): to the selected index along one axis, or split
 * evenly between the extreme entries (as PyTorch's amax). */
const extremum =
  (arg: 'argmax' | 'argmin') =>
  (g: Variable, xs: Variable[], y: Variable, _needs: boolean[], p: ReduceParams): Variable[] => {
    const x = xs[0]!;
    const kept = x.shape.map((d, i) => (p.axes.includes(i) ? 1 : d));
    if (p.select) {
      const axis = p.axes[0]!;
      return [scatterAdd(x.shape, axis, x.data[arg](axis, true), g.reshape(kept))];
    }
    const mask = x.data.eq(y.data.reshape(kept)).cast(g.dtype);
    const count = mask.sum(p.axes, true);
    return [spread(g, x, p).mul(mask.div(count))];
  };

/**
 * The gradient of y = cumprod(x) along `axis`: Σ_{j ≥ i} g_j·∂y_j/∂x_i. Where x has no zero (known
 * on a synchronous backend) that is revcumsum(g·y)/x, O(n); otherwise, as PyTorch, the exact
 * O(n²) form: ∂y_j/∂x_i = Π_{k ≤ j, k ≠ i} x_k, a cumprod of x with x_i replaced by 1, per i.
 */
function cumprodGrad(g: Variable, x: Variable, y: Variable, axis: number): Variable {
  if (x.rank === 0) return g;
  const t = x.data;
  const zeroFree = t.backend.readSync !== undefined && !t.eq(0).any().dataSync()[0];
  if (zeroFree) return g.mul(y).flip(axis).cumsum(axis).flip(axis).div(x);
  const n = x.shape[axis]!;
  // the axis last, then a new axis i before it: m[..., i, k] = (k = i ? 1 : x_k)
  const order = [...x.shape.keys()].filter((a) => a !== axis).concat(axis);
  const xl = x.permute(...order);
  const gl = g.permute(...order);
  const eye = arange(n, undefined, 1, { backend: t.backend });
  const diag = eye.reshape([n, 1]).eq(eye.reshape([1, n]));
  const m = where(diag, 1, xl.unsqueeze(-2).expand([...xl.shape.slice(0, -1), n, n]));
  const upper = eye
    .reshape([n, 1])
    .le(eye.reshape([1, n]))
    .cast(x.dtype); // j ≥ i
  const d = m.cumprod(-1).mul(upper).mul(gl.unsqueeze(-2)).sum(-1);
  const back = order.map((_, i) => order.indexOf(i));
  return d.permute(...back);
}

/** erf′(x) = 2/√π·e^(−x²). */
const gaussian = (x: Variable): Variable =>
  x
    .square()
    .neg()
    .exp()
    .mul(2 / Math.sqrt(Math.PI));

/** φ(x) = e^(−x²/2)/√(2π), the standard normal density. */
const normalDensity = (x: Variable): Variable =>
  x
    .square()
    .mul(-0.5)
    .exp()
    .mul(1 / Math.sqrt(2 * Math.PI));

/** The gradient rule of every recorded op, in one table keyed by primitive. */
export const RULES: { [K in DiffOp]: Rule<K> } = {
  neg: unary((g) => g.neg()),
  exp: unary((g, _x, y) => g.mul(y)),
  log: unary((g, x) => g.div(x)),
  sqrt: unary((g, _x, y) => g.div(y.mul(2))),
  abs: unary((g, x) => g.mul(x.sign())),
  sign: piecewiseConstant,
  sigmoid: activation('sigmoid', (g, _x, y) => g.mul(y.mul(y.neg().add(1)))),
  tanh: activation('tanh', (g, _x, y) => g.mul(y.square().neg().add(1))),
  relu: activation('relu', (g, _x, y) => where(y.data.le(0), 0, g)), // threshold_backward
  step: piecewiseConstant,
  reciprocal: unary((g, _x, y) => g.mul(y.square()).neg()),
  square: unary((g, x) => g.mul(x.mul(2))),
  sin: unary((g, x) => g.mul(x.cos())),
  cos: unary((g, x) => g.mul(x.sin()).neg()),
  floor: piecewiseConstant,
  ceil: piecewiseConstant,
  log1p: unary((g, x) => g.div(x.add(1))),
  expm1: unary((g, _x, y) => g.mul(y.add(1))),
  softsign: unary((g, x) => g.div(x.abs().add(1).square())),
  erf: unary((g, x) => g.mul(gaussian(x))),
  gelu: unary((g, x) => g.mul(x.geluGrad())),
  // (Φ + x·φ)′ = φ·(2 − x²)
  geluGrad: unary((g, x) => g.mul(normalDensity(x).mul(x.square().neg().add(2)))),

  add: binary(
    (g) => g,
    (g) => g,
  ),
  sub: binary(
    (g) => g,
    (g) => g.neg(),
  ),
  mul: binary(
    (g, _a, b) => g.mul(b),
    (g, a) => g.mul(a),
  ),
  div: binary(
    (g, _a, b) => g.div(b),
    (g, _a, b, y) => g.mul(y).div(b).neg(),
  ),
  // d/db a^b = a^b·ln a, taken as 0 where a = 0 (PyTorch's convention) so 0^b stays finite
  // d/da a^b = b·a^(b−1), taken as 0 where b = 0 (PyTorch's convention) so 0^0 has gradient 0
  pow: binary(
    (g, a, b) => where(b.data.eq(0), 0, g.mul(b).mul(a.pow(b.sub(1)))),
    (g, a, _b, y) => g.mul(where(a.data.eq(0), 0, y.mul(a.log()))),
  ),
  // ties split the gradient evenly, as in PyTorch
  maximum: binary(
    (g, a, b) => g.mul(winShare(a, b)),
    (g, a, b) => g.mul(winShare(b, a)),
  ),
  minimum: binary(
    (g, a, b) => g.mul(winShare(b, a)),
    (g, a, b) => g.mul(winShare(a, b)),
  ),
  atan2: binary(
    (g, a, b) => g.mul(b).div(a.square().add(b.square())),
    (g, a, b) => g.mul(a).neg().div(a.square().add(b.square())),
  ),

  sum: (g, [x], _y, _needs, p) => [spread(g, x!, p)],
  max: extremum('argmax'),
  min: extremum('argmin'),
  matmul: (g, [a, b], _y, needs) => [
    needs[0] ? g.matmul(b!.transpose()) : null,
    needs[1] ? a!.transpose().matmul(g) : null,
  ],
  linear: (g, [x, w, b], _y, needs) => {
    // recorded (createGraph): on the Variables; otherwise on their Tensors, past Variable's layer
    if (isGradEnabled()) return linearGrads(g, x!, w!, needs, b !== undefined);
    return linearGrads(g.data, x!.data, w!.data, needs, b !== undefined).map(
      (t) => t && new Variable(t),
    );
  },
  softmaxCrossEntropy: (g, [x], _y, _needs, { labels, reduction }) => {
    // each row's weight: g itself, or a reduced loss's g (divided by N for the mean) on every row
    const N = x!.shape[0]!;
    const rows = reduction === 'none' ? g : (reduction === 'mean' ? g.div(N) : g).expand([N]);
    // recorded (createGraph): composed of differentiable ops; otherwise the fused kernel
    if (isGradEnabled())
      return [
        x!
          .softmax(1)
          .sub(oneHot(labels, x!.shape[1]!, x!.dtype))
          .mul(rows.unsqueeze(1)),
      ];
    return [new Variable(softmaxCrossEntropyGrad(x!.data, labels, rows.data))];
  },
  reshape: (g, [x]) => [g.reshape(x!.shape)],
  permute: (g, _xs, _y, _needs, axes) => {
    const inverse = axes.map((_, i) => axes.indexOf(i));
    return [g.permute(...inverse)];
  },
  expand: (g, [x]) => [unbroadcast(g, x!.shape)],
  slice: (g, [x], _y, _needs, specs) => [unslice(g, x!.shape, specs)],
  unslice: (g, _xs, _y, _needs, specs) => [g.slice(specs)],
  gather: (g, [x], _y, _needs, p) => [scatterAdd(x!.shape, p.axis, p.index, g)],
  scatterAdd: (g, _xs, _y, _needs, p) => [g.gather(p.axis, p.index)],
  concat: (g, xs, _y, _needs, axis) => {
    let at = 0;
    return xs.map((x) => {
      const specs: SliceSpec[] = x.shape.map((d, i) => (i === axis ? [at, at + d] : null));
      at += x.shape[axis]!;
      return g.slice(specs);
    });
  },
  where: (g, [a, b], _y, needs, cond) => [
    needs[0] ? fit(where(cond, g, 0), a!) : null,
    needs[1] ? fit(where(cond, 0, g), b!) : null,
  ],
  cast: (g, [x]) => [isFloat(x!.dtype) ? g.cast(x!.dtype) : null],
  // ∂/∂x_i = Σ_{j ≥ i} g_j: the running sum of g from the end
  cumsum: (g, _xs, _y, _needs, axis) => [g.rank ? g.flip(axis).cumsum(axis).flip(axis) : g],
  cumprod: (g, [x], y, _needs, axis) => [cumprodGrad(g, x!, y, axis)],
  clamp: (g, [x], _y, _needs, { min, max }) => {
    // 1 inside [min, max], bounds included (PyTorch); 0 outside and at NaN
    const inside = [
      min === undefined ? null : x!.data.ge(min),
      max === undefined ? null : x!.data.le(max),
    ];
    const mask = inside.reduce<Tensor | null>((m, c) => (c === null ? m : m ? m.mul(c) : c), null);
    return [mask ? g.mul(mask.cast(g.dtype)) : g];
  },
  im2col: (g, _xs, _y, _needs, p) => [col2im(g, p.size, p.opts)],
  col2im: (g, _xs, _y, _needs, p) => [im2col(g, p.opts)],
  maxPool: (g, _xs, _y, _needs, p) => [maxPoolGrad(g, p.indices, p.size, p.opts)],
  // one fused kernel, or composed of differentiable ops when recorded (createGraph)
  conv: (g, xs, _y, needs, opts) => convGrads(g, xs, needs, opts),
  maxPoolGrad: (g, _xs, y, _needs, p) => {
    // the value at each window's argmax: a gather from the flattened planes
    const [N, C] = y.shape as [number, number];
    const at = p.indices.reshape([N, C, -1]);
    return [g.reshape([N, C, -1]).gather(2, at).reshape(p.indices.shape)];
  },
  // recorded (createGraph): composed of differentiable ops; otherwise one fused kernel
  fusedSoftmax: (g, _xs, y) => {
    if (isGradEnabled()) return [y.mul(g.sub(g.mul(y).sum(-1, true)))];
    return [new Variable(fusedSoftmaxGrad(y.data, g.data))];
  },
  fusedLayerNorm: (g, [x], y, _needs, eps) => {
    if (!isGradEnabled()) return [new Variable(fusedLayerNormGrad(x!.data, g.data, eps))];
    // y = x̂ = (x − mean)·rstd: dx = rstd·(g − mean(g) − x̂·mean(g·x̂))
    const d = x!.sub(x!.mean(-1, true));
    const rstd = d.square().mean(-1, true).add(eps).sqrt().reciprocal();
    return [
      g
        .sub(g.mean(-1, true))
        .sub(y.mul(g.mul(y).mean(-1, true)))
        .mul(rstd),
    ];
  },
};
