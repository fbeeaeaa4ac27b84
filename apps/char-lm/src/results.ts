// `pnpm --filter char-lm results`: the reference comparison of results/. The app's GPT trained by
// Nabla and the same GPT trained by PyTorch 1.13 (bench/src/charlm/torch_gpt.py) on the same split
// of the names corpus, the same windows in the same order, the same initialisation scheme, optimizer,
// schedule and clipping; PyTorch once from Nabla's very initial weights (loaded from safetensors) and
// three times from its own draws of the same scheme (seeds 1–3, the spread a seed makes). Writes
// reference.md (the table), reference.json, loss-curves.svg and samples.md. Takes several minutes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpu } from '@nablajs/backend-cpu';
import { save } from '@nablajs/nn';
import { useBackend } from '@nablajs/tensor';
import { lineChart, type Series } from 'app-kit';
import type { EvalPoint } from './checkpoint.js';
import { loadCorpus } from './datasets.js';
import { countParameters } from './model.js';
import { Run } from './run.js';
import { generate } from './sample.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const RESULTS = here('../results/');
const SCRIPT = here('../../../bench/src/charlm/torch_gpt.py');

/** The reference run: a small GPT on names, a few hundred steps (the machine is small and shared). */
export const REFERENCE = {
  model: 'gpt' as const,
  layers: 4,
  heads: 4,
  dim: 64,
  context: 32,
  dropout: 0,
  tieWeights: false,
  batchSize: 32,
  steps: 400,
  warmup: 40,
  lr: 1e-3,
  weightDecay: 0.1,
  clip: 1,
  seed: 1,
};
/** `--quick`: 20 steps and one PyTorch seed, printed, results/ left alone (a check of the pipeline). */
const QUICK = process.argv.includes('--quick');
if (QUICK) Object.assign(REFERENCE, { steps: 20, warmup: 4 });
const EVAL_EVERY = QUICK ? 10 : 40;
const EVAL_WINDOWS = 1000; // all of the validation names' windows
const SAMPLE = { prompt: '\n', length: 400, temperature: 0.8, topK: 0, seed: 1 };
const TORCH_SEEDS = QUICK ? [2] : [1, 2, 3];

interface TorchResult {
  torch: string;
  history: EvalPoint[];
  sample: string;
}

function torch(spec: object, dir: string, name: string): TorchResult {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify({ ...spec, threads: 1 }));
  const p = spawnSync('/usr/bin/python3', [SCRIPT, 'train', path], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' },
  });
  if (p.status !== 0) throw new Error(`${SCRIPT} ${name} failed (exit ${p.status})`);
  return JSON.parse(p.stdout) as TorchResult;
}

