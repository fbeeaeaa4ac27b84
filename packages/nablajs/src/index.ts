/**
 * Nabla in one import: the tensor API at the top level, each library as a namespace, and the CPU
 * backend selected when this module loads (unless another backend was chosen first).
 *
 * - Top level: tensors and their creation (`tensor`, `zeros`, `randn`, `arange`, …), backends
 *   (`useBackend`, `cpu`, `webgpu`), the seed (`manualSeed`), `memory()`, the typed errors, and
 *   autograd's `variable`, `grad`, `noGrad`, `customFunction`, `gradcheck`, `toDot`, `toMermaid`.
 * - Namespaces: `nn` (modules, losses, init, safetensors), `optim` (optimizers, schedulers),
 *   `regularizers`, `data` (MNIST, `DataLoader`), `autograd` (all of it).
 *
 * Each item is documented in its own package:
 * {@link @nablajs/tensor! | @nablajs/tensor},
 * {@link @nablajs/autograd! | @nablajs/autograd},
 * {@link @nablajs/nn! | @nablajs/nn},
 * {@link @nablajs/optim! | @nablajs/optim},
 * {@link @nablajs/regularizers! | @nablajs/regularizers},
 * {@link @nablajs/data! | @nablajs/data},
 * {@link @nablajs/backend-cpu! | @nablajs/backend-cpu},
 * {@link @nablajs/backend-webgpu! | @nablajs/backend-webgpu}.
 *
 * ```ts
 * import { nn, optim, tensor, useBackend, variable, webgpu } from 'nablajs';
 * useBackend(await webgpu()); // optional: the GPU (navigator.gpu, or Dawn in Node)
 * ```
 *
 * @module nablajs
 */
import { cpu } from '@nablajs/backend-cpu';
import { peekBackend, useBackend } from '@nablajs/tensor';

if (!peekBackend()) useBackend(cpu());

// The tensor API a program uses. What backends and libraries are built from (the op lists, the
// fused kernels' types, Philox, shape helpers) stays in @nablajs/tensor: import it from there.
// `where`, `concat` and `stack` come from @nablajs/autograd below: one name for Tensors and Variables.
export {
  arange,
  type Axes,
  type Backend,
  BackendError,
  type CreateOptions,
  DisposedError,
  type DType,
  DTypeError,
  einsum,
  eye,
  full,
  fullLike,
  getBackend,
  getRngState,
  IndexError,
  type IndexLike,
  manualSeed,
  memory,
  type MemoryStats,
  NablaError,
  type NestedArray,
  oneHot,
  ones,
  onesLike,
  peekBackend,
  rand,
  randLike,
  randn,
  randnLike,
  type RandomOptions,
  setRngState,
  type Shape,
  ShapeError,
  type SliceSpec,
  Tensor,
  tensor,
  type TypedArray,
  useBackend,
  type ValuesIndices,
  zeros,
  zerosLike,
} from '@nablajs/tensor';
// One name for Tensors and Variables: autograd's `where`, `concat` and `stack` return a Variable when
// a Variable is among their arguments, and the Tensor function's result otherwise.
export { concat, stack, where } from '@nablajs/autograd';
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
