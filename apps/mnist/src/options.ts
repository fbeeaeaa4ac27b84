import { type Flag, type Parsed, parseFlags } from 'app-kit';
import { MODELS } from './model.js';

/** Every flag of the trainer, with its default: the lecture's network (784-30-10, sigmoid, SGD). */
export const FLAGS = {
  model: {
    kind: 'string',
    default: 'mlp',
    choices: MODELS,
    help: 'network: the MLP of --hidden/--activation, LeNet-5, or a CNN with batch norm',
  },
  hidden: { kind: 'list', default: [30], help: 'hidden layer sizes (mlp)' },
  activation: {
    kind: 'string',
    default: 'sigmoid',
    choices: ['sigmoid', 'tanh', 'relu'],
    help: 'hidden activation (mlp)',
  },
  epochs: { kind: 'int', default: 10, min: 1, help: 'training epochs' },
  batchSize: { kind: 'int', default: 10, min: 1, help: 'mini-batch size' },
  lr: { kind: 'float', default: 0.5, min: 0, help: 'learning rate η' },
  optimizer: { kind: 'string', default: 'sgd', choices: ['sgd', 'adam'], help: 'optimizer' },
  momentum: { kind: 'float', default: 0, min: 0, help: 'SGD momentum' },
  l2: {
    kind: 'float',
    default: 0,
    min: 0,
    help: "L2 λ on the weights, Nielsen's scaling: λ/n per example",
  },
  weightDecay: {
    kind: 'float',
    default: 0,
    min: 0,
    help: 'decoupled weight decay (AdamW-style) on the weights',
  },
  dropout: {
    kind: 'float',
    default: 0,
    min: 0,
    help: 'dropout probability on hidden layers (a CNN: before its last layer)',
  },
  backend: { kind: 'string', default: 'cpu', choices: ['cpu', 'webgpu'], help: 'compute backend' },
  seed: { kind: 'int', default: 1, min: 0, help: 'seed of initialisation, shuffling and dropout' },
  limit: { kind: 'int', min: 1, help: 'use only the first N training samples' },
  save: { kind: 'string', help: 'write a checkpoint (safetensors) here after every epoch' },
  resume: { kind: 'bool', help: 'continue from the checkpoint named by --save' },
  sweep: {
    kind: 'string',
    choices: ['depth', 'cnn'],
    help: "reproduce the lecture's depth table (0-4 hidden layers), or train LeNet-5 and the batch-norm CNN (results/cnn.*)",
  },
  out: { kind: 'string', help: 'folder for --sweep results (default: apps/mnist/results)' },
  json: { kind: 'bool', help: 'end with one JSON line of the results' },
} as const satisfies Record<string, Flag>;

export type Options = Omit<Parsed<typeof FLAGS>, 'sweep'> & { sweep?: string };

export function parseOptions(argv: readonly string[]): Options & { help: boolean } {
  return parseFlags(argv, FLAGS);
}
