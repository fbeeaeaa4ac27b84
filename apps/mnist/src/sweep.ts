import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MnistData } from '@nablajs/data';
import { lineChart } from 'app-kit';
import { type EpochResult, train } from './train.js';

/** The lecture's table (from Nielsen, chapter 5): validation accuracy by number of hidden layers. */
export const LECTURE = [0.88, 0.965, 0.969, 0.965, 0.965];

export interface SweepRow {
  depth: number;
  history: EpochResult[];
  best: number;
  final: EpochResult;
}

/** Nielsen's setup for the depth experiment: 30 sigmoid units a layer, 30 epochs, mini-batch 10,
 * η = 0.1, cross-entropy, L2 λ = 5.0 (scaled by n). */
export async function runDepthSweep(
  data: MnistData,
  o: { epochs: number; seed: number; out: string; json?: boolean },
): Promise<SweepRow[]> {
  const rows: SweepRow[] = [];
  for (let depth = 0; depth < LECTURE.length; depth++) {
    const hidden = Array<number>(depth).fill(30);
    console.log(`depth ${depth}: 784-${[...hidden, 10].join('-')}`);
    const { history } = await train(
      {
        hidden,
        activation: 'sigmoid',
        epochs: o.epochs,
        batchSize: 10,
        lr: 0.1,
        optimizer: 'sgd',
        momentum: 0,
        l2: 5.0,
        weightDecay: 0,
        seed: o.seed,
      },
      data,
      {
        label: `depth ${depth} `,
        onEpoch: (r) =>
          console.log(
            `  epoch ${r.epoch}/${o.epochs}: validation ${(100 * r.validationAccuracy).toFixed(2)}%, test ${(100 * r.testAccuracy).toFixed(2)}% (${r.seconds.toFixed(1)} s)`,
          ),
      },
    );
    const final = history[history.length - 1]!;
    rows.push({
      depth,
      history,
      best: Math.max(...history.map((r) => r.validationAccuracy)),
      final,
    });
  }
  const md = depthTable(rows, o.epochs);
  console.log(`\n${md}`);
  await mkdir(o.out, { recursive: true });
  await writeFile(join(o.out, 'depth.md'), md);
  await writeFile(
    join(o.out, 'depth.json'),
    `${JSON.stringify({ epochs: o.epochs, seed: o.seed, rows }, null, 1)}\n`,
  );
  await writeFile(join(o.out, 'depth.svg'), depthChart(rows));
  await writeFile(join(o.out, 'depth-zoom.svg'), depthChart(rows, [90, 98]));
  console.log(`wrote ${join(o.out, 'depth.md')}, depth.json, depth.svg and depth-zoom.svg`);
  return rows;
}

const pct = (x: number) => `${(100 * x).toFixed(2)} %`;

export function depthTable(rows: readonly SweepRow[], epochs: number): string {
  return [
    `| hidden layers (30 sigmoid units each) | lecture | Nabla: best validation | Nabla: final validation | Nabla: final test |`,
    `|---|---:|---:|---:|---:|`,
    ...rows.map(
      (r) =>
        `| ${r.depth} | ≈ ${(100 * LECTURE[r.depth]!).toFixed(1)} % | ${pct(r.best)} | ${pct(r.final.validationAccuracy)} | ${pct(r.final.testAccuracy)} |`,
    ),
    '',
    `${epochs} epochs, mini-batch 10, η = 0.1, cross-entropy on softmax outputs, L2 λ = 5.0 scaled by n = ${rows[0]?.history.length ? 'the training-set size' : 'n'}.`,
  ].join('\n');
}

/** Validation accuracy per epoch for each depth; `yRange` (in %) zooms in. */
export function depthChart(rows: readonly SweepRow[], yRange?: readonly [number, number]): string {
  return lineChart({
    title: `MNIST validation accuracy by depth (30 sigmoid units a layer)${yRange ? ', zoomed' : ''}`,
    integerX: true,
    ...(yRange ? { yRange } : {}),
    xLabel: 'epoch',
    yLabel: 'validation accuracy (%)',
    series: rows.map((r) => ({
      name: `${r.depth} hidden`,
      points: r.history.map((h) => [h.epoch, 100 * h.validationAccuracy] as const),
    })),
  });
}
