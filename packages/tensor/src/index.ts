/**
 * Tensors (strided views, broadcasting, dtypes), their creation and maths, the `Backend` interface and
 * its op lists, the Philox random generator, memory accounting and the typed errors.
 *
 * @module @nablajs/tensor
 */
export {
  type AdamStep,
  type Backend,
  type FusedKernels,
  getBackend,
  peekBackend,
  type SgdStep,
  type TensorRef,
  useBackend,
} from './backend.js';
export { COMPOSITES, type CompositeMethods, type Primitives } from './composites.js';
export {
  arange,
  type CreateOptions,
  eye,
  full,
  getRngState,
  manualSeed,
  oneHot,
  ones,
  onesLike,
  rand,
  randn,
  type RandomOptions,
  setRngState,
  tensor,
  zeros,
  zerosLike,
} from './create.js';
export {
  bytesPerElement,
  type DType,
  DTYPES,
  dtypeOfArray,
  isFloat,
  promoteTypes,
  type TypedArray,
  typedArray,
} from './dtype.js';
export {
  BackendError,
  DisposedError,
  DTypeError,
  fmtShape,
  NablaError,
  ShapeError,
} from './errors.js';
export { formatTensor } from './format.js';
export { fusedAdam, fusedSgd, softmaxCrossEntropy, softmaxCrossEntropyGrad } from './fused.js';
export { type Axes, broadcastRef, concat, linear, scatterAdd, stack, where, wrap } from './math.js';
export * from './ops.js';
export {
  WINDOW,
  WINDOW_OPS,
  type WindowGeometry,
  type WindowOp,
  type WindowTraits,
} from './ops-window.js';
export { philox4x32, philoxBlocks, philoxFill } from './philox.js';
export {
  broadcastShapes,
  type ConcatLayout,
  concatLayout,
  contiguousStrides,
  isContiguous,
  normAxes,
  normAxis,
  type Shape,
  sameShape,
  sizeOf,
} from './shape.js';
export { memory, type MemoryStats } from './storage.js';
export {
  col2im,
  im2col,
  maxPool,
  maxPoolGrad,
  spatial,
  type SpatialArg,
  windowGeometry,
  type WindowOptions,
} from './window.js';
export {
  type BinaryMethods,
  type NestedArray,
  type SliceSpec,
  Tensor,
  type UnaryMethods,
} from './tensor.js';
