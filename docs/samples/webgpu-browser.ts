// #region sample
import { webgpu } from '@nablajs/backend-webgpu';
import { randn, useBackend } from '@nablajs/tensor';

// In a browser with WebGPU: webgpu() asks navigator.gpu for an adapter and a
// device.
useBackend(await webgpu());

const x = randn([128, 128]);
// recorded into a command encoder, not yet run
const y = x.matmul(x.transpose()).relu();
console.log(await y.sum().item());
// a read submits the recorded kernels and waits for them
// #endregion sample

export const total = await y.sum().item();
