// Training an MLP on MNIST for one epoch (workloads W1–W3 of BENCHMARKING.md) in Nabla (CPU backend),
// PyTorch CPU (Debian's python3-torch 1.13 with OpenBLAS, 1 and 2 threads) and TF.js 4.22 (`wasm`
// and `cpu`), each peer on each workload in a process of its own, one after another, never two at
// once. Writes results/mnist.md and results/mnist.json.
//
// Environment (for trying things out; a filtered run prints its table but writes no results):
//   MNIST_PEERS=nabla,nabla-1t,torch-1t,torch-2t,tfjs-wasm,tfjs-cpu   which peers
//   MNIST_PROFILE=0                                           skip Nabla's profiled runs
//   MNIST_WORKLOADS=W1,W2,W3                                  which workloads
//   MNIST_EPOCHS=3                                            timed epochs (TF.js cpu on W3: 1 by default)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { mnistDataDir } from '@nablajs/data';
import { coretype, machine, machineLines, median, torchEnv, writeResults } from './lib.js';
import { detailTable, fastest, resultsTable, type Row } from './mnist/format.js';
import { breakdown, type CpuProfile, profileTable, type StepProfile } from './mnist/profile.js';
import { parseResult } from './mnist/protocol.js';
import {
  EPOCHS,
  TRAIN_COUNT,
  WARMUP_BATCHES,
  batchesPerEpoch,
  describeWorkload,
  type Measurement,
  type Workload,
  workloads as allWorkloads,
} from './mnist/workloads.js';

const python = '/usr/bin/python3';
const peerScript = fileURLToPath(new URL('./mnist/peer.ts', import.meta.url));
const torchScript = fileURLToPath(new URL('./mnist/torch_mnist.py', import.meta.url));

const allPeers = ['nabla', 'nabla-1t', 'torch-1t', 'torch-2t', 'tfjs-wasm', 'tfjs-cpu'] as const;
type Peer = (typeof allPeers)[number];

const list = (name: string): string[] | undefined =>
  process.env[name]
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const peerFilter = list('MNIST_PEERS');
const workloadFilter = list('MNIST_WORKLOADS');
const epochsOverride = process.env.MNIST_EPOCHS ? Number(process.env.MNIST_EPOCHS) : undefined;
const filtered = Boolean(peerFilter || workloadFilter || epochsOverride);
const peers = allPeers.filter((p) => !peerFilter || peerFilter.includes(p));
const workloads = allWorkloads.filter((w) => !workloadFilter || workloadFilter.includes(w.id));

/** TF.js cpu takes ~85 s per W3 epoch: one timed epoch keeps the whole run near 10 minutes. */
function epochsFor(peer: Peer, w: Workload): number {
  if (epochsOverride) return epochsOverride;
  return peer === 'tfjs-cpu' && w.id === 'W3' ? 1 : EPOCHS;
}

function command(peer: Peer, w: Workload, epochs: number, dataDir: string) {
  if (peer === 'torch-1t' || peer === 'torch-2t') {
    const threads = peer === 'torch-1t' ? 1 : 2;
    return {
      file: python,
      args: [
        torchScript,
        '--data',
        dataDir,
        '--workload',
        JSON.stringify(w),
        '--threads',
        `${threads}`,
        '--epochs',
        `${epochs}`,
      ],
      env: torchEnv(threads),
    };
  }
  return {
    file: process.execPath,
    args: [...process.execArgv, peerScript, peer, w.id, `${epochs}`],
    env: process.env,
  };
}

interface Run {
  measurement?: Measurement;
  error?: string;
  loadAverage: number;
  wallSeconds: number;
}

const load1 = () => Math.round(os.loadavg()[0]! * 100) / 100;
const facts = machine();
const dataDir = await mnistDataDir();
const runs = new Map<string, Run>(); // key `${peer} ${workload}`
const started = performance.now();