const lastLoss = (h: readonly EvalPoint[]) => h.at(-1)!.validationLoss;
const fmt = (x: number) => x.toFixed(4);
const pct = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(2)} %`;

async function main() {
  useBackend(cpu());
  const corpus = await loadCorpus('names');
  const dir = mkdtempSync(join(tmpdir(), 'char-lm-results-'));
  const load0 = os.loadavg()[0]!;
  try {
    const corpusPath = join(dir, 'corpus.json');
    writeFileSync(
      corpusPath,
      JSON.stringify({
        train: corpus.train,
        validation: corpus.validation,
        chars: corpus.vocab.chars,
      }),
    );
    // Nabla: its initial weights saved for PyTorch first
    const run = new Run(REFERENCE, corpus);
    const initPath = join(dir, 'init.safetensors');
    await save(run.model.stateDict(), initPath);
    const history: EvalPoint[] = [];
    let seconds = 0;
    while (run.step < REFERENCE.steps) {
      const start = performance.now();
      const trainLoss = await run.train(EVAL_EVERY);
      seconds += (performance.now() - start) / 1000;
      history.push({
        step: run.step,
        trainLoss,
        validationLoss: await run.validationLoss(EVAL_WINDOWS),
        seconds,
      });
      console.error(
        `nabla step ${run.step}: validation loss ${fmt(history.at(-1)!.validationLoss)}`,
      );
    }
    const ids = await generate(run.model, corpus.vocab.encode(SAMPLE.prompt), SAMPLE);
    const nablaSample = corpus.vocab.decode(ids);

    const spec = {
      corpus: corpusPath,
      config: REFERENCE,
      evalEvery: EVAL_EVERY,
      evalWindows: EVAL_WINDOWS,
      sample: SAMPLE,
    };
    const same = torch({ ...spec, init: initPath }, dir, 'same-init');
    const own = TORCH_SEEDS.map((seed) =>
      torch({ ...spec, config: { ...REFERENCE, seed } }, dir, `seed-${seed}`),
    );
    const ownMean = own.reduce((s, r) => s + lastLoss(r.history), 0) / own.length;
    const nabla = lastLoss(history);
    const rows = history.map((p, i) => [
      String(p.step),
      fmt(p.validationLoss),
      fmt(same.history[i]!.validationLoss),
      ...own.map((r) => fmt(r.history[i]!.validationLoss)),
    ]);
    const ownLosses = own.map((r) => lastLoss(r.history));
    const md = [
      '# Nabla vs PyTorch: the same small GPT on English first names',
      '',
      `Made by \`pnpm --filter char-lm results\` (apps/char-lm/src/results.ts) on ${new Date().toISOString().slice(0, 10)}; PyTorch ${same.torch} on the CPU, float32 both. Load average at the start: ${load0.toFixed(2)}.`,
      '',
      `The model: ${REFERENCE.layers} pre-norm Transformer blocks, ${REFERENCE.heads} heads, width ${REFERENCE.dim}, context ${REFERENCE.context}, GELU, untied output layer (${countParameters(run.model).toLocaleString('en-US')} parameters, vocabulary ${corpus.vocab.size}); nanoGPT's initialisation (N(0, 0.02²), residual projections 0.02/√(2·layers)). Training: ${REFERENCE.steps} steps of ${REFERENCE.batchSize} random windows (the same windows, in the same order, on both sides: Mulberry32 seed ${REFERENCE.seed}), AdamW (β = 0.9, 0.99; weight decay ${REFERENCE.weightDecay} on matrices and embeddings) at a peak learning rate of ${REFERENCE.lr} with ${REFERENCE.warmup} steps of linear warm-up and a cosine to a tenth, gradients clipped to norm ${REFERENCE.clip}. Validation loss: mean cross-entropy (nats per character) over every window of the validation names.`,
      '',
      "| step | Nabla | PyTorch, Nabla's initial weights | " +
        TORCH_SEEDS.map((s) => `PyTorch, own init seed ${s}`).join(' | ') +
        ' |',
      '|---:|---:|---:|' + TORCH_SEEDS.map(() => '---:').join('|') + '|',
      ...rows.map((r) => `| ${r.join(' | ')} |`),
      '',
      `After ${REFERENCE.steps} steps: Nabla ${fmt(nabla)}; PyTorch from the same initial weights ${fmt(lastLoss(same.history))} (Nabla ${pct(nabla / lastLoss(same.history) - 1)}); PyTorch from its own draws ${ownLosses.map(fmt).join(', ')}, mean ${fmt(ownMean)} (Nabla ${pct(nabla / ownMean - 1)}). The target: within 2 %.`,
      '',
      `Training time (evaluations excluded, one thread each, this shared machine): Nabla ${seconds.toFixed(1)} s, PyTorch ${same.history.at(-1)!.seconds.toFixed(1)} s; see bench/results/charlm.md for the speed comparison.`,
      '',
      '![Validation loss of both](loss-curves.svg)',
      '',
    ].join('\n');
    console.log(md);
    if (QUICK) return;
    writeFileSync(join(RESULTS, 'reference.md'), md);
    writeFileSync(
      join(RESULTS, 'reference.json'),
      `${JSON.stringify({ config: REFERENCE, evalEvery: EVAL_EVERY, loadAverage: load0, nabla: { history, sample: nablaSample }, torchSameInit: same, torchOwnInit: own }, null, 1)}\n`,
    );
    const series: Series[] = [
      { name: 'Nabla', points: history.map((p) => [p.step, p.validationLoss]) },
      {
        name: "PyTorch, Nabla's init",
        points: same.history.map((p) => [p.step, p.validationLoss]),
        dash: '6 3',
      },
      ...own.map((r, i) => ({
        name: `PyTorch, seed ${TORCH_SEEDS[i]}`,
        points: r.history.map((p): [number, number] => [p.step, p.validationLoss]),
        color: '#999999',
        dash: '2 3',
      })),
    ];
    writeFileSync(
      join(RESULTS, 'loss-curves.svg'),
      lineChart({
        title: 'Validation loss, GPT on names',
        xLabel: 'step',
        yLabel: 'nats per character',
        series,
        integerX: true,
      }),
    );
    const names = (s: string) =>
      s
        .split('\n')
        .filter((n) => n !== '')
        .slice(0, 40)
        .join(', ');
    writeFileSync(
      join(RESULTS, 'samples.md'),
      [
        '# Samples after the reference run',
        '',
        `${SAMPLE.length} characters from a line break, temperature ${SAMPLE.temperature}, seed ${SAMPLE.seed} (made by \`pnpm --filter char-lm results\`). Invented names, one a line in the text; here separated by commas.`,
        '',
        '**Nabla**',
        '',
        names(nablaSample),
        '',
        "**PyTorch (from Nabla's initial weights)**",
        '',
        names(same.sample),
        '',
      ].join('\n'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
