// Every differentiable op, checked against central finite differences in float64 on the CPU
// backend: one row per case, and a coverage test that fails when RULES gains an op without a row.
import { cpu } from '@nablajs/backend-cpu';
import {
  ARITH_OPS,
  type ArithOp,
  type Tensor,
  UNARY_OPS,
  type UnaryOp,
  einsum,
  tensor,
  useBackend,
} from '@nablajs/tensor';
import { describe, expect, test } from 'vitest';
import {
  type DiffOp,
  GradcheckError,
  type GradcheckOptions,
  RULES,
  Variable,
  concat,
  customFunction,
  gradcheck,
  col2im,
  gradgradcheck,
  graphOf,
  conv,
  im2col,
  fusedLayerNorm,
  fusedSoftmax,
  linear,
  maxPool,
  maxPoolGrad,
  softmaxCrossEntropy,
  scatterAdd,
  stack,
  unslice,
  variable,
  where,
} from './index.js';
import { piecewiseConstant } from './rules.js';

useBackend(cpu());

// ---- inputs: values from a fixed PRNG in a domain that keeps away from kinks, in several layouts

/** Unions of intervals the values are drawn from. */
const DOMAINS = {
  any: [[-1.5, 1.5]],
  pos: [[0.5, 2]],
  away0: [[-1.5, -0.3], [0.3, 1.5]], // abs, relu, sign, step, reciprocal, denominators
  far: [[-2, -1], [1, 2]], // maximum/minimum against `small`: never a tie
  small: [[-0.5, 0.5]],
  frac: [[-1.8, -1.2], [-0.8, -0.2], [0.2, 0.8], [1.2, 1.8]], // floor/ceil: away from integers
  clampSafe: [[-1.5, -0.7], [-0.3, 0.3], [0.7, 1.5]], // clamp(-0.5, 0.5): away from the bounds
  zeros: [[0, 0], [0, 0], [0.5, 1.5], [-1.5, -0.5]], // exact zeros half of the time (cumprod)
} as const; // prettier-ignore
type Domain = keyof typeof DOMAINS;

/** mulberry32: a tiny deterministic generator, independent of the library's own RNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function draw(n: number, domain: Domain, seed: number): Float64Array {
  const r = prng(seed);
  const parts = DOMAINS[domain];
  return Float64Array.from({ length: n }, () => {
    const [lo, hi] = parts[Math.floor(r() * parts.length)]!;
    return lo + (hi - lo) * r();
  });
}

/** How the leaf's tensor is laid out: its values are the same kind, its strides differ. */
type Layout = 'contiguous' | 'transposed' | 'stepped' | 'expanded';

interface In {
  shape: number[];
  domain?: Domain;
  layout?: Layout;
  /** false: a constant input (requiresGrad false). */
  grad?: boolean;
}

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

function makeInput(spec: In, seed: number): Variable {
  const { shape, domain = 'any', layout = 'contiguous', grad = true } = spec;
  const f64 = (s: number[]) => tensor(draw(size(s), domain, seed), { shape: s, dtype: 'float64' });
  let t: Tensor;
  const r = shape.length;
  if (layout === 'transposed') {
    // stored with the last two axes swapped, viewed back through transpose()
    t = f64([...shape.slice(0, -2), shape[r - 1]!, shape[r - 2]!]).transpose();
  } else if (layout === 'stepped') {
    // every other element of a last axis twice as long, starting at 1: stride 2, offset 1
    t = f64([...shape.slice(0, -1), 2 * shape[r - 1]! + 1]).slice([
      ...shape.slice(0, -1).map(() => null),
      [1, undefined, 2],
    ]);
  } else if (layout === 'expanded') {
    // the first axis broadcast from size 1: stride 0
    t = f64([1, ...shape.slice(1)]).expand(shape);
  } else t = f64(shape);
  expect(t.shape).toEqual(shape);
  if (layout !== 'contiguous') expect(isRowMajor(t)).toBe(false);
  return variable(t, { requiresGrad: grad });
}

function isRowMajor(t: Tensor): boolean {
  let expected = 1;
  for (let i = t.rank - 1; i >= 0; i--) {
    if (t.shape[i]! > 1 && t.strides[i] !== expected) return false;
    expected *= t.shape[i]!;
  }
  return true;
}

// ---- the table

interface Row {
  /** The primitive this row is about: the coverage test checks the graph records it. */
  op: DiffOp;
  name: string;
  inputs: In[];
  fn: (...xs: Variable[]) => Variable;
  /** Also check second derivatives (gradgradcheck). */
  gg?: boolean;
  opts?: GradcheckOptions;
}