for (const w of workloads) {
  console.log(`\n${w.id}: ${describeWorkload(w)}`);
  for (const peer of peers) {
    const epochs = epochsFor(peer, w);
    const { file, args, env } = command(peer, w, epochs, dataDir);
    const loadAverage = load1();
    const t0 = performance.now();
    // progress (stderr) shows as it comes; the result is the marked line of stdout
    const child = spawnSync(file, args, {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
      maxBuffer: 64 * 2 ** 20,
    });
    const run: Run = { loadAverage, wallSeconds: (performance.now() - t0) / 1000 };
    if (child.status === 0) {
      try {
        run.measurement = parseResult(child.stdout);
      } catch (e) {
        run.error = (e as Error).message;
      }
    } else {
      run.error = `exit ${child.status ?? child.signal}${child.error ? `: ${child.error.message}` : ''}`;
    }
    if (run.error) console.error(`  ${peer} ${w.id} failed: ${run.error}`);
    runs.set(`${peer} ${w.id}`, run);
  }
}

/** Epochs of each workload the profile covers: as many as are timed, so that its steps are the
 * timed ones' mix of V8 still compiling (the first epochs) and compiled code. */
const PROFILE_EPOCHS = epochsOverride ?? EPOCHS;

/**
 * Where Nabla's training step spends its time: PROFILE_EPOCHS more epochs of each workload under
 * `node --cpu-prof` (with --no-turbo-inlining, so that a kernel is not counted as the function it
 * was inlined into), its samples by category (mnist/profile.ts).
 */
