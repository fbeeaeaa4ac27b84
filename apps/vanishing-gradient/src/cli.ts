import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMnist, type MnistSplit } from '@nablajs/data';
import { tensor } from '@nablajs/tensor';
import { type ProgressSink, selectBackend, usage, UsageError } from 'app-kit';
import { runExperiment } from './experiment.js';
import { FLAGS, type Options, parseOptions } from './options.js';
import { renderReport } from './report.js';
import type { Data, Split } from './train.js';

const APP = join(import.meta.dirname, '..');

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** The progress bar's sink (stderr by default); null for none. */
  progress?: ProgressSink | null;
  /** Where relative --out paths start (pnpm runs scripts in the app folder, INIT_CWD is the user's). */
  cwd?: string;
}

const first = (s: Pick<MnistSplit, 'images' | 'labels' | 'count'>, n: number): Split => {
  const count = Math.min(n, s.count);
  return {
    images: s.images.subarray(0, count * 784),
    labels: s.labels.subarray(0, count),
    count,
  };
};

export async function loadData(o: Options): Promise<Data> {
  const mnist = await loadMnist({ limit: Math.max(o.trainSize, o.testSize) });
  const train = first(mnist.train, o.trainSize);
  const probe = first(train, o.probeSize);
  return {
    train,
    test: first(mnist.test, o.testSize),
    probe: {
      x: tensor(probe.images, { shape: [probe.count, 784] }),
      y: tensor(probe.labels),
      count: probe.count,
    },
  };
}

/** Writes `text` to `path` through a temporary file, so a crash never leaves half a file. */
function writeAtomic(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

/** The command line, run in-process: returns the exit code. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  let o: Options;
  try {
    o = parseOptions(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr(`vanishing-gradient: ${e.message}\nRun with --help for the flags.\n`);
    return 2;
  }
  if (o.help) {
    io.stdout(
      `${usage('pnpm --filter vanishing-gradient start --', "Measures how fast each hidden layer of deep sigmoid nets learns on MNIST (the lecture's vanishing gradient), and the remedies: tanh and ReLU, weight initialisations, greedy layer-wise pre-training. Writes SVG charts, report.html and results.json.", FLAGS)}\n`,
    );
    return 0;
  }
  const out = o.out
    ? resolve(io.cwd ?? process.cwd(), o.out)
    : join(APP, 'results', o.quick ? 'quick' : '');
  await selectBackend(o.backend);
  const data = await loadData(o);
  io.stdout(
    `MNIST: ${data.train.count.toLocaleString('en-US')} training images, ${o.epochs} epochs, mini-batch ${o.batchSize}, η ${o.lr}, λ ${o.l2}; ‖∂C/∂b^l‖ on ${data.probe.count.toLocaleString('en-US')} images; backend ${o.backend}\n`,
  );
  const results = await runExperiment(o, data, {
    progress: io.progress === undefined ? process.stderr : io.progress,
    log: (line) => io.stdout(`${line}\n`),
  });
  const { charts, html } = renderReport(results);
  mkdirSync(out, { recursive: true });
  for (const [file, svg] of Object.entries(charts)) writeAtomic(join(out, file), svg);
  writeAtomic(join(out, 'report.html'), html);
  writeAtomic(join(out, 'results.json'), `${JSON.stringify(results, null, 1)}\n`);
  io.stdout(
    `chain: product ${results.chain.product.toExponential(6)}, autograd ∂C/∂b1 ${results.chain.autograd.toExponential(6)}\n` +
      `wrote ${Object.keys(charts).length} charts, report.html and results.json to ${out} (${(results.seconds / 60).toFixed(1)} min)\n`,
  );
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  run(process.argv.slice(2), {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    cwd: process.env.INIT_CWD,
  }).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`vanishing-gradient: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