const TOL: GradcheckOptions = { atol: 1e-7, rtol: 1e-6 };
const STRIDED: Layout[] = ['transposed', 'stepped', 'expanded'];

/** Where each unary op's inputs come from: away from its kinks, poles and the edge of its domain. */
const UNARY_DOMAIN: Record<UnaryOp, Domain> = {
  neg: 'any', exp: 'any', log: 'pos', sqrt: 'pos', abs: 'away0', sign: 'away0', sigmoid: 'any',
  tanh: 'any', relu: 'away0', step: 'away0', reciprocal: 'away0', square: 'any', sin: 'any',
  cos: 'any', floor: 'frac', ceil: 'frac', log1p: 'pos', expm1: 'any', softsign: 'away0',
  erf: 'any', gelu: 'any', geluGrad: 'any',
}; // prettier-ignore

/** Ops whose gradient is zero wherever it exists: gradchecked, but they have no second derivative. */
const isPiecewiseConstant = (op: DiffOp) => RULES[op] === piecewiseConstant;

// each op on a contiguous input (with second derivatives) and on one strided layout, in turn
const unaryRows: Row[] = UNARY_OPS.flatMap((op, i) =>
  (['contiguous', STRIDED[i % STRIDED.length]!] as const).map((layout) => ({
    op,
    name: `${op} ${layout}`,
    inputs: [{ shape: [2, 3], domain: UNARY_DOMAIN[op], layout }],
    fn: (x: Variable) => x[op](),
    gg: layout === 'contiguous' && !isPiecewiseConstant(op),
  })),
);

/** Where each binary op's operands come from (a, b). */
const BINARY_DOMAIN: Record<ArithOp, [Domain, Domain]> = {
  add: ['any', 'any'],
  sub: ['any', 'any'],
  mul: ['any', 'any'],
  div: ['any', 'away0'],
  pow: ['pos', 'any'],
  maximum: ['far', 'small'], // never a tie
  minimum: ['far', 'small'],
  atan2: ['away0', 'any'], // a ≠ 0: off the branch cut (a = 0, b < 0) and the pole
};
// prettier-ignore
const BIN_SHAPES: { label: string; a: In; b: In }[] = [
  { label: '[2,3] op [2,3]', a: { shape: [2, 3] }, b: { shape: [2, 3] } },
  { label: '[2,3] op [3]', a: { shape: [2, 3] }, b: { shape: [3] } },
  { label: '[2,1] op [1,3]', a: { shape: [2, 1] }, b: { shape: [1, 3] } },
  { label: '[] op [2,3]', a: { shape: [] }, b: { shape: [2, 3] } },
  { label: 'transposed op stepped', a: { shape: [3, 2], layout: 'transposed' }, b: { shape: [3, 2], layout: 'stepped' } },
  { label: 'expanded op [2,3] (b constant)', a: { shape: [2, 3], layout: 'expanded' }, b: { shape: [2, 3], grad: false } },
];
const binaryRows: Row[] = ARITH_OPS.flatMap((op) =>
  BIN_SHAPES.map(({ label, a, b }) => {
    const [da, db] = BINARY_DOMAIN[op];
    return {
      op,
      name: `${op} ${label}`,
      inputs: [
        { ...a, domain: da },
        { ...b, domain: db },
      ],
      fn: (x: Variable, y: Variable) => x[op](y),
      gg: label === '[2,1] op [1,3]',
    };
  }),
);

/** How many exact zeros the cumprod row's input held at each call (the unperturbed calls have several). */
const ZEROS_SEEN: number[] = [];
const i32 = (data: number[][]) => tensor(data, { dtype: 'int32' });
const ROW0 = tensor([[1, 1, 1], [0, 0, 0]], { dtype: 'float64' }); // prettier-ignore
// the argmax of a 2×2, stride 2, padding 1 pooling of a [1,2,4,4] input: windows share elements
const POOL_ARGMAX = maxPool(
  variable(tensor([[[[3, 1, 0, 2], [0, 4, 1, 1], [2, 2, 5, 0], [1, 0, 3, 3]], [[0, 0, 1, 0], [0, 0, 0, 0], [2, 0, 0, 0], [0, 0, 0, 7]]]], { dtype: 'float64' })),
  { kernelSize: 2, padding: 1, stride: 2 },
)[1]; // prettier-ignore
const POOL_WEIGHT = tensor(Array.from({ length: 32 }, (_, i) => 1 + i / 10), { shape: [1, 2, 4, 4], dtype: 'float64' }); // prettier-ignore
const COND = tensor([[1, 0, 1], [0, 0, 1]], { dtype: 'int32' }).ne(0); // prettier-ignore

