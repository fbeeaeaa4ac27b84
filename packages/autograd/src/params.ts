// The ops the graph records and what each keeps for its gradient rule (the rules are in rules.ts).
import type { ArithOp, SliceSpec, Tensor, UnaryOp, WindowOp, WindowOptions } from '@nablajs/tensor';
import type { Variable } from './variable.js';
import type { PoolParams, WindowParams } from './window.js';

/** Every op the graph records; each has one gradient rule (`RULES`, rules.ts). */
export type DiffOp =
  | UnaryOp
  | ArithOp
  | 'sum' | 'max' | 'min' | 'matmul' | 'reshape' | 'permute' | 'expand' | 'slice' | 'unslice'
  | 'linear' | 'softmaxCrossEntropy' | 'gather' | 'scatterAdd' | 'concat' | 'where' | 'cast'
  | 'clamp' | 'cumsum' | 'cumprod' | WindowOp | 'conv' | 'fusedSoftmax' | 'fusedLayerNorm'; // prettier-ignore

/** How `softmaxCrossEntropy` reduces its rows' losses: kept ([N]), their mean or their sum ([]). */
export type CrossEntropyReduction = 'none' | 'mean' | 'sum';

/** The parameters of `softmaxCrossEntropy`. */
export interface CrossEntropyParams {
  /** The int32 labels [N]. */
  labels: Tensor;
  /** Whether the loss is the rows' ([N]), their mean or their sum. */
  reduction: CrossEntropyReduction;
}

/** The parameters of `sum`, `max` and `min`: the reduced axes (normalized) and `keepDims`. */
export interface ReduceParams {
  /** The reduced axes, each in 0..rank-1. */
  axes: number[];
  /** Whether the reduced axes were kept as size 1. */
  keepDims: boolean;
  /** max/min along one axis: the gradient goes to the selected index (PyTorch's `max(dim)`),
   * not split between ties. */
  select?: boolean;
}

/** The parameters of `clamp`: its bounds (undefined: none). */
export interface ClampParams {
  /** The lower bound. */
  min: number | undefined;
  /** The upper bound. */
  max: number | undefined;
}

/** The parameters of `gather` and `scatterAdd`: the axis and the int32 index tensor. */
export interface IndexParams {
  /** The axis indexed, in 0..rank-1. */
  axis: number;
  /** The int32 indices. */
  index: Tensor;
}

/** What the ops that need more than their inputs and output for their gradient keep. */
export interface RuleParams {
  /** The reduction's axes. */
  sum: ReduceParams;
  /** The reduction's axes. */
  max: ReduceParams;
  /** The reduction's axes. */
  min: ReduceParams;
  /** The permutation (normalized axes). */
  permute: number[];
  /** The slice's specs. */
  slice: readonly SliceSpec[];
  /** The specs of the slice the input was written into. */
  unslice: readonly SliceSpec[];
  /** The axis and indices gathered. */
  gather: IndexParams;
  /** The axis and indices scattered into. */
  scatterAdd: IndexParams;
  /** The joined axis. */
  concat: number;
  /** The bool condition. */
  where: Tensor;
  /** The int32 labels, and how the rows' losses were reduced. */
  softmaxCrossEntropy: CrossEntropyParams;
  /** The bounds. */
  clamp: ClampParams;
  /** The axis (normalized). */
  cumsum: number;
  /** The axis (normalized). */
  cumprod: number;
  /** The window options and the input's spatial size. */
  im2col: WindowParams;
  /** The window options and the output's spatial size. */
  col2im: WindowParams;
  /** The window options, the input's spatial size and the argmax. */
  maxPool: PoolParams;
  /** The window options, the input's spatial size and the argmax. */
  maxPoolGrad: PoolParams;
  /** The window options (normalized: kernel, stride, padding, dilation per axis). */
  conv: WindowOptions;
  /** The eps added to the variance. */
  fusedLayerNorm: number;
}

/** What op `K` keeps for its gradient rule, as the rule's trailing arguments: none for most ops. */
export type OpParams<K extends DiffOp> = K extends keyof RuleParams ? [params: RuleParams[K]] : [];

/**
 * A local backward: from ∂L/∂out to ∂L/∂input for each input (null: no gradient flows there).
 * `needs[i]` says whether input i wants its gradient; the op's parameters come last.
 */
export type Rule<K extends DiffOp = DiffOp> = (
  g: Variable,
  inputs: Variable[],
  out: Variable,
  needs: boolean[],
  ...params: OpParams<K>
) => (Variable | null)[];
