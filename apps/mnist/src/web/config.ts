// What the page's form sets (no imports: the page's own bundle includes this, not the library).

export interface PageConfig {
  /** The network: the MLP below, LeNet-5, or a CNN with batch norm (see ../model.ts). */
  model: 'mlp' | 'lenet' | 'cnn';
  /** Hidden layers of the MLP, each `width` units wide. */
  depth: number;
  width: number;
  activation: 'sigmoid' | 'tanh' | 'relu';
  optimizer: 'sgd' | 'adam';
  lr: number;
  /** L2 λ in Nielsen's scaling (λ/n per example), on the weights. */
  l2: number;
  /** Dropout probability after each hidden layer. */
  dropout: number;
  batchSize: number;
  seed: number;
}

/** The lecture's network (784-30-10, sigmoid, SGD η = 0.5), in mini-batches of 32. */
export const DEFAULT_CONFIG: PageConfig = {
  model: 'mlp',
  depth: 1,
  width: 30,
  activation: 'sigmoid',
  optimizer: 'sgd',
  lr: 0.5,
  l2: 0,
  dropout: 0,
  batchSize: 32,
  seed: 1,
};

/** A good first learning rate for each optimizer. */
export const DEFAULT_LR = { sgd: 0.5, adam: 0.001 } as const;
