// Soak test of the trainer: many epochs (CPU) or many steps (WebGPU) in one process, recording the
// process's RSS and Nabla's memory() after every epoch, to show that memory stays flat. Not run in CI
// (it takes long on purpose); see the README's "Soak" section for the commands and what to expect.
//
//   node --expose-gc --import tsx --conditions=@nablajs/source scripts/soak.ts --backend cpu --epochs 50
//   node --expose-gc --import tsx --conditions=@nablajs/source scripts/soak.ts --backend webgpu --steps 2000 --limit 1000
import { writeFile } from 'node:fs/promises';
import { loadMnist } from '@nablajs/data';
import { memory } from '@nablajs/tensor';
import { parseFlags, selectBackend } from 'app-kit';
import { soakChart } from '../src/soak-chart.js';
import { type TrainConfig, train } from '../src/train.js';

const FLAGS = {
  backend: { kind: 'string', default: 'cpu', choices: ['cpu', 'webgpu'], help: 'compute backend' },
  epochs: {
    kind: 'int',
    min: 1,
    help: 'epochs to run (default 50; with --steps, as many as needed)',
  },
  steps: { kind: 'int', min: 1, help: 'mini-batch steps to run instead of --epochs' },
  limit: { kind: 'int', min: 1, help: 'training examples (default: all 50,000)' },
  hidden: { kind: 'list', default: [30], help: 'hidden layer sizes' },
  out: { kind: 'string', help: 'write the records as JSON here (and a chart, .svg, beside it)' },
} as const;

interface EpochRecord {
  epoch: number;
  steps: number;
  seconds: number;
  loss: number;
  rssMB: number;
  heapMB: number;
  tensors: number;
  tensorMB: number;
}

const MB = 1024 * 1024;
const o = parseFlags(process.argv.slice(2), FLAGS);
const backend = await selectBackend(o.backend as 'cpu' | 'webgpu');
const data = await loadMnist(
  o.limit ? { limit: o.limit, validation: Math.min(1000, o.limit) } : {},
);
const batchSize = 10;
const perEpoch = Math.ceil(data.train.count / batchSize);
const epochs = o.steps ? Math.ceil(o.steps / perEpoch) : (o.epochs ?? 50);
const config: TrainConfig = {
  hidden: o.hidden, activation: 'sigmoid', epochs, batchSize, lr: 0.5, optimizer: 'sgd',
  momentum: 0.9, l2: 5, weightDecay: 0, dropout: 0.1, seed: 1,
}; // prettier-ignore

const records: EpochRecord[] = [];
const gc = (globalThis as { gc?: () => void }).gc;
const start = performance.now();
console.log(
  `soak: ${o.backend}, ${epochs} epochs of ${perEpoch} steps (${data.train.count} examples), 784-${o.hidden.join('-')}-10${gc ? '' : ' (run node with --expose-gc for steadier numbers)'}`,
);
const run = await train(config, data, {
  progress: null,
  // awaited by train() before the next epoch: measured between epochs, after the event loop has
  // turned (finalizers of collected tensors, GPU buffers and CPU chunks alike, run only then)
  onEpoch: async (r) => {
    // two turns of the event loop around a collection: collected tensors' finalizers have run
    for (let i = 0; i < 2; i++) {
      gc?.();
      await new Promise((res) => setTimeout(res, 0));
    }
    const m = memory();
    const mine = m.backends[backend.name] ?? m;
    const rec: EpochRecord = {
      epoch: r.epoch,
      steps: r.epoch * perEpoch,
      seconds: (performance.now() - start) / 1000,
      loss: r.loss,
      rssMB: process.memoryUsage().rss / MB,
      heapMB: process.memoryUsage().heapUsed / MB,
      tensors: mine.tensors,
      tensorMB: mine.bytes / MB,
    };
    records.push(rec);
    console.log(
      `epoch ${rec.epoch}: ${rec.steps} steps, loss ${rec.loss.toFixed(4)}, RSS ${rec.rssMB.toFixed(1)} MB, heap ${rec.heapMB.toFixed(1)} MB, ${rec.tensors} tensors (${rec.tensorMB.toFixed(2)} MB)`,
    );
  },
});
void run.model; // alive until the last epoch is measured

// flat means: after the first epoch (warm-up: pools, slabs, compiled kernels), RSS and live tensors
// stay within a band instead of growing with the epochs
const after = records.slice(1);
const span = (f: (r: EpochRecord) => number) =>
  after.length ? Math.max(...after.map(f)) - Math.min(...after.map(f)) : 0;
const summary = {
  backend: o.backend,
  epochs,
  stepsPerEpoch: perEpoch,
  examples: data.train.count,
  rssMB: { first: records[0]?.rssMB, last: records.at(-1)?.rssMB, spanAfterFirst: span((r) => r.rssMB) },
  tensors: { first: records[0]?.tensors, last: records.at(-1)?.tensors, spanAfterFirst: span((r) => r.tensors) },
  records,
}; // prettier-ignore
console.log(
  `RSS after epoch 1: ${summary.rssMB.first?.toFixed(1)} MB, after epoch ${epochs}: ${summary.rssMB.last?.toFixed(1)} MB (range ${summary.rssMB.spanAfterFirst.toFixed(1)} MB from epoch 2 on); live tensors ${summary.tensors.first} → ${summary.tensors.last}`,
);
if (o.out) {
  await writeFile(o.out, `${JSON.stringify(summary, null, 1)}\n`);
  const svg = `${o.out.replace(/\.json$/, '')}.svg`;
  await writeFile(svg, soakChart(o.backend, records));
  console.log(`wrote ${o.out} and ${svg}`);
}
process.exit(0);
