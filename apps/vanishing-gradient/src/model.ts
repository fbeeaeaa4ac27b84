import { type Module, Linear, ReLU, Sequential, Sigmoid, Tanh, init } from '@nablajs/nn';
import type { DType } from '@nablajs/tensor';

export const ACTIVATIONS = ['sigmoid', 'tanh', 'relu'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** Weight initialisations compared: N(0,1), Nielsen's N(0,1/fanIn), Xavier (Glorot) and He (Kaiming). */
export const INITS = ['normal', 'nielsen', 'xavier', 'he'] as const;
export type InitName = (typeof INITS)[number];

export const INIT_LABELS: Record<InitName, string> = {
  normal: 'N(0, 1)',
  nielsen: 'N(0, 1/fanIn)',
  xavier: 'Xavier N(0, 2/(fanIn+fanOut))',
  he: 'He N(0, 2/fanIn)',
};

/** Short names, for legends. */
export const INIT_SHORT: Record<InitName, string> = {
  normal: 'N(0,1)',
  nielsen: 'N(0,1/fanIn)',
  xavier: 'Xavier',
  he: 'He',
};

const LAYERS = { sigmoid: Sigmoid, tanh: Tanh, relu: ReLU } as const;

export interface NetSpec {
  /** Layer sizes, input to output, e.g. [784, 30, 30, 10]. */
  sizes: readonly number[];
  activation: Activation;
  init: InitName;
  dtype?: DType;
}

/** A feed-forward net and handles on its layers (the probes read each layer's bias gradient). */
export interface Net {
  spec: NetSpec;
  module: Sequential;
  /** Every Linear layer; all but the last are hidden layers. */
  linears: Linear[];
}

/** The weight initialiser of a scheme; biases are always N(0, 1), as in Nielsen's book. */
export function initWeight(linear: Linear, scheme: InitName): void {
  if (scheme === 'normal') init.normal(linear.weight);
  else if (scheme === 'nielsen') init.nielsen(linear.weight);
  else if (scheme === 'xavier') init.xavierNormal(linear.weight);
  else init.kaimingNormal(linear.weight, { nonlinearity: 'relu' });
  if (linear.bias) init.normal(linear.bias);
}

/** sizes[0] → … → sizes[last] logits (the softmax lives in the loss), drawing from the global seed. */
export function buildNet(spec: NetSpec): Net {
  const { sizes, activation, dtype = 'float32' } = spec;
  const layers: Module[] = [];
  const linears: Linear[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const linear = new Linear(sizes[i]!, sizes[i + 1]!, { dtype });
    initWeight(linear, spec.init);
    linears.push(linear);
    layers.push(linear);
    if (i + 2 < sizes.length) layers.push(new LAYERS[activation]());
  }
  return { spec, module: new Sequential(...layers), linears };
}

/** The default weight initialisation for an activation: Nielsen's for σ and tanh, He's for ReLU. */
export const defaultInit = (a: Activation): InitName => (a === 'relu' ? 'he' : 'nielsen');

export const hiddenSizes = (depth: number, width: number): number[] => [
  784,
  ...Array<number>(depth).fill(width),
  10,
];
