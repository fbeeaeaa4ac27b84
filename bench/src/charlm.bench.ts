// Training steps of apps/char-lm's GPT in Nabla (CPU backend, in this process) beside the same GPT
// in PyTorch 1.13 CPU (bench/src/charlm/torch_gpt.py, 1 and 2 threads, each in a process of its own,
// one after another): G1 of BENCHMARKING.md (4 layers, 4 heads, d 128, context 128, 32 sequences of
// Moby-Dick) and S, the small model of apps/char-lm/results (d 64, context 32, names). Each peer
// warms up, then times SAMPLES runs of STEPS steps; the median seconds per step, wall-clock and CPU,
// give tokens/s. Writes results/charlm.md and results/charlm.json.
//
// Environment (for trying things out; such a run prints its table but writes no results):
//   CHARLM_PEERS=nabla,torch-1t,torch-2t   CHARLM_WORKLOADS=G1,S   CHARLM_STEPS=3
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpu } from '@nablajs/backend-cpu';
import { useBackend } from '@nablajs/tensor';
import { loadCorpus } from '../../apps/char-lm/src/datasets.js';
import { Run, type RunConfig } from '../../apps/char-lm/src/run.js';
import { machine, machineLines, markdownTable, median, torchEnv, writeResults } from './lib.js';

interface Workload {
  id: string;
  data: 'names' | 'moby-dick';
  config: RunConfig;
  what: string;
}

const common = { model: 'gpt', dropout: 0, tieWeights: false, batchSize: 32, warmup: 10, steps: 1000, weightDecay: 0.1, clip: 1, seed: 1 } as const; // prettier-ignore
const WORKLOADS: Workload[] = [
  { id: 'G1', data: 'moby-dick', config: { ...common, layers: 4, heads: 4, dim: 128, context: 128, lr: 3e-4 }, what: '4 layers, 4 heads, d 128, context 128, batch 32, Moby-Dick (vocabulary 89)' },
  { id: 'S', data: 'names', config: { ...common, layers: 4, heads: 4, dim: 64, context: 32, lr: 1e-3 }, what: '4 layers, 4 heads, d 64, context 32, batch 32, names (vocabulary 54)' },
]; // prettier-ignore
const PEERS = ['nabla', 'torch-1t', 'torch-2t'] as const;
type Peer = (typeof PEERS)[number];

const list = (name: string) => process.env[name]?.split(',').filter(Boolean);
const peers = PEERS.filter((p) => list('CHARLM_PEERS')?.includes(p) ?? true);
const workloads = WORKLOADS.filter((w) => list('CHARLM_WORKLOADS')?.includes(w.id) ?? true);
const STEPS = Number(process.env.CHARLM_STEPS ?? 3);
const filtered = Boolean(list('CHARLM_PEERS') || list('CHARLM_WORKLOADS') || process.env.CHARLM_STEPS); // prettier-ignore
const WARMUP = 3;
const SAMPLES = 3;

interface Timing {
  secondsPerStep: number;
  cpuSecondsPerStep: number;
  samples: number[];
  loadAverage: number;
}

async function nabla(w: Workload): Promise<Timing> {
  useBackend(cpu());
  const run = new Run(w.config, await loadCorpus(w.data));
  const loadAverage = os.loadavg()[0]!;
  await run.train(WARMUP);
  const wall: number[] = [];
  const cpuTimes: number[] = [];
  for (let s = 0; s < SAMPLES; s++) {
    const start = performance.now();
    const used = process.cpuUsage();
    await run.train(STEPS); // ends with a read of the loss
    const { user, system } = process.cpuUsage(used);
    wall.push((performance.now() - start) / 1000 / STEPS);
    cpuTimes.push((user + system) / 1e6 / STEPS);
  }
  return {
    secondsPerStep: median(wall),
    cpuSecondsPerStep: median(cpuTimes),
    samples: wall,
    loadAverage,
  };
}

const script = fileURLToPath(new URL('./charlm/torch_gpt.py', import.meta.url));

