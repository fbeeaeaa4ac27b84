// The decisions of the "From PyTorch" page, each run and checked (test/samples.test.ts).
// #region mixed
import { concat, tensor, variable, where } from 'nablajs';

const w = variable([1, 2], { requiresGrad: true });
const t = tensor([5, 7]);
const d = t.sub(w); // a Tensor on the left, a Variable on the right: a Variable
const picked = where(tensor([true, false]), w, t); // one `where` for both
concat([d, picked]).sum().backward();
console.log(w.grad?.toString()); // array([0., -1.])
// #endregion mixed

// #region gradients
const x = variable([-1, 0, 0.5, 1, 2], { requiresGrad: true });
x.clamp(0, 1).sum().backward();
console.log(x.grad?.toString()); // array([0., 1., 1., 1., 0.]): 1 at the bounds, as PyTorch

const m = variable(
  [
    [1, 3, 3],
    [2, 2, 2],
  ],
  { requiresGrad: true },
);
m.max(1).sum().backward(); // along one axis: the index argmax picks gets it all
const alongAxis = m.grad?.toString();
m.zeroGrad();
m.max().backward(); // over everything: ties share it (PyTorch's max() and amax)
const overAll = m.grad?.toString();
// #endregion gradients

// #region numerics
const lse = await tensor([Infinity, 1, 2]).logSumExp(0).item(); // Infinity
const pows = Array.from(
  tensor([1, -1])
    .pow(tensor([NaN, Infinity]))
    .dataSync(),
); // [1, 1]
const signOfNaN = await tensor(NaN).sign().item(); // NaN (PyTorch: 0)
const tiny = await tensor(-100).sigmoid().item(); // 0 in float32, never a subnormal
const keeps = tensor([1, 2, 3]).add(tensor(0.5, { dtype: 'float64' })).dtype; // 'float32'
let overflow = '';
try {
  tensor([1e9, 1e9, 1e9], { dtype: 'int32' }).sum(); // would wrap to −1294967296
} catch (e) {
  overflow = (e as Error).name; // 'DTypeError': cast to float64 (or float32) and sum that
}
let meanOfInts = '';
try {
  tensor([1, 2], { dtype: 'int32' }).mean();
} catch (e) {
  meanOfInts = (e as Error).name; // 'DTypeError', as PyTorch
}
// #endregion numerics

// #region bool
const scores = tensor([0.5, NaN, -2, 3]);
const ok = scores.isfinite().logicalAnd(scores.gt(0)); // bool: comparisons give it
const masked = scores.maskedFill(ok.logicalNot(), 0); // [0.5, 0, 0, 3]
const picks = scores.index(ok); // x[mask]: [0.5, 3]
const count = ok.sum(); // int32 2 (PyTorch: int64)
let intMask = '';
try {
  where(tensor([1, 0, 0, 1], { dtype: 'int32' }), scores, 0); // masks are bool, as in PyTorch
} catch (e) {
  intMask = (e as Error).message; // "… must be bool …, got int32 [4]; compare, e.g. m.ne(0), …"
}
// #endregion bool

export const results = {
  wGrad: Array.from(w.grad!.dataSync()),
  d: Array.from(d.data.dataSync()),
  clampGrad: Array.from(x.grad!.dataSync()),
  alongAxis,
  overAll,
  lse,
  pows,
  signOfNaN,
  tiny,
  keeps,
  overflow,
  meanOfInts,
  okDtype: ok.dtype,
  ok: Array.from(ok.dataSync()),
  masked: Array.from(masked.dataSync()),
  picks: Array.from(picks.dataSync()),
  count: [count.dtype, count.dataSync()[0]],
  intMask,
};
