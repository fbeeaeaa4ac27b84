/**
 * Regularization: dropout (inverted, or the lecture's classic form) with its mask, channel dropout
 * (`Dropout2d`), L1 and L2 penalties, decoupled weight decay, max-norm and early stopping.
 *
 * @module @nablajs/regularizers
 */
export {
  Dropout,
  dropout,
  Dropout2d,
  dropout2d,
  type Dropout2dOptions,
  dropout2dWithMask,
  dropoutMask,
  type DropoutMode,
  type DropoutOptions,
  dropoutWithMask,
} from './dropout.js';
export { decoupledWeightDecay, l1Penalty, l2Penalty, maxNorm, type Params } from './penalties.js';
export { EarlyStopping, type EarlyStoppingOptions } from './early-stopping.js';