function profile(w: Workload): StepProfile | undefined {
  const dir = mkdtempSync(`${os.tmpdir()}/nabla-profile-`);
  try {
    const flags = ['--no-turbo-inlining', '--cpu-prof', `--cpu-prof-dir=${dir}`];
    const child = spawnSync(
      process.execPath,
      [...flags, ...process.execArgv, peerScript, 'nabla', w.id, String(PROFILE_EPOCHS)],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    if (child.status !== 0) return undefined;
    const ms = readdirSync(dir)
      .map((f) => breakdown(JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')) as CpuProfile, 'train'))
      .reduce((a, b) => {
        for (const k of Object.keys(a) as (keyof typeof a)[]) a[k] += b[k];
        return a;
      });
    // the trainer's train() runs the warm-up batches and the epochs
    return {
      workload: w.id,
      steps: WARMUP_BATCHES + PROFILE_EPOCHS * batchesPerEpoch(TRAIN_COUNT, w.batchSize),
      ms,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const profiles =
  peers.includes('nabla') && process.env.MNIST_PROFILE !== '0'
    ? workloads.flatMap((w) => {
        console.log(`
profiling nabla ${w.id}`);
        return profile(w) ?? [];
      })
    : [];
const totalMinutes = (performance.now() - started) / 60_000;

const cell = (peer: Peer, w: Workload) => runs.get(`${peer} ${w.id}`)?.measurement;

/** Nabla's epoch times in one process: the third within 5 % of the first means no drift. */
function driftLines(): string[] {
  const lines = workloads.flatMap((w) => {
    const s = cell('nabla', w)?.epochSeconds;
    if (!s || s.length < 3) return [];
    const r = s[2]! / s[0]!;
    return [
      `- ${w.id}: ${s.map((x) => x.toFixed(2)).join(', ')} s; third ÷ first ${r.toFixed(3)}${Math.abs(r - 1) <= 0.05 ? '' : ' (more than 5 %)'}`,
    ];
  });
  if (!lines.length) return [];
  return ["## Nabla's epochs in one process (drift)", '', ...lines, '', ...WARMUP_NOTE, ''];
}

/** Why a later epoch runs faster than the first (measured with src/mnist/warmup.ts). */
const WARMUP_NOTE = [
  "A first epoch slower than the later ones is V8 still compiling Nabla's functions, which the",
  "protocol's 50 warm-up batches do not cover; a leak would show the other way, each epoch slower than",
  'the last. Measured on W1 and W2, 2026-12-06 (`src/mnist/warmup.ts` times an epoch in slices;',
  "`node --trace-opt`, `--trace-deopt`): W1's first 1,500 steps took 4–19 ms per 50 against 3.5 later,",
  'and V8 optimized functions until ~3,000 steps in. It optimizes a function once it has run ~200 KB',
  'of its bytecode (three ticks of `--interrupt-budget`): one that runs ~100 bytes once a step waits',
  "~2,000 steps, four of W2's epochs. Optimized `map` makes holey arrays where the interpreter made",
  'packed ones, and their consumers deoptimize ("wrong map", 12 times in W2\'s first four epochs); a',
  'packed `map` at the 28 call sites of a step cut that to 3 and changed no epoch time (five',
  "interleaved runs), so it is not what the warm-up waits for. With V8's budget 17 times smaller",
  "(`--interrupt-budget=4000`, a flag no library can set) W2's first four epochs took 0.387, 0.236,",
  '0.216, 0.215 s (the first slower: more to compile at once) against 0.288, 0.247, 0.238, 0.266',
  "without. `--maglev`, `--no-concurrent-recompilation` and `--single-threaded-gc` changed W1's first",
  'epoch by less than the noise, and so did a young generation at its full size from the start; that',
  "made W3's first epoch 1.45–1.51 s against 1.53–1.57 (an earlier run: part of W3's is the young",
  'generation growing).',
  "Later that day, `--trace-opt` with the steps marked: V8 asked for W2's per-step functions to be",
  'optimized between steps ~500 and ~1,400 and had each compiled within 40 steps of asking, so the',
  'warm-up waits for the asking; `--minimum-invocations-after-ic-update=1`, `--no-liftoff` and smaller',
  'inlining budgets changed no first epoch. Fewer nodes a step did: with the mean of cross-entropy',
  "inside its node (one node instead of three), W1's first epoch took 0.59–0.60 s instead of 0.66–0.69.",
];
const names: Record<Peer, string> = {
  nabla: 'Nabla (cpu backend)',
  'nabla-1t': 'Nabla, matmuls on 1 thread',
  'torch-1t': 'PyTorch, 1 thread',
  'torch-2t': 'PyTorch, 2 threads',
  'tfjs-wasm': 'TF.js wasm',
  'tfjs-cpu': 'TF.js cpu',
};
const threadsNote = (m: Measurement | undefined) =>
  m ? (m.peer === 'torch-1t' ? '1 thread' : '2 threads') : undefined;

// Main table: PyTorch as its best thread count per workload.
const mainRows: Row[] = [];
if (peers.includes('nabla'))
  mainRows.push({ name: names.nabla, cells: workloads.map((w) => cell('nabla', w)) });
const torchPeers = peers.filter((p): p is 'torch-1t' | 'torch-2t' => p.startsWith('torch'));
if (torchPeers.length) {
  const best = workloads.map((w) =>
    fastest(torchPeers.map((p) => cell(p, w)).filter((m) => m !== undefined)),
  );
  mainRows.push({
    name: 'PyTorch 1.13 CPU (best threads)',
    cells: best,
    notes: best.map(threadsNote),
  });
}
for (const p of ['tfjs-wasm', 'tfjs-cpu'] as const)
  if (peers.includes(p)) mainRows.push({ name: names[p], cells: workloads.map((w) => cell(p, w)) });
const table = resultsTable(workloads, mainRows, names.nabla);

// Every measurement, PyTorch's thread counts separately.
const allRows: Row[] = peers.map((p) => ({
  name: names[p],
  cells: workloads.map((w) => cell(p, w)),
}));
const fullTable = resultsTable(workloads, allRows, names.nabla);
const measurements = [...runs.values()].flatMap((r) => (r.measurement ? [r.measurement] : []));
const failures = [...runs.entries()]
  .filter(([, r]) => r.error)
  .map(([k, r]) => `- ${k}: ${r.error}`);

const torchInfo = measurements.find((m) => m.peer.startsWith('torch'))?.info ?? {};
const loadAtEnd = load1();
const loads = [...runs.values()].map((r) => r.loadAverage);
const markdown = [
  '# MNIST: one training epoch, seconds (lower is better)',
  '',
  ...machineLines(facts),
  `- load average (1 min) before each peer's run: ${Math.min(...loads)}–${Math.max(...loads)} (median ${median(loads)}); at the end ${loadAtEnd}`,
  `- PyTorch ${torchInfo.torch ?? '?'} (Debian python3-torch, Python ${torchInfo.python ?? '?'}), ${torchInfo.openblas ?? 'BLAS ?'}; kernels: ${torchInfo.openblas_core ?? '?'}${coretype ? ` (OPENBLAS_CORETYPE=${coretype})` : ' (picked by OpenBLAS: this CPU has no AVX-512, so OPENBLAS_CORETYPE=SkylakeX would die of SIGILL)'}`,
  `- TF.js ${tf.version_core} core API (\`wasm\`: single-threaded SIMD build; \`cpu\`: plain JS); Nabla from this working tree (\`@nablajs/backend-cpu\`: matmuls of 8·10⁶ multiply-adds or more on up to ${Math.min(4, os.availableParallelism())} threads, which none of these workloads reach; \`nabla-1t\`: on one thread)`,
  `- the whole run took ${totalMinutes.toFixed(1)} minutes`,
  '',
  ...workloads.map(
    (w) =>
      `- **${w.id}**: ${describeWorkload(w)}; expected test accuracy ${w.expectedAccuracy.map((a) => a * 100).join('–')} %`,
  ),
  '',
  table,
  '',
  `Median of ${EPOCHS} timed epochs (a fresh model each) after a warm-up of ${WARMUP_BATCHES} mini-batches on a throw-away model,`,
  'each peer on each workload in a process of its own, one after another. Only the training loop is timed: all',
  '60,000 training images in file order, no shuffling, the last partial batch included; float32; softmax',
  'cross-entropy averaged over the mini-batch; biases 0, weights N(0, sd²) with sd 1/√fan_in (W1, W2) or',
  "√(2/fan_in) (W3). `÷ Nabla` is the peer's time over Nabla's: below 1 the peer is faster. The accuracy is",
  'on the 10,000 test images after each timed epoch (lowest–highest; ⚠ outside the expected range).',
  '[1 epoch]: timed once instead of 3 times (TF.js cpu on W3, ~1.5 minutes an epoch).',
  'PyTorch runs with `torch.set_num_threads(n)` and `OPENBLAS_NUM_THREADS=n`, n = 1 or 2; the main table shows',
  "the faster per workload. With 2 threads it also needs `OMP_WAIT_POLICY=PASSIVE`: OpenMP's spinning workers",
  'made it ~10× slower on this shared machine. The machine is shared and noisy: compare within one run.',
  '',
  ...(profiles.length
    ? [
        "## Where Nabla's training step spends its time",
        '',
        profileTable(profiles),
        '',
        `Another ${PROFILE_EPOCHS} epochs of each workload (with the warm-up batches) under \`node --cpu-prof --no-turbo-inlining\``,
        '(without inlining, a kernel is not counted as the function it was inlined into; that run is a little',
        'slower), its samples by the source file of the innermost frame: WebAssembly kernels; the copies of',
        "operands into WebAssembly memory and of results out (backend-cpu's wasm/*.ts); the main thread waiting for the",
        "matmul workers (wasm/threads.ts); backend-cpu's TypeScript kernels; alloc.ts; the rest of @nablajs/tensor",
        '(create.ts and dtype.ts count as data loading); @nablajs/autograd; @nablajs/nn and @nablajs/optim;',
        '@nablajs/data; the garbage collector (at the top of the stack, for whatever allocated). It is wall-clock',
        'sampling: on a busy machine, time the process waits for a core lands on whatever it was running.',
        '',
      ]
    : []),
  ...driftLines(),
  '## Every peer, PyTorch by thread count',
  '',
  fullTable,
  '',
  '## Every timed epoch',
  '',
  detailTable(measurements),
  ...(failures.length ? ['', '## Failures', '', ...failures] : []),
].join('\n');

console.log(`\n${table}\n`);
if (profiles.length) console.log(`${profileTable(profiles)}\n`);
for (const line of driftLines()) console.log(line);
if (failures.length) console.log(`failures:\n${failures.join('\n')}`);
if (filtered) {
  console.log('(a filtered run: results/mnist.* left as they were)');
} else {
  writeResults('mnist', markdown, {
    machine: facts,
    profiles,
    loadAtEnd,
    totalMinutes,
    tfjs: tf.version_core,
    torch: torchInfo,
    openblasCoretype: coretype ?? null,
    warmupBatches: WARMUP_BATCHES,
    workloads,
    runs: Object.fromEntries(runs),
  });
}
if (failures.length) process.exitCode = 1;
