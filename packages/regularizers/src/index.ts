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
