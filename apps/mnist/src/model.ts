import { type Module, Linear, ReLU, Sequential, Sigmoid, Tanh, init } from '@nablajs/nn';
import { Dropout } from '@nablajs/regularizers';
import { type Backend, getBackend } from '@nablajs/tensor';

const ACTIVATIONS = { sigmoid: Sigmoid, tanh: Tanh, relu: ReLU } as const;

export interface NetSpec {
  hidden: readonly number[];
  activation: keyof typeof ACTIVATIONS;
  dropout?: number;
}

/**
 * 784 → hidden… → 10 logits (the softmax lives in the loss). Weights are initialised as in Nielsen's
 * book, N(0, 1/fanIn) (He's for ReLU), biases N(0, 1), from the global seeded generator.
 */
export function buildNet(
  { hidden, activation, dropout = 0 }: NetSpec,
  backend: Backend = getBackend('buildNet'),
): Sequential {
  const sizes = [784, ...hidden, 10];
  const layers: Module[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const linear = new Linear(sizes[i]!, sizes[i + 1]!, { backend });
    if (activation === 'relu') init.kaimingNormal(linear.weight, { nonlinearity: 'relu' });
    else init.nielsen(linear.weight);
    if (linear.bias) init.normal(linear.bias);
    layers.push(linear);
    if (i + 2 < sizes.length) {
      layers.push(new ACTIVATIONS[activation]());
      if (dropout > 0) layers.push(new Dropout(dropout));
    }
  }
  return new Sequential(...layers);
}
