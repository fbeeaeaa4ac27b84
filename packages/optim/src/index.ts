/**
 * Optimizers with PyTorch's update rules (SGD, Adam, AdamW, RMSprop, Adagrad) and learning-rate
 * schedulers.
 *
 * @module @nablajs/optim
 */
export { Adagrad, type AdagradOptions } from './adagrad.js';
export { Adam, type AdamOptions, AdamW } from './adam.js';
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
export { RMSprop, type RMSpropOptions } from './rmsprop.js';
export { SGD, type SGDOptions } from './sgd.js';
