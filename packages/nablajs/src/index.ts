/**
 * Nabla in one import: the tensor API at the top level, each library as a namespace, and the CPU
 * backend selected when this module loads (unless another backend was chosen first).
 *
 * ```ts
 * import { tensor, nn, optim, variable } from 'nablajs';
 * useBackend(await webgpu()); // optional: the GPU (navigator.gpu, or Dawn in Node)
 * ```
 *
 * @module nablajs
 */
import { cpu } from '@nablajs/backend-cpu';
import { peekBackend, useBackend } from '@nablajs/tensor';

if (!peekBackend()) useBackend(cpu());

export * from '@nablajs/tensor';
// One name for Tensors and Variables: these shadow @nablajs/tensor's Tensor-only functions of the
// same names (an explicit export wins over `export *`), and return a Tensor for Tensor arguments.
export { concat, linear, scatterAdd, softmaxCrossEntropy, stack, where } from '@nablajs/autograd';
export { cpu } from '@nablajs/backend-cpu';
export { type WebGpuBackend, type WebGpuOptions, webgpu } from '@nablajs/backend-webgpu';
export {
  customFunction,
  enableGrad,
  grad,
  gradcheck,
  gradgradcheck,
  noGrad,
  toDot,
  toMermaid,
  Variable,
  variable,
} from '@nablajs/autograd';
export * as autograd from '@nablajs/autograd';
export * as data from '@nablajs/data';
export * as nn from '@nablajs/nn';
export * as optim from '@nablajs/optim';
export * as regularizers from '@nablajs/regularizers';
