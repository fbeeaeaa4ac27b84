/**
 * Tensors (strided views, broadcasting, dtypes), their creation and maths, the `Backend` interface and
 * its op lists, the Philox random generator, memory accounting and the typed errors.
 *
 * @module @nablajs/tensor
 */
// tensor.js first: it installs the composite methods, so the modules it imports that import it
// back (indexing.js) must be evaluated before its body, which holds when it is entered first.
export {
  type BinaryMethods,
  type NestedArray,
  REFLECT,
  type Reflected,
  type SliceSpec,
  Tensor,
  type TensorBinaryMethods,
  type UnaryMethods,
} from './tensor.js';
export {
  type ActivationOp,
  type AdamStep,
  type Backend,
  type FusedKernels,
  getBackend,
  peekBackend,
  type SgdStep,
  type TensorRef,
  useBackend,
} from './backend.js';
export { COMPOSITES, type CompositeMethods, FLOAT32_MAX, type Primitives } from './composites.js';
export { einsum } from './einsum.js';
export { INDEXING, type IndexingMethods, type IndexLike } from './indexing.js';
export { SELECT, type SelectMethods, type ValuesIndices } from './select.js';
export {
  arange,
  type CreateOptions,
  eye,
  full,
  fullLike,
  getRngState,
  manualSeed,
  oneHot,
  ones,
  onesLike,
  rand,
  randLike,
  randn,
  randnLike,
  type RandomOptions,
  setRngState,
  tensor,
  zeros,
  zerosLike,
  stateZerosLike,
  type NestedInput,
} from './create.js';
export {
  bytesPerElement,
  type DataArray,
  type DType,
  DTYPES,
  dtypeOfArray,
  isFloat,
  promoteTypes,
  resultType,
  type TypedArray,
  typedArray,
} from './dtype.js';
export {
  BackendError,
  DisposedError,
  DTypeError,
  fmtShape,
  IndexError,
  NablaError,
  ShapeError,
  UNSAFE_KEYS,
} from './errors.js';
export { conv, convGrad } from './conv.js';
export { formatTensor } from './format.js';
export {
  activationGrad,
  fusedAdam,
  fusedLayerNorm,
  fusedLayerNormGrad,
  fusedSgd,
  fusedSoftmax,
  fusedSoftmaxGrad,
  softmaxCrossEntropy,
  softmaxCrossEntropyGrad,
} from './fused.js';
export { type Axes, broadcastRef, where, wrap } from './math.js';
export { concat, linear, scatterAdd, stack } from './structured.js';
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
  checkSize,
  contiguousStrides,
  isContiguous,
  MAX_ELEMENTS,
  normAxes,
  normAxis,
  type Shape,
  sameShape,
  sizeOf,
} from './shape.js';
export { memory, type MemoryStats, storageSerial } from './storage.js';
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
