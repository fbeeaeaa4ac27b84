// Browser-safe (the web page's worker uses it too): the networks the trainer can build.
import {
  BatchNorm1d,
  BatchNorm2d,
  Conv2d,
  Flatten,
  Linear,
  MaxPool2d,
  type Module,
  ReLU,
  Sequential,
  Sigmoid,
  Tanh,
  init,
} from '@nablajs/nn';
import { Dropout } from '@nablajs/regularizers';
import { type Backend, type Tensor, getBackend } from '@nablajs/tensor';

const ACTIVATIONS = { sigmoid: Sigmoid, tanh: Tanh, relu: ReLU } as const;

/** The networks: the lecture's multilayer perceptron, LeNet-5 as PyTorch tutorials write it, and a CNN with batch norm. */
export const MODELS = ['mlp', 'lenet', 'cnn'] as const;
export type ModelKind = (typeof MODELS)[number];

export interface NetSpec {
  /** Which network (default `mlp`); `hidden` and `activation` shape the MLP only. */
  model?: ModelKind;
  hidden: readonly number[];
  activation: keyof typeof ACTIVATIONS;
  /** Dropout after each hidden layer of the MLP, before the last layer of a CNN. */
  dropout?: number;
}

/** One image as the network reads it: a row of 784 pixels for the MLP, [1, 28, 28] for a CNN. */
export function inputShape(model: ModelKind = 'mlp'): number[] {
  return model === 'mlp' ? [784] : [1, 28, 28];
}

/** A batch of images [B, 784] as `model` reads it (a reshape, no copy). */
export function asInput(x: Tensor, model: ModelKind = 'mlp'): Tensor {
  return model === 'mlp' ? x : x.reshape([x.shape[0]!, ...inputShape(model)]);
}

/** The network of `spec`, from the global seeded generator (an MLP's parameters on `backend`; the
 * CNNs' on the current backend). */
export function buildNet(spec: NetSpec, backend?: Backend): Sequential {
  const model = spec.model ?? 'mlp';
  const drop = (spec.dropout ?? 0) > 0 ? [new Dropout(spec.dropout)] : [];
  if (model === 'lenet')
    // conv(1→6, 5×5, pad 2)–ReLU–maxpool 2 – conv(6→16, 5×5)–ReLU–maxpool 2 – 400–120–84–10, PyTorch's init
    return new Sequential(
      new Conv2d(1, 6, 5, { padding: 2 }),
      new ReLU(),
      new MaxPool2d(2),
      new Conv2d(6, 16, 5),
      new ReLU(),
      new MaxPool2d(2),
      new Flatten(),
      new Linear(400, 120),
      new ReLU(),
      new Linear(120, 84),
      new ReLU(),
      ...drop,
      new Linear(84, 10),
    );
  if (model === 'cnn')
    // two 3×3 convolutions, 28 → 14 → 7, with batch norm (no conv bias: the norm's shift replaces
    // it). Pooling before the norm and the ReLU gives them a quarter of the pixels: the composed norm
    // and the ReLU at 28 × 28 took most of a step on the CPU.
    return new Sequential(
      new Conv2d(1, 16, 3, { padding: 1, bias: false }),
      new MaxPool2d(2),
      new BatchNorm2d(16),
      new ReLU(),
      new Conv2d(16, 32, 3, { padding: 1, bias: false }),
      new MaxPool2d(2),
      new BatchNorm2d(32),
      new ReLU(),
      new Flatten(),
      new Linear(32 * 7 * 7, 128, { bias: false }),
      new BatchNorm1d(128),
      new ReLU(),
      ...drop,
      new Linear(128, 10),
    );
  return buildMlp(spec, backend);
}

/**
 * 784 → hidden… → 10 logits (the softmax lives in the loss). Weights are initialised as in Nielsen's
 * book, N(0, 1/fanIn) (He's for ReLU), biases N(0, 1).
 */
function buildMlp(
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

/** A one-line name of the network, e.g. `784-30-10 sigmoid` or `lenet`. */
export function describeNet(spec: NetSpec): string {
  const model = spec.model ?? 'mlp';
  return model === 'mlp' ? `${[784, ...spec.hidden, 10].join('-')} ${spec.activation}` : model;
}
