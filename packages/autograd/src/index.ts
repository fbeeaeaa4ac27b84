/**
 * Reverse-mode automatic differentiation on a computation graph: `Variable`, function nodes,
 * `backward`, `grad` (Theano's `T.grad`), custom functions, gradcheck, and the graph's export to
 * Graphviz and Mermaid.
 *
 * @module @nablajs/autograd
 */
export { backward, type BackwardOptions, grad, type GradOptions } from './engine.js';
export { enableGrad, isGradEnabled, noGrad, withGradMode } from './mode.js';
export {
  type Fn,
  type FunctionalOptions,
  hessian,
  jacobian,
  jvp,
  type JvpResult,
  type Point,
  vjp,
  type VjpResult,
} from './functional.js';
export { type Backward, type Edge, FunctionNode } from './node.js';
export type {
  DiffOp,
  IndexParams,
  OpParams,
  ReduceParams,
  ClampParams,
  CrossEntropyParams,
  CrossEntropyReduction,
  Rule,
  RuleParams,
} from './params.js';
export { RULES, unbroadcast } from './rules.js';
export {
  concat,
  fusedLayerNorm,
  fusedSoftmax,
  linear,
  scatterAdd,
  softmaxCrossEntropy,
  stack,
  unslice,
  where,
} from './functions.js';
export { type Hook, lift, type Operand, record, Variable, variable, zeroGrad } from './variable.js';
export {
  col2im,
  conv,
  im2col,
  maxPool,
  maxPoolGrad,
  type PoolParams,
  type WindowParams,
} from './window.js';
export { customFunction, type CustomFunctionDef, type FunctionContext } from './custom.js';
export { graphOf, toDot, toMermaid } from './graph.js';
export { gradcheck, GradcheckError, type GradcheckOptions, gradgradcheck } from './gradcheck.js';