// One row per line: a table reads better than what a formatter makes of it.
// prettier-ignore
const otherRows: Row[] = [
  // scalar operands (lifted to constants)
  { op: 'pow', name: 'pow scalar exponent, negative base', inputs: [{ shape: [2, 3] }], fn: (x) => x.pow(3), gg: true },
  { op: 'pow', name: 'pow scalar base', inputs: [{ shape: [2, 3] }], fn: (x) => variable(tensor(1.7, { dtype: 'float64' })).pow(x), gg: true },
  { op: 'sub', name: 'number minus variable', inputs: [{ shape: [3] }], fn: (x) => variable(tensor(2, { dtype: 'float64' })).sub(x), gg: true },
  // reductions
  { op: 'sum', name: 'sum all', inputs: [{ shape: [2, 3] }], fn: (x) => x.sum(), gg: true },
  { op: 'sum', name: 'sum axis 1', inputs: [{ shape: [2, 3, 2] }], fn: (x) => x.sum(1), gg: true },
  { op: 'sum', name: 'sum axes [0,2] keepDims, transposed', inputs: [{ shape: [2, 2, 3], layout: 'transposed' }], fn: (x) => x.sum([0, 2], true), gg: true },
  { op: 'sum', name: 'sum axis -1, expanded', inputs: [{ shape: [3, 4], layout: 'expanded' }], fn: (x) => x.sum(-1), gg: true },
  { op: 'max', name: 'max all', inputs: [{ shape: [2, 3] }], fn: (x) => x.max(), gg: true },
  { op: 'max', name: 'max axis 0 keepDims, stepped', inputs: [{ shape: [3, 2], layout: 'stepped' }], fn: (x) => x.max(0, true), gg: true },
  { op: 'min', name: 'min axis 1', inputs: [{ shape: [2, 3] }], fn: (x) => x.min(1), gg: true },
  { op: 'min', name: 'min axes [0,1], transposed', inputs: [{ shape: [2, 3, 4], layout: 'transposed' }], fn: (x) => x.min([0, 1]) },
  // matmul: plain, batched, broadcast batch axes, 1-D operands, strided operands
  { op: 'matmul', name: 'matmul [2,3]@[3,4]', inputs: [{ shape: [2, 3] }, { shape: [3, 4] }], fn: (a, b) => a.matmul(b), gg: true },
  { op: 'matmul', name: 'matmul batched [2,2,2]@[2,2,1]', inputs: [{ shape: [2, 2, 2] }, { shape: [2, 2, 1] }], fn: (a, b) => a.matmul(b), gg: true },
  { op: 'matmul', name: 'matmul broadcast batch [2,1,2,3]@[3,3,2]', inputs: [{ shape: [2, 1, 2, 3] }, { shape: [3, 3, 2] }], fn: (a, b) => a.matmul(b) },
  { op: 'matmul', name: 'matmul [2,3]@[3] (matrix-vector)', inputs: [{ shape: [2, 3] }, { shape: [3] }], fn: (a, b) => a.matmul(b), gg: true },
  { op: 'matmul', name: 'matmul [3]@[3,2] (vector-matrix)', inputs: [{ shape: [3] }, { shape: [3, 2] }], fn: (a, b) => a.matmul(b), gg: true },
  { op: 'matmul', name: 'matmul [3]@[3] (dot)', inputs: [{ shape: [3] }, { shape: [3] }], fn: (a, b) => a.matmul(b), gg: true },
  { op: 'matmul', name: 'matmul [2,3,4]@[4] (batched matrix-vector)', inputs: [{ shape: [2, 3, 4] }, { shape: [4] }], fn: (a, b) => a.matmul(b) },
  { op: 'matmul', name: 'matmul transposed@stepped', inputs: [{ shape: [2, 3], layout: 'transposed' }, { shape: [3, 2], layout: 'stepped' }], fn: (a, b) => a.matmul(b), gg: true },
  { op: 'matmul', name: 'matmul expanded@constant', inputs: [{ shape: [2, 3], layout: 'expanded' }, { shape: [3, 2], grad: false }], fn: (a, b) => a.matmul(b) },
  { op: 'matmul', name: 'matmul x·Wᵀ', inputs: [{ shape: [2, 3] }, { shape: [2, 3] }], fn: (x, w) => x.matmul(w.transpose()), gg: true },
  // softmax cross-entropy (fused), labels fixed
  { op: 'softmaxCrossEntropy', name: 'softmaxCrossEntropy [3,4]', inputs: [{ shape: [3, 4] }], fn: (x) => softmaxCrossEntropy(x, tensor([2, 0, 3], { dtype: 'int32' })), gg: true },
  { op: 'softmaxCrossEntropy', name: 'softmaxCrossEntropy [3,4] mean', inputs: [{ shape: [3, 4] }], fn: (x) => softmaxCrossEntropy(x, tensor([2, 0, 3], { dtype: 'int32' }), 'mean'), gg: true },
  { op: 'softmaxCrossEntropy', name: 'softmaxCrossEntropy [3,4] sum', inputs: [{ shape: [3, 4] }], fn: (x) => softmaxCrossEntropy(x, tensor([1, 3, 3], { dtype: 'int32' }), 'sum'), gg: true },
  { op: 'softmaxCrossEntropy', name: 'softmaxCrossEntropy strided logits', inputs: [{ shape: [3, 4], layout: 'transposed' }], fn: (x) => softmaxCrossEntropy(x, tensor([1, 1, 0], { dtype: 'int32' })) },
  // the row kernels: softmax and layer normalization over the last axis
  { op: 'fusedSoftmax', name: 'fusedSoftmax [3,4]', inputs: [{ shape: [3, 4] }], fn: (x) => fusedSoftmax(x), gg: true },
  { op: 'fusedSoftmax', name: 'fusedSoftmax strided [2,3,4]', inputs: [{ shape: [2, 3, 4], layout: 'transposed' }], fn: (x) => fusedSoftmax(x) },
  { op: 'fusedLayerNorm', name: 'fusedLayerNorm [3,5]', inputs: [{ shape: [3, 5] }], fn: (x) => fusedLayerNorm(x, 1e-5), gg: true },
  { op: 'fusedLayerNorm', name: 'fusedLayerNorm strided [2,3,4], eps 0.1', inputs: [{ shape: [2, 3, 4], layout: 'stepped' }], fn: (x) => fusedLayerNorm(x, 0.1) },
  // linear (fused x·wᵀ + b)
  { op: 'linear', name: 'linear [2,3]·[2,3]ᵀ + [2]', inputs: [{ shape: [2, 3] }, { shape: [2, 3] }, { shape: [2] }], fn: (x, w, b) => linear(x, w, b), gg: true },
  { op: 'linear', name: 'linear batched [2,3,4], no bias', inputs: [{ shape: [2, 3, 4] }, { shape: [2, 4] }], fn: (x, w) => linear(x, w) },
  { op: 'linear', name: 'linear 1-D input, strided weight', inputs: [{ shape: [4] }, { shape: [2, 4], layout: 'transposed' }, { shape: [2], layout: 'stepped' }], fn: (x, w, b) => linear(x, w, b) },
  { op: 'linear', name: 'linear constant input', inputs: [{ shape: [3, 4], grad: false }, { shape: [2, 4] }, { shape: [2] }], fn: (x, w, b) => linear(x, w, b) },
  // views
  { op: 'reshape', name: 'reshape [2,3]→[3,2]', inputs: [{ shape: [2, 3] }], fn: (x) => x.reshape([3, 2]), gg: true },
  { op: 'reshape', name: 'reshape transposed (copies)', inputs: [{ shape: [2, 3], layout: 'transposed' }], fn: (x) => x.reshape([-1]), gg: true },
  { op: 'reshape', name: 'flatten/squeeze/unsqueeze', inputs: [{ shape: [2, 1, 3] }], fn: (x) => x.squeeze(1).unsqueeze(0).flatten(), gg: true },
  { op: 'reshape', name: 'contiguous of stepped', inputs: [{ shape: [2, 3], layout: 'stepped' }], fn: (x) => x.contiguous().mul(x), gg: true },
  { op: 'permute', name: 'permute (2,0,1)', inputs: [{ shape: [2, 2, 3] }], fn: (x) => x.permute(2, 0, 1), gg: true },
  { op: 'permute', name: 'transpose(0, 2) of stepped', inputs: [{ shape: [2, 3, 2], layout: 'stepped' }], fn: (x) => x.transpose(0, 2), gg: true },
  { op: 'expand', name: 'expand [3,1]→[2,3,4]', inputs: [{ shape: [3, 1] }], fn: (x) => x.expand([2, 3, 4]), gg: true },
  { op: 'expand', name: 'broadcastTo of stepped', inputs: [{ shape: [1, 3], layout: 'stepped' }], fn: (x) => x.broadcastTo([2, 1, 3]) },
  { op: 'slice', name: 'slice with step', inputs: [{ shape: [3, 5] }], fn: (x) => x.slice([null, [0, 5, 2]]), gg: true },
  { op: 'slice', name: 'slice negative range and index', inputs: [{ shape: [3, 3, 2] }], fn: (x) => x.slice([[-2], [1, -1], 1]), gg: true },
  { op: 'slice', name: 'slice of transposed', inputs: [{ shape: [4, 3], layout: 'transposed' }], fn: (x) => x.slice([[1, 4, 2]]), gg: true },
  { op: 'unslice', name: 'unslice into [4,5]', inputs: [{ shape: [3, 3] }], fn: (x) => unslice(x, [4, 5], [[1, 4], [0, 5, 2]]), gg: true },
  // indexing
  { op: 'gather', name: 'gather axis 1, repeated indices', inputs: [{ shape: [2, 4] }], fn: (x) => x.gather(1, i32([[0, 0, 3], [1, 2, 1]])), gg: true },
  { op: 'gather', name: 'gather axis 0 of transposed', inputs: [{ shape: [3, 2], layout: 'transposed' }], fn: (x) => x.gather(0, i32([[2, 0], [2, 1]])), gg: true },
  { op: 'scatterAdd', name: 'scatterAdd axis 1, repeated indices', inputs: [{ shape: [2, 3] }], fn: (x) => scatterAdd([2, 4], 1, i32([[0, 0, 3], [1, 2, 1]]), x), gg: true },
  { op: 'scatterAdd', name: 'scatterAdd axis 0 of stepped', inputs: [{ shape: [2, 2], layout: 'stepped' }], fn: (x) => scatterAdd([3, 2], 0, i32([[2, 0], [2, 2]]), x), gg: true },
  { op: 'concat', name: 'concat three along axis 1', inputs: [{ shape: [2, 1] }, { shape: [2, 3], layout: 'transposed' }, { shape: [2, 2], grad: false }], fn: (a, b, c) => concat([a, b, c], 1), gg: true },
  { op: 'concat', name: 'stack along a new axis 1', inputs: [{ shape: [2, 3] }, { shape: [2, 3], layout: 'expanded' }], fn: (a, b) => stack([a, b], 1), gg: true },
  { op: 'where', name: 'where, broadcast [2,3] ? [3] : [2,1]', inputs: [{ shape: [3] }, { shape: [2, 1] }], fn: (a, b) => where(COND, a, b), gg: true },
  { op: 'where', name: 'where with a number and a strided variable', inputs: [{ shape: [2, 3], layout: 'stepped' }], fn: (a) => where(COND, 0.5, a), gg: true },
  { op: 'where', name: 'where on a data-dependent condition', inputs: [{ shape: [2, 3], domain: 'away0' }], fn: (a) => where(a.data.gt(0), a.exp(), a.square()), gg: true },
  { op: 'clamp', name: 'clamp(-0.5, 0.5)', inputs: [{ shape: [3, 4], domain: 'clampSafe' }], fn: (x) => x.clamp(-0.5, 0.5), gg: true },
  { op: 'clamp', name: 'clamp(min only) of transposed', inputs: [{ shape: [3, 4], domain: 'clampSafe', layout: 'transposed' }], fn: (x) => x.clamp(-0.5), gg: true },
  { op: 'max', name: 'max axes [1] (a list: split between ties)', inputs: [{ shape: [2, 3] }], fn: (x) => x.max([1]), gg: true },
  { op: 'cumsum', name: 'cumsum axis 1 of transposed', inputs: [{ shape: [3, 4], layout: 'transposed' }], fn: (x) => x.cumsum(1), gg: true },
  { op: 'cumsum', name: 'cumsum axis 0, 0-d', inputs: [{ shape: [] }], fn: (x) => x.cumsum(0), gg: true },
  { op: 'cumprod', name: 'cumprod axis 1 (no zeros: the O(n) form)', inputs: [{ shape: [2, 4], domain: 'away0' }], fn: (x) => x.cumprod(1), gg: true },
  { op: 'cumprod', name: 'cumprod with zeros (the exact O(n²) form)', inputs: [{ shape: [3, 5], domain: 'zeros' }], fn: (x) => { ZEROS_SEEN.push(x.data.eq(0).sum().dataSync()[0]!); return x.cumprod(1); }, gg: true },
  { op: 'cumprod', name: 'cumprod axis 0 of stepped', inputs: [{ shape: [3, 2], domain: 'away0', layout: 'stepped' }], fn: (x) => x.cumprod(0) },
  // sliding windows: im2col and col2im are each other's gradient, maxPool's goes through its argmax
  { op: 'im2col', name: 'im2col 2-d k [2,3], stride [1,2], padding 1, dilation [2,1]', inputs: [{ shape: [2, 2, 4, 5] }], fn: (x) => im2col(x, { kernelSize: [2, 3], stride: [1, 2], padding: 1, dilation: [2, 1] }), gg: true },
  { op: 'im2col', name: 'im2col 1-d of transposed', inputs: [{ shape: [2, 3, 5], layout: 'transposed' }], fn: (x) => im2col(x, { kernelSize: [2], padding: [1] }) },
  { op: 'col2im', name: 'col2im 2-d overlapping, padding 1', inputs: [{ shape: [1, 8, 9] }], fn: (c) => col2im(c, [4, 4], { kernelSize: 2, padding: 1, stride: 2 }), gg: true },
  { op: 'col2im', name: 'col2im 1-d dilation 2 of stepped', inputs: [{ shape: [2, 4, 3], layout: 'stepped' }], fn: (c) => col2im(c, [5], { kernelSize: [2], dilation: [2] }) },
  { op: 'maxPool', name: 'maxPool 2-d 2×2 stride 2', inputs: [{ shape: [2, 2, 4, 4] }], fn: (x) => maxPool(x, { kernelSize: 2, stride: 2 })[0], gg: true },
  { op: 'maxPool', name: 'maxPool overlapping 3×3, padding 1, dilation 2, of transposed', inputs: [{ shape: [1, 2, 5, 6], layout: 'transposed' }], fn: (x) => maxPool(x, { kernelSize: 3, padding: 1, dilation: 2 })[0] },
  { op: 'maxPool', name: 'maxPool 1-d k3 stride 2 padding 1', inputs: [{ shape: [2, 3, 7] }], fn: (x) => maxPool(x, { kernelSize: [3], stride: [2], padding: [1] })[0], gg: true },
  // conv: one node whose rule is convGrad, or its composition when recorded (gg)
  { op: 'conv', name: 'conv 2-d k 3×2, stride [2,1], padding 1, dilation [1,2], with bias', inputs: [{ shape: [2, 2, 5, 6] }, { shape: [3, 2, 3, 2] }, { shape: [3] }], fn: (x, w, b) => conv(x, w, b, { kernelSize: [3, 2], stride: [2, 1], padding: [1, 1], dilation: [1, 2] }), gg: true },
  { op: 'conv', name: 'conv 1-d without bias, of transposed', inputs: [{ shape: [2, 3, 7], layout: 'transposed' }, { shape: [4, 3, 3] }], fn: (x, w) => conv(x, w, undefined, { kernelSize: [3], stride: [1], padding: [0], dilation: [1] }), gg: true },
  { op: 'maxPoolGrad', name: 'maxPoolGrad with shared argmax (overlapping windows)', inputs: [{ shape: [1, 2, 3, 3] }], fn: (g) => maxPoolGrad(g, POOL_ARGMAX, [4, 4], { kernelSize: 2, padding: 1, stride: 2 }).mul(POOL_WEIGHT), gg: true },
  // cast is exact only to float32 resolution: a linear map, so a large step loses nothing
  { op: 'cast', name: 'cast float64→float32→float64', inputs: [{ shape: [2, 3] }], fn: (x) => x.cast('float32').cast('float64'), opts: { eps: 1e-2, atol: 1e-5, rtol: 1e-5 } },
];

