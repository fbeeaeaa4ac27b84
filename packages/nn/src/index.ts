/**
 * Neural-network building blocks: `Module`, `Parameter`, `Linear`, `Sequential`, convolutions and
 * pooling (`Conv2d`, `MaxPool2d`, … and their functional forms), activations, losses, weight
 * initialisation, and safetensors files.
 *
 * @module @nablajs/nn
 */
export {
  asVariable,
  type Input,
  type LoadResult,
  Module,
  Parameter,
  StateDictError,
} from './module.js';
export {
  Flatten,
  Identity,
  LeakyReLU,
  Linear,
  type LinearOptions,
  LogSoftmax,
  ReLU,
  Sequential,
  Sigmoid,
  Softmax,
  Tanh,
} from './layers.js';
export {
  Conv1d,
  Conv2d,
  type ConvLayerOptions,
  ConvTranspose2d,
  type ConvTransposeLayerOptions,
} from './conv.js';
export {
  conv1d,
  conv2d,
  type ConvOptions,
  convTranspose2d,
  type ConvTransposeOptions,
} from './functional-conv.js';
export {
  AvgPool1d,
  AvgPool2d,
  avgPool1d,
  avgPool2d,
  type AvgPoolOptions,
  MaxPool1d,
  MaxPool2d,
  maxPool1d,
  maxPool2d,
  type MaxPoolOptions,
} from './pooling.js';
export {
  BCELoss,
  BCEWithLogitsLoss,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  type BinaryLogitsOptions,
  type BinaryOptions,
  type ClassificationOptions,
  crossEntropy,
  CrossEntropyLoss,
  type CrossEntropyOptions,
  FunctionLoss,
  GaussianNLLLoss,
  gaussianNllLoss,
  type GaussianNllOptions,
  IndexError,
  Loss,
  MSELoss,
  mseLoss,
  NLLLoss,
  nllLoss,
  type Reduction,
  type ReductionOptions,
} from './losses.js';
export {
  calculateGain,
  fanIn,
  fanOut,
  type FanMode,
  init,
  type Initializable,
  type KaimingOptions,
  type Nonlinearity,
  type SeedOption,
} from './init.js';
export {
  deserialize,
  load,
  type Metadata,
  type Safetensors,
  SafetensorsError,
  save,
  serialize,
  serializeAsync,
  type StateDict,
} from './safetensors.js';
export {
  BatchNorm,
  BatchNorm1d,
  BatchNorm2d,
  type BatchNormFunctionalOptions,
  type BatchNormOptions,
  batchNorm,
} from './batchnorm.js';
export { AdaptiveAvgPool2d, type AdaptiveSize, adaptiveAvgPool2d } from './adaptive-pool.js';
