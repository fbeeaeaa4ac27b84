import { type Flag, type Parsed, parseFlags, UsageError } from 'app-kit';
import { ACTIVATIONS, INITS } from './model.js';

export const STUDIES = ['depth', 'activation', 'init', 'pretrain'] as const;
export type Study = (typeof STUDIES)[number];

/** The sizes of a full run and of a --quick one; explicit flags override either. */
const FULL = { epochs: 10, trainSize: 20_000, testSize: 10_000, pretrainEpochs: 2 };
const QUICK = { epochs: 2, trainSize: 1_000, testSize: 1_000, pretrainEpochs: 1 };

export const FLAGS = {
  depth: {
    kind: 'list',
    default: [2, 3, 4],
    help: 'hidden layers of the sigmoid nets compared; the remedies use the deepest',
  },
  width: { kind: 'int', default: 30, min: 1, help: 'units per hidden layer' },
  activation: {
    kind: 'strings',
    default: ACTIVATIONS,
    choices: ACTIVATIONS,
    help: 'activations compared on the deepest net',
  },
  init: {
    kind: 'strings',
    default: INITS,
    choices: INITS,
    help: 'weight initialisations compared (sigmoid, deepest net)',
  },
  study: {
    kind: 'strings',
    default: STUDIES,
    choices: STUDIES,
    help: 'which comparisons to run',
  },
  epochs: {
    kind: 'int',
    min: 1,
    help: `training epochs (default ${FULL.epochs}; ${QUICK.epochs} with --quick)`,
  },
  trainSize: {
    kind: 'int',
    min: 1,
    help: `train on the first N training images (default ${FULL.trainSize}; ${QUICK.trainSize} with --quick)`,
  },
  testSize: {
    kind: 'int',
    min: 1,
    help: `test on the first N test images (default ${FULL.testSize}; ${QUICK.testSize} with --quick)`,
  },
  probeSize: {
    kind: 'int',
    default: 1000,
    min: 1,
    help: 'the fixed batch of training images on which ‖∂C/∂b^l‖ is measured',
  },
  batchSize: { kind: 'int', default: 10, min: 1, help: 'mini-batch size' },
  lr: { kind: 'float', default: 0.1, min: 0, help: 'learning rate η' },
  l2: { kind: 'float', default: 5, min: 0, help: "L2 λ on the weights, Nielsen's λ/n scaling" },
  pretrainEpochs: {
    kind: 'int',
    min: 1,
    help: `epochs of each layer's autoencoder (default ${FULL.pretrainEpochs}; ${QUICK.pretrainEpochs} with --quick)`,
  },
  backend: { kind: 'string', default: 'cpu', choices: ['cpu', 'webgpu'], help: 'compute backend' },
  seed: { kind: 'int', default: 1, min: 0, help: 'seed of initialisation and shuffling' },
  quick: {
    kind: 'bool',
    help: `a small run: ${QUICK.trainSize.toLocaleString('en-US')} images, ${QUICK.epochs} epochs`,
  },
  out: {
    kind: 'string',
    help: 'folder for the charts, report and JSON (default results/, or results/quick/ with --quick)',
  },
} as const satisfies Record<string, Flag>;

export interface Options extends Omit<
  Parsed<typeof FLAGS>,
  'epochs' | 'trainSize' | 'testSize' | 'pretrainEpochs' | 'out' | 'backend'
> {
  epochs: number;
  trainSize: number;
  testSize: number;
  pretrainEpochs: number;
  backend: 'cpu' | 'webgpu';
  activation: (typeof ACTIVATIONS)[number][];
  init: (typeof INITS)[number][];
  study: Study[];
  quick: boolean;
  out?: string | undefined;
  help: boolean;
}

/** Parses the command line and fills the sizes from --quick or the full run; throws UsageError. */
export function parseOptions(argv: readonly string[]): Options {
  const f = parseFlags(argv, FLAGS);
  const sizes = f.quick ? QUICK : FULL;
  const o = {
    ...f,
    epochs: f.epochs ?? sizes.epochs,
    trainSize: f.trainSize ?? sizes.trainSize,
    testSize: f.testSize ?? sizes.testSize,
    pretrainEpochs: f.pretrainEpochs ?? sizes.pretrainEpochs,
    quick: f.quick === true,
  } as Options;
  if (o.depth.length === 0) throw new UsageError('--depth needs at least one depth');
  // a run smaller than the fixed batch measures on all it trains on
  return { ...o, probeSize: Math.min(o.probeSize, o.trainSize) };
}
