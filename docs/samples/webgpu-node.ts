// #region sample
// npm i @nablajs/tensor @nablajs/backend-webgpu webgpu
import { webgpu } from '@nablajs/backend-webgpu';
import { tensor, useBackend } from '@nablajs/tensor';

// Node has no navigator.gpu: webgpu() imports the `webgpu` package (Dawn) by
// itself.
// To choose the GPU object yourself: `import { create } from 'webgpu'; await
// webgpu({ gpu: create([]) })`.
const gpu = await webgpu();
useBackend(gpu);

const t = tensor([
  [1, 2],
  [3, 4],
]); // float32 (int32 also works; float64 does not on WebGPU)
const u = t.matmul(t).add(1);
console.log(await u.array()); // [[8, 11], [16, 23]]
// u.dataSync() would throw a BackendError: GPU reads are asynchronous, use
// `await u.data()`
// #endregion sample

export const result = await u.array();
export const sync = gpu.sync;