// composites: written over the primitives, checked end to end
// prettier-ignore
const compositeRows: Omit<Row, 'op'>[] = [
  { name: 'mean all', inputs: [{ shape: [2, 3] }], fn: (x) => x.mean(), gg: true },
  { name: 'mean axis 1 keepDims', inputs: [{ shape: [2, 3] }], fn: (x) => x.mean(1, true), gg: true },
  { name: 'variance axis 1 (Bessel)', inputs: [{ shape: [2, 4] }], fn: (x) => x.variance(1), gg: true },
  { name: 'variance all, correction 0', inputs: [{ shape: [2, 3], layout: 'transposed' }], fn: (x) => x.variance(undefined, false, 0), gg: true },
  { name: 'logSumExp axis -1', inputs: [{ shape: [2, 4] }], fn: (x) => x.logSumExp(), gg: true },
  { name: 'logSumExp axis 0 keepDims, large values', inputs: [{ shape: [3, 2] }], fn: (x) => x.mul(50).logSumExp(0, true), gg: true, opts: { atol: 1e-6, rtol: 1e-5 } },
  { name: 'logSoftmax', inputs: [{ shape: [2, 4] }], fn: (x) => x.logSoftmax(), gg: true },
  { name: 'logSoftmax axis 0 of stepped', inputs: [{ shape: [3, 2], layout: 'stepped' }], fn: (x) => x.logSoftmax(0), gg: true },
  { name: 'softmax', inputs: [{ shape: [2, 4] }], fn: (x) => x.softmax(), gg: true },
  { name: 'softmax of transposed', inputs: [{ shape: [3, 3], layout: 'transposed' }], fn: (x) => x.softmax(-1), gg: true },
  { name: 'std axis 1', inputs: [{ shape: [2, 4] }], fn: (x) => x.std(1), gg: true },
  { name: 'norm (2), all axes', inputs: [{ shape: [2, 3] }], fn: (x) => x.norm(), gg: true },
  { name: 'norm 1, 3 and ∞ along axis 1', inputs: [{ shape: [2, 3], domain: 'away0' }], fn: (x) => x.norm(1, 1).add(x.norm(3, 1)).add(x.norm(Infinity, 1)), gg: true },
  { name: 'norm of a row of zeros is 0 with gradient 0', inputs: [{ shape: [2, 3] }], fn: (x) => x.mul(ROW0).norm(2, 1), gg: true },
  { name: 'sort values (descending) along 1', inputs: [{ shape: [3, 4] }], fn: (x) => x.sort(1, true).values, gg: true },
  { name: 'topk 2 along 0', inputs: [{ shape: [4, 3] }], fn: (x) => x.topk(2, 0).values, gg: true },
  { name: 'maxWithIndices / minWithIndices values', inputs: [{ shape: [3, 4] }], fn: (x) => x.maxWithIndices(1).values.add(x.minWithIndices(0, true).values.sum()), gg: true },
  { name: 'indexSelect with repeats, index along 0', inputs: [{ shape: [3, 4] }], fn: (x) => x.indexSelect(1, [3, 0, 3]).add(x.index(tensor([[2, 0]], { dtype: 'int32' })).sum()), gg: true },
  { name: 'maskedSelect and maskedFill', inputs: [{ shape: [2, 3] }], fn: (x) => x.maskedSelect(COND).sum().add(x.maskedFill(COND, 2).mul(x)), gg: true },
  { name: 'scatter a variable into a variable', inputs: [{ shape: [2, 4] }, { shape: [2, 2] }], fn: (x, s) => x.scatter(1, i32([[3, 0], [1, 2]]), s), gg: true },
  { name: "at(':', '1:3'), flip, roll", inputs: [{ shape: [3, 4] }], fn: (x) => x.at(':', '1:3').flip(0).roll(1, 1).add(x.at(-1, '::2').sum()), gg: true },
  { name: 'tril, triu', inputs: [{ shape: [3, 3] }], fn: (x) => x.tril(-1).add(x.triu(1).mul(2)), gg: true },
  { name: 'split, chunk', inputs: [{ shape: [4, 3] }], fn: (x) => { const [a, b] = x.split([1, 3]); const [c] = x.chunk(2, 1); return a!.sum().add(b!.square().sum()).add(c!.sum()); }, gg: true },
  { name: 'repeat, tile', inputs: [{ shape: [2, 3] }], fn: (x) => x.repeat(2, 1, 2).sum(0).add(x.tile(2).sum(1, true)), gg: true },
  { name: "einsum 'bij,bjk->bik' and 'i,j->ij'", inputs: [{ shape: [2, 2, 3] }, { shape: [2, 3, 2] }], fn: (a, b) => einsum('bij,bjk->bik', a, b).add(einsum('i,j->ij', a.at(0, 0), b.at(1, 1)).sum()), gg: true },
  { name: 'lerp, nanToNum', inputs: [{ shape: [2, 3] }, { shape: [2, 3] }], fn: (a, b) => a.lerp(b, 0.3).add(a.lerp(2, b)).nanToNum(), gg: true },
  { name: 'cross entropy: -logSoftmax gathered at labels, mean', inputs: [{ shape: [3, 4] }], fn: (x) => x.logSoftmax().gather(1, i32([[2], [0], [3]])).neg().mean(), gg: true },
  { name: 'sigmoid·tanh composition with broadcasting', inputs: [{ shape: [2, 3] }, { shape: [3] }], fn: (a, b) => a.mul(b).sigmoid().add(a.tanh()).logSoftmax(), gg: true },
];

