/**
 * Regularization: dropout (inverted, or the lecture's classic form) with its mask, L1 and L2 penalties,
 * decoupled weight decay, max-norm and early stopping.
 *
 * @module @nablajs/regularizers
 */
export {
  Dropout,
  dropout,
  dropoutMask,
  type DropoutMode,
  type DropoutOptions,
  dropoutWithMask,
} from './dropout.js';
export { decoupledWeightDecay, l1Penalty, l2Penalty, maxNorm, type Params } from './penalties.js';
export { EarlyStopping, type EarlyStoppingOptions } from './early-stopping.js';
