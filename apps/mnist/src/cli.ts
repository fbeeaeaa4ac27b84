import { join, resolve } from 'node:path';
import { loadMnist } from '@nablajs/data';
import { selectBackend, UsageError, usage } from 'app-kit';
import { FLAGS, parseOptions } from './options.js';
import { checkOutputs } from './paths.js';
import { describeNet } from './model.js';
import { runCnnSweep } from './cnn-sweep.js';
import { runDepthSweep } from './sweep.js';
import { type EpochResult, type TrainConfig, train } from './train.js';

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

export function formatEpoch(r: EpochResult, epochs: number, samples: number): string {
  return [
    `epoch ${String(r.epoch).padStart(String(epochs).length)}/${epochs}`,
    `loss ${r.loss.toFixed(4)}`,
    `train ${pct(r.trainAccuracy)}`,
    `validation ${pct(r.validationAccuracy)}`,
    `test ${pct(r.testAccuracy)}`,
    `(${r.seconds.toFixed(2)} s, ${Math.round(samples / r.seconds).toLocaleString('en-US')} samples/s)`,
  ].join('  ');
}

async function main(argv: string[]): Promise<number> {
  let o;
  try {
    o = parseOptions(argv);
    if (o.resume && !o.save)
      throw new UsageError('--resume needs --save PATH (the checkpoint to continue)');
    if (o.dropout >= 1) throw new UsageError(`--dropout must be below 1, got ${o.dropout}`);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`mnist: ${e.message}\nRun with --help for the flags.\n`);
    return 2;
  }
  if (o.help) {
    process.stdout.write(
      `${usage('pnpm mnist', "Trains the lecture's network (784-30-10, sigmoid, cross-entropy, SGD), or a CNN (--model lenet|cnn), on MNIST.", FLAGS)}\n`,
    );
    return 0;
  }
  // pnpm runs the script in apps/mnist: paths the user typed are relative to where they typed them
  const here = (p: string) => resolve(process.env.INIT_CWD ?? process.cwd(), p);
  const save = o.save ? here(o.save) : undefined;
  const out = o.out ? here(o.out) : join(import.meta.dirname, '..', 'results');
  try {
    await checkOutputs({ save, out: o.sweep ? out : undefined });
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`mnist: ${e.message}\n`);
    return 2;
  }
  await selectBackend(o.backend as 'cpu' | 'webgpu');
  const data = await loadMnist(o.limit ? { limit: o.limit } : {});
  if (o.sweep === 'depth') {
    await runDepthSweep(data, {
      epochs: argv.includes('--epochs') ? o.epochs : 30,
      seed: o.seed,
      out,
      json: o.json,
    });
    return 0;
  }
  if (o.sweep === 'cnn') {
    await runCnnSweep(data, {
      epochs: argv.includes('--epochs') ? o.epochs : 10,
      seed: o.seed,
      out,
      backend: o.backend,
    });
    return 0;
  }
  const config: TrainConfig = {
    ...o,
    save,
    model: o.model as TrainConfig['model'],
    activation: o.activation as TrainConfig['activation'],
    optimizer: o.optimizer as TrainConfig['optimizer'],
    resume: o.resume,
  };
  console.log(
    `MNIST: ${describeNet(config)}, ${o.optimizer} lr ${o.lr}, mini-batch ${o.batchSize}, ${data.train.count.toLocaleString('en-US')} training / ${data.validation.count.toLocaleString('en-US')} validation / ${data.test.count.toLocaleString('en-US')} test images, backend ${o.backend}`,
  );
  const { history } = await train(config, data, {
    onEpoch: (r) => console.log(formatEpoch(r, o.epochs, data.train.count)),
  });
  const last = history[history.length - 1]!;
  if (o.json) {
    const secondsPerEpoch = history.reduce((s, r) => s + r.seconds, 0) / history.length;
    console.log(
      JSON.stringify({
        testAccuracy: last.testAccuracy,
        validationAccuracy: last.validationAccuracy,
        trainAccuracy: last.trainAccuracy,
        loss: last.loss,
        epochs: history.length,
        secondsPerEpoch,
        history,
      }),
    );
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`mnist: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