const ROWS: Row[] = [...unaryRows, ...binaryRows, ...otherRows];

function inputsOf(row: Pick<Row, 'inputs'>, k: number): Variable[] {
  return row.inputs.map((spec, i) => makeInput(spec, 1000 * k + i + 1));
}

/** Names of the function nodes recorded for `fn` at fresh inputs. */
function recordedOps(row: Pick<Row, 'inputs' | 'fn'>, k: number): Set<string> {
  const items = graphOf(row.fn(...inputsOf(row, k))).items;
  return new Set(items.filter((i) => i.kind === 'function').map((i) => i.label));
}

describe('gradcheck table', () => {
  test('covers every op of RULES, and each row records the op it names', () => {
    const rules = Object.keys(RULES).sort();
    const covered = new Set(ROWS.map((r) => r.op));
    expect(rules.filter((op) => !covered.has(op as DiffOp))).toEqual([]);
    ROWS.forEach((row, k) => {
      expect(recordedOps(row, k), row.name).toContain(row.op);
    });
    // second derivatives of every op but the piecewise-constant ones and those named here
    const gg = new Set(ROWS.filter((r) => r.gg).map((r) => r.op));
    const noSecond: Partial<Record<DiffOp, string>> = {
      cast: 'through float32: finite differences of its gradient would measure rounding',
    };
    const smooth = (rules as DiffOp[]).filter((op) => !isPiecewiseConstant(op) && !noSecond[op]);
    expect(smooth.filter((op) => !gg.has(op))).toEqual([]);
    // broadcasting and strided inputs are exercised for every binary op
    for (const op of ARITH_OPS)
      expect(ROWS.filter((r) => r.op === op).map((r) => r.name)).toEqual(
        expect.arrayContaining([
          `${op} [2,3] op [3]`,
          `${op} [2,1] op [1,3]`,
          `${op} transposed op stepped`,
        ]),
      );
  });

  test.each(ROWS.map((row, k) => [row.name, row, k] as const))('gradcheck %s', (_name, row, k) => {
    expect(gradcheck(row.fn, inputsOf(row, k), { ...TOL, ...row.opts })).toBe(true);
  });

  const second = ROWS.map((row, k) => [row.name, row, k] as const).filter(([, row]) => row.gg);
  // (f)² makes the first derivative depend on the inputs even for linear ops, so the second pass
  // differentiates each rule's own backward ops
  test.each(second)('gradgradcheck %s', (_name, row, k) => {
    const fn = (...xs: Variable[]) => row.fn(...xs).square();
    expect(gradgradcheck(fn, inputsOf(row, k), { ...TOL, ...row.opts })).toBe(true);
  });
});

