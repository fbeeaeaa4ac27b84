import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MnistData } from '@nablajs/data';
import { lineChart } from 'app-kit';
import type { ModelKind } from './model.js';
import { type EpochResult, train } from './train.js';

/** The networks of the CNN run, and what a PyTorch 1.13 run of LeNet reached here (issue 16). */
export const CNN_MODELS: readonly ModelKind[] = ['lenet', 'cnn'];
const PYTORCH_LENET: Record<number, number> = { 1: 0.972, 5: 0.989 };

export interface CnnRow {
  model: ModelKind;
  history: EpochResult[];
}

/**
 * `pnpm mnist --sweep cnn`: LeNet-5 and the batch-norm CNN with Adam (η = 0.001), mini-batches of 64,
 * shuffled, `epochs` epochs each; writes `cnn.md` (a table per epoch), `cnn.json` and `cnn.svg`
 * (test accuracy per epoch) to `out`.
 */
export async function runCnnSweep(
  data: MnistData,
  o: { epochs: number; seed: number; out: string; backend: string },
): Promise<CnnRow[]> {
  const rows: CnnRow[] = [];
  for (const model of CNN_MODELS) {
    console.log(`${model}: Adam η = 0.001, mini-batch 64, ${o.epochs} epochs`);
    const { history } = await train(
      {
        model,
        hidden: [],
        activation: 'relu',
        epochs: o.epochs,
        batchSize: 64,
        lr: 1e-3,
        optimizer: 'adam',
        momentum: 0,
        l2: 0,
        weightDecay: 0,
        seed: o.seed,
      },
      data,
      {
        label: `${model} `,
        onEpoch: (r) =>
          console.log(
            `  epoch ${r.epoch}/${o.epochs}: loss ${r.loss.toFixed(4)}, validation ${pct(r.validationAccuracy)}, test ${pct(r.testAccuracy)} (${r.seconds.toFixed(1)} s)`,
          ),
      },
    );
    rows.push({ model, history });
  }
  const md = cnnTable(rows, data.train.count, o.backend);
  console.log(`\n${md}`);
  await mkdir(o.out, { recursive: true });
  await writeFile(join(o.out, 'cnn.md'), md);
  await writeFile(
    join(o.out, 'cnn.json'),
    `${JSON.stringify({ epochs: o.epochs, seed: o.seed, backend: o.backend, rows }, null, 1)}\n`,
  );
  await writeFile(join(o.out, 'cnn.svg'), cnnChart(rows));
  console.log(`wrote ${join(o.out, 'cnn.md')}, cnn.json and cnn.svg`);
  return rows;
}

const pct = (x: number) => `${(100 * x).toFixed(2)} %`;

/** One row per epoch: each model's loss, validation and test accuracy and seconds. */
export function cnnTable(rows: readonly CnnRow[], trainCount: number, backend: string): string {
  const epochs = Math.max(...rows.map((r) => r.history.length));
  const head = rows.flatMap((r) => [
    `${r.model}: loss`,
    `${r.model}: validation`,
    `${r.model}: test`,
    `${r.model}: s`,
  ]);
  const lines = [
    `| epoch | ${head.join(' | ')} | PyTorch LeNet: test |`,
    `|---:|${head.map(() => '---:').join('|')}|---:|`,
  ];
  for (let e = 0; e < epochs; e++) {
    const cells = rows.flatMap((r) => {
      const h = r.history[e];
      return h
        ? [h.loss.toFixed(4), pct(h.validationAccuracy), pct(h.testAccuracy), h.seconds.toFixed(1)]
        : ['', '', '', ''];
    });
    const torch = PYTORCH_LENET[e + 1];
    lines.push(`| ${e + 1} | ${cells.join(' | ')} | ${torch ? pct(torch) : ''} |`);
  }
  lines.push(
    '',
    `Adam (η = 0.001), mini-batch 64, shuffled each epoch, cross-entropy; ${trainCount.toLocaleString('en-US')} training images, backend ${backend}. ` +
      'Loss: mean training cross-entropy of the epoch; s: seconds of training (evaluation excluded).',
  );
  return lines.join('\n');
}

/** Test accuracy per epoch of each model. */
export function cnnChart(rows: readonly CnnRow[]): string {
  return lineChart({
    title: 'MNIST test accuracy of the CNNs (Adam, mini-batch 64)',
    integerX: true,
    xLabel: 'epoch',
    yLabel: 'test accuracy (%)',
    series: rows.map((r) => ({
      name: r.model,
      points: r.history.map((h) => [h.epoch, 100 * h.testAccuracy] as const),
    })),
  });
}
