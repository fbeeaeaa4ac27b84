// #region create
import { cpu } from '@nablajs/backend-cpu';
import {
  arange,
  manualSeed,
  randn,
  tensor,
  useBackend,
  zeros,
} from '@nablajs/tensor';

useBackend(cpu());
manualSeed(0); // the same random numbers on every run (and on every backend)

const x = tensor([
  [1, 2, 3],
  [4, 5, 6],
]); // float32 unless you ask for another dtype
const labels = tensor([2, 0], { dtype: 'int32' });
const noise = randn([2, 3]); // N(0, 1)
const z = zeros([3]);
const r = arange(6).reshape([2, 3]); // 0 … 5 as a 2×3 matrix

console.log(x.shape, x.dtype, labels.dtype); // [2, 3] float32 int32
// #endregion create

// #region math
const w = tensor([[0.5], [-1], [2]]);
// [2,3] @ [3,1] → [2,1], plus 1 broadcast to every element
const y = x.matmul(w).add(1);
const rowMeans = x.mean(1); // reduce axis 1 → [2]
const colMax = x.max(0, true); // keepDims → [1, 3]
const centered = x.sub(colMax); // [2,3] − [1,3]: broadcast along axis 0
const best = x.argmax(1); // int32 indices
// #endregion math

// #region read
console.log(y.toString());
// array([[ 5.5],
//        [10. ]])
console.log(await rowMeans.array()); // [2, 5]
console.log(await best.array()); // [2, 2]
console.log(await centered.data()); // Float32Array [-3, -3, -3, 0, 0, 0]
console.log(y.dataSync()); // synchronous, on the CPU backend only
// #endregion read

export const results = {
  shape: x.shape,
  y: await y.array(),
  rowMeans: await rowMeans.array(),
  colMax: await colMax.array(),
  centered: Array.from(await centered.data()),
  best: await best.array(),
  r: await r.array(),
  noiseShape: noise.shape,
  z: await z.array(),
};