describe('gradcheck of composites', () => {
  test.each(compositeRows.map((row, k) => [row.name, row, 500 + k] as const))(
    '%s',
    (_name, row, k) => {
      const inputs = inputsOf(row, k);
      expect(gradcheck(row.fn, inputs, { ...TOL, ...row.opts })).toBe(true);
      if (row.gg)
        expect(gradgradcheck(row.fn, inputsOf(row, k), { ...TOL, ...row.opts })).toBe(true);
    },
  );
});

describe('gradcheck itself', () => {
  // the same op with a deliberately wrong backward, to show the check bites
  const cube = (wrong: boolean) =>
    customFunction({
      name: 'cube',
      forward(ctx, x) {
        ctx.saveForBackward(x);
        return x.mul(x).mul(x);
      },
      backward(ctx, g) {
        const [x] = ctx.saved;
        return g.mul(x!.square()).mul(wrong ? 2.9 : 3);
      },
    });
  const x = () => makeInput({ shape: [4] }, 7);

  test('a wrong gradient raises a GradcheckError that locates the entry', () => {
    expect(gradcheck(cube(false), [x()], TOL)).toBe(true);
    expect(() => gradcheck(cube(true), [x()], TOL)).toThrow(GradcheckError);
    expect(() => gradcheck(cube(true), [x()], TOL)).toThrow(
      /d output\[0\] \/ d input 0\[0\]: autograd gives .*finite differences/,
    );
  });

  test('gradgradcheck catches a backward that is not itself differentiable', () => {
    // a custom function's backward runs on tensors: its result carries no graph, so the second
    // derivative of x³ comes out 0 where it should be 6x
    expect(() => gradgradcheck(cube(false), [x()], TOL)).toThrow(GradcheckError);
    expect(gradgradcheck((v) => v.pow(3), [x()], TOL)).toBe(true);
  });

  test('linear functions have a zero second derivative (their gradient carries no graph)', () => {
    expect(gradgradcheck((v) => v.mul(3).sum(), [x()], TOL)).toBe(true);
    expect(gradgradcheck((v) => v.reshape([2, 2]).transpose(), [x()], TOL)).toBe(true);
  });

  test('constant inputs are left out, and an input the output ignores has a zero gradient', () => {
    const a = x();
    const c = variable(tensor([1, 2, 3, 4], { dtype: 'float64' }));
    const unused = makeInput({ shape: [2] }, 9);
    expect(gradcheck((p, q, _unused) => p.mul(q), [a, c, unused], TOL)).toBe(true);
  });
});

// after the rows have run (tests run in file order)
test('the cumprod row with zeros met inputs with several zeros', () => {
  expect(Math.max(...ZEROS_SEEN)).toBeGreaterThanOrEqual(3);
});
