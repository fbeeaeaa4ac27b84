import { type Flag, type Parsed, parseFlags } from 'app-kit';
import { DATASETS } from './datasets.js';

/** Every flag of the trainer, with its default: a small GPT on English first names. */
export const FLAGS = {
  data: {
    kind: 'string',
    default: 'names',
    choices: DATASETS,
    help: 'corpus that ships with the app',
  },
  text: {
    kind: 'string',
    help: 'train on this UTF-8 text file instead (90 % train, 10 % validation)',
  },
  model: { kind: 'string', default: 'gpt', choices: ['gpt', 'lstm'], help: 'model' },
  layers: { kind: 'int', default: 4, min: 1, help: 'Transformer blocks, or LSTM layers' },
  heads: { kind: 'int', default: 4, min: 1, help: 'attention heads (GPT)' },
  dim: { kind: 'int', default: 64, min: 1, help: 'embedding size (GPT), hidden size (LSTM)' },
  context: { kind: 'int', default: 32, min: 1, help: 'characters per training window' },
  dropout: { kind: 'float', default: 0, min: 0, help: 'dropout probability' },
  tieWeights: { kind: 'bool', help: 'share the token embedding with the output layer (GPT)' },
  steps: { kind: 'int', default: 2000, min: 1, help: 'training steps' },
  batchSize: { kind: 'int', default: 32, min: 1, help: 'windows per step' },
  lr: { kind: 'float', default: 1e-3, min: 0, help: 'peak learning rate (AdamW)' },
  warmup: {
    kind: 'int',
    default: 100,
    min: 0,
    help: 'steps of linear warm-up, then a cosine to lr/10',
  },
  weightDecay: {
    kind: 'float',
    default: 0.1,
    min: 0,
    help: 'AdamW decoupled weight decay (matrices)',
  },
  clip: { kind: 'float', default: 1, min: 0, help: 'clip the gradient to this 2-norm (0: off)' },
  evalEvery: { kind: 'int', default: 200, min: 1, help: 'steps between validation losses' },
  evalWindows: { kind: 'int', default: 200, min: 1, help: 'validation windows per evaluation' },
  seed: { kind: 'int', default: 1, min: 0, help: 'seed of the weights, batches and samples' },
  sample: { kind: 'int', default: 300, min: 0, help: 'characters to write at the end' },
  temperature: { kind: 'float', default: 0.8, min: 0, help: 'sampling temperature (0: greedy)' },
  topK: {
    kind: 'int',
    default: 0,
    min: 0,
    help: 'sample among the k likeliest characters (0: all)',
  },
  prompt: { kind: 'string', help: 'text the sample continues (default: a line break)' },
  backend: { kind: 'string', default: 'cpu', choices: ['cpu', 'webgpu'], help: 'compute backend' },
  save: { kind: 'string', help: 'write a checkpoint (safetensors) here at every evaluation' },
  resume: { kind: 'bool', help: 'continue from the checkpoint named by --save' },
  json: { kind: 'bool', help: 'end with one JSON line of the results' },
} as const satisfies Record<string, Flag>;

export type Options = Parsed<typeof FLAGS>;

export function parseOptions(argv: readonly string[]): Options & { help: boolean } {
  return parseFlags(argv, FLAGS);
}
