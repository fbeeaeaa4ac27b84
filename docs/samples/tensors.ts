import { cpu } from '@nablajs/backend-cpu';
import { arange, ones, tensor, useBackend } from '@nablajs/tensor';

useBackend(cpu());

// #region views
const x = arange(12).reshape([3, 4]); // [[0,1,2,3],[4,5,6,7],[8,9,10,11]]
console.log(x.strides); // [4, 1]: row-major

// [4, 3], strides [1, 4]: the same storage, read in another order
const t = x.transpose();
// NumPy's x[:, 0:4:2] → [[0,2],[4,6],[8,10]]
const everyOther = x.slice([null, [0, 4, 2]]);
// a number picks an index and drops the axis → [4,5,6,7]
const row = x.slice([1]);
const column = x.slice([null, 2]).unsqueeze(1); // [3, 1]

console.log(t.strides, everyOther.strides); // [1, 4] [4, 2]
console.log(t.storage === x.storage); // true: a view, no copy
const copy = t.contiguous(); // a row-major copy, when a kernel or you need one
// #endregion views

// #region broadcast
// Broadcasting follows NumPy: shapes are aligned on the right, and size-1 axes
// stretch.
const bias = tensor([10, 20, 30, 40]); // [4] → acts as [1, 4]
const shifted = x.add(bias); // [3,4] + [4] → [3,4]
const outer = column.mul(tensor([1, -1])); // [3,1] · [2] → [3,2]
const expanded = bias.expand([3, 4]); // a view with stride 0 on the new axis
console.log(expanded.strides); // [0, 1]
// #endregion broadcast

// #region dtypes
const counts = tensor([1, 2, 3], { dtype: 'int32' });
console.log(counts.add(1).dtype); // int32
console.log(counts.add(0.5).dtype); // float32: int32 < float32 < float64
console.log(counts.div(2).dtype); // float32: division of integers gives floats
console.log(counts.gt(1).dtype, await counts.gt(1).array()); // bool [0, 1, 1]
console.log(ones([2]).cast('int32').dtype); // int32
// #endregion dtypes

export const results = {
  xStrides: x.strides,
  tStrides: t.strides,
  sameStorage: t.storage === x.storage,
  everyOther: await everyOther.array(),
  row: await row.array(),
  copyStrides: copy.strides,
  shifted: await shifted.array(),
  outer: await outer.array(),
  expandedStrides: expanded.strides,
  dtypes: [
    counts.add(1).dtype,
    counts.add(0.5).dtype,
    counts.div(2).dtype,
    counts.gt(1).dtype,
  ],
  gt: await counts.gt(1).array(),
};
