/**
 * Neural-network building blocks: `Module`, `Parameter`, `Linear`, `Sequential`, containers,
 * convolutions and pooling (`Conv2d`, `MaxPool2d`, … and their functional forms), activations,
 * normalization, embeddings, attention and Transformer layers, recurrent layers, losses, weight
 * initialisation, and safetensors files.
 *
 * @module @nablajs/nn
 */
export { type ForwardHook, type ForwardPreHook } from './hooks.js';
export {
  asVariable,
  type Input,
  type LoadResult,
  Module,
  Parameter,
  StateDictError,
} from './module.js';
export {
  Activation,
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
  FunctionLoss,
  GaussianNLLLoss,
  gaussianNllLoss,
  type GaussianNllOptions,
  IndexError,
  Loss,
  MSELoss,
  mseLoss,
  type Reduction,
  type ReductionOptions,
} from './losses.js';
export {
  type ClassificationOptions,
  crossEntropy,
  CrossEntropyLoss,
  type CrossEntropyOptions,
  NLLLoss,
  nllLoss,
} from './classification-losses.js';
export {
  CosineEmbeddingLoss,
  cosineEmbeddingLoss,
  HuberLoss,
  huberLoss,
  type HuberOptions,
  KLDivLoss,
  klDivLoss,
  type KLDivOptions,
  L1Loss,
  l1Loss,
  MarginRankingLoss,
  marginRankingLoss,
  type MarginOptions,
  PairLoss,
  SmoothL1Loss,
  smoothL1Loss,
  type SmoothL1Options,
} from './more-losses.js';
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
  type Metadata,
  type Safetensors,
  SafetensorsError,
  serialize,
  serializeAsync,
  type StateDict,
} from './safetensors.js';
export { load, removeStaleTemporaries, save } from './safetensors-file.js';
export { ModuleDict, ModuleList } from './containers.js';
export {
  ELU,
  elu,
  type EluOptions,
  GELU,
  gelu,
  type GeluApproximate,
  type GeluOptions,
  Mish,
  mish,
  SiLU,
  silu,
  Softplus,
  softplus,
  type SoftplusOptions,
} from './activations.js';
export {
  LayerNorm,
  layerNorm,
  type LayerNormFnOptions,
  type LayerNormOptions,
  type NormOptions,
  RMSNorm,
  rmsNorm,
  type RMSNormFnOptions,
  type RMSNormOptions,
} from './normalization.js';
export {
  Embedding,
  embedding,
  type EmbeddingLayerOptions,
  type EmbeddingOptions,
} from './embedding.js';
export { type AttentionOptions, scaledDotProductAttention } from './attention.js';
export {
  MultiheadAttention,
  type MultiheadAttentionCall,
  type MultiheadAttentionOptions,
} from './multihead-attention.js';
export {
  generateSquareSubsequentMask,
  TransformerDecoderLayer,
  TransformerEncoder,
  TransformerEncoderLayer,
  type TransformerActivation,
  type TransformerLayerOptions,
} from './transformer.js';
export { GRU, LSTM, RNN, RNNBase, type RNNOptions, type RNNTanhOptions } from './rnn.js';
export {
  BatchNorm,
  BatchNorm1d,
  BatchNorm2d,
  type BatchNormFunctionalOptions,
  type BatchNormOptions,
  batchNorm,
} from './batchnorm.js';
export { AdaptiveAvgPool2d, type AdaptiveSize, adaptiveAvgPool2d } from './adaptive-pool.js';
