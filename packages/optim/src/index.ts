/**
 * Optimizers with PyTorch's update rules (SGD, Adam, AdamW, RMSprop, Adagrad), learning-rate
 * schedulers and gradient clipping.
 *
 * @module @nablajs/optim
 */
export { Adagrad, type AdagradOptions } from './adagrad.js';
export { Adam, type AdamOptions, AdamW } from './adam.js';
export { clipGradNorm, type ClipGradNormOptions, clipGradValue } from './clip.js';
export { OptimizerError } from './errors.js';
export {
  CosineAnnealingLR,
  ExponentialLR,
  LRScheduler,
  type LROptimizer,
  type LRSchedulerOptions,
  type LRSchedulerStateDict,
  StepLR,
} from './lr-scheduler.js';
export {
  type LROptions,
  Optimizer,
  type OptimizerStateDict,
  type ParamGroup,
  type ParamGroupInput,
  type ParamState,
} from './optimizer.js';
export {
  ReduceLROnPlateau,
  type ReduceLROnPlateauOptions,
  type ReduceLROnPlateauStateDict,
} from './plateau.js';
export { RMSprop, type RMSpropOptions } from './rmsprop.js';
export {
  LambdaLR,
  LinearLR,
  type LrLambda,
  MultiStepLR,
  OneCycleLR,
  type OneCycleLROptions,
} from './schedulers.js';
export { SequentialLR, type SequentialLRStateDict } from './sequential.js';
export { SGD, type SGDOptions } from './sgd.js';
