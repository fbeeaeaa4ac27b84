// #region sample
import { cpu } from '@nablajs/backend-cpu';
import { getBackend, memory, randn, tensor, useBackend } from '@nablajs/tensor';

// the default for every tensor made without { backend }
const fast = useBackend(cpu());
const plain = cpu({ wasm: false }); // matmul on the TypeScript kernel only

const a = randn([256, 256]);
const b = randn([256, 256]);
// WebAssembly SIMD on `fast`; the transpose is a view, no copy
const c = a.matmul(b.transpose());

// A tensor lives on one backend; `to` copies it to another.
const a2 = await a.to(plain);
const c2 = a2.matmul((await b.to(plain)).transpose());
// float64: CPU only
const pinned = tensor([1, 2, 3], { backend: plain, dtype: 'float64' });

console.log(getBackend().name, fast.dtypes);
// cpu [ 'float32', 'int32', 'float64', 'bool' ]
console.log(memory().backends.cpu); // { tensors: …, bytes: … }
// #endregion sample

const diff = c
  .sub(await c2.to(fast))
  .abs()
  .max();
export const maxDifference = await diff.item();
export const backendName = getBackend().name;
export const dtypes = fast.dtypes;
export const pinnedDtype = pinned.dtype;