async function torch(
  w: Workload,
  threads: number,
  dir: string,
): Promise<Timing & { torch: string }> {
  const c = await loadCorpus(w.data);
  const corpus = join(dir, `${w.data}.json`);
  writeFileSync(
    corpus,
    JSON.stringify({ train: c.train, validation: c.validation, chars: c.vocab.chars }),
  );
  const spec = join(dir, `${w.id}-${threads}.json`);
  writeFileSync(spec, JSON.stringify({ corpus, config: w.config, threads, warmup: WARMUP, samples: SAMPLES, steps: STEPS })); // prettier-ignore
  const loadAverage = os.loadavg()[0]!;
  const p = spawnSync('/usr/bin/python3', [script, 'bench', spec], { encoding: 'utf8', env: torchEnv(threads) }); // prettier-ignore
  if (p.status !== 0) throw new Error(`torch_gpt.py failed (exit ${p.status}): ${p.stderr}`);
  return { ...(JSON.parse(p.stdout) as Timing & { torch: string }), loadAverage };
}

const m = machine();
const dir = mkdtempSync(join(tmpdir(), 'charlm-bench-'));
const results: Record<string, Partial<Record<Peer, Timing & { torch?: string }>>> = {};
try {
  for (const w of workloads) {
    results[w.id] = {};
    for (const peer of peers) {
      console.log(`${w.id} ${peer}…`);
      const t =
        peer === 'nabla' ? await nabla(w) : await torch(w, peer === 'torch-1t' ? 1 : 2, dir);
      results[w.id]![peer] = t;
      console.log(
        `  ${t.secondsPerStep.toFixed(3)} s/step (CPU ${t.cpuSecondsPerStep.toFixed(3)} s), load ${t.loadAverage.toFixed(1)}`,
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const tokens = (w: Workload) => w.config.batchSize * w.config.context;
const fmtRate = (w: Workload, s: number) => Math.round(tokens(w) / s).toLocaleString('en-US');
const rows = workloads.flatMap((w) =>
  peers.map((peer) => {
    const t = results[w.id]![peer]!;
    const base = results[w.id]!.nabla;
    return [
      `${w.id} ${peer}`,
      `${t.secondsPerStep.toFixed(3)}`,
      fmtRate(w, t.secondsPerStep),
      base ? (base.secondsPerStep / t.secondsPerStep).toFixed(2) : '—',
      `${t.cpuSecondsPerStep.toFixed(3)}`,
      base ? (base.cpuSecondsPerStep / t.cpuSecondsPerStep).toFixed(2) : '—',
      t.loadAverage.toFixed(1),
    ];
  }),
);
const torchVersion = Object.values(results).flatMap((r) => Object.values(r)).find((t) => t?.torch)?.torch; // prettier-ignore
const md = [
  '# Training a character-level GPT: Nabla (CPU) beside PyTorch CPU',
  '',
  ...machineLines(m),
  `- PyTorch ${torchVersion ?? '?'} (Debian python3-torch, OpenBLAS), \`torch.set_num_threads(n)\` with OPENBLAS_NUM_THREADS=n`,
  '- not measured on a GPU',
  '',
  ...workloads.map((w) => `- ${w.id}: ${w.what}; AdamW, warm-up + cosine (LambdaLR), gradients clipped to norm 1; apps/char-lm's model (pre-norm TransformerEncoderLayers, GELU, causal mask)`),
  `- protocol: ${WARMUP} warm-up steps, then the median of ${SAMPLES} runs of ${STEPS} steps (each run ends with a read of the loss)`,
  '',
  markdownTable(
    ['workload, peer', 's/step', 'tokens/s', 'Nabla ÷ peer (time)', 'CPU s/step', 'Nabla ÷ peer (CPU)', 'load avg'],
    rows,
  ),
  '',
  'Ratios above 1: the peer is faster. CPU s/step counts every thread (PyTorch with 2 threads uses up to',
  "2 CPU-seconds per second); on this shared machine it is the steadier measure of the work done.",
].join('\n'); // prettier-ignore
console.log(md);
if (!filtered)
  writeResults('charlm', md, {
    machine: m,
    warmup: WARMUP,
    samples: SAMPLES,
    steps: STEPS,
    workloads,
    results,
  });
