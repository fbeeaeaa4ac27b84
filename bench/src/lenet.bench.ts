// One epoch of training LeNet-5 on MNIST (workload C1 of BENCHMARKING.md) in Nabla (CPU backend),
// PyTorch CPU (Debian's python3-torch 1.13 with OpenBLAS, 1 and 2 threads) and TF.js 4.22 `wasm`,
// each in a process of its own, one after another, with the MNIST protocol (warm-up of 50
// mini-batches, the median of 3 timed epochs, a fresh model each). Writes results/lenet.md and .json;
// the convolutions' GFLOP/s are conv.bench.ts's.
//
// Environment: LENET_PEERS=nabla,torch-1t,torch-2t,tfjs-wasm and LENET_EPOCHS=3 (a filtered run
// prints its table but writes no results).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { mnistDataDir } from '@nablajs/data';
import { machine, machineLines, median, writeResults } from './lib.js';
import { detailTable, fastest, resultsTable, sig, type Row } from './mnist/format.js';
import { parseResult } from './mnist/protocol.js';
import { EPOCHS, type Measurement, WARMUP_BATCHES } from './mnist/workloads.js';
import { C1, DESCRIPTION } from './lenet/workload.js';

const python = '/usr/bin/python3';
const peerScript = fileURLToPath(new URL('./lenet/peer.ts', import.meta.url));
const torchScript = fileURLToPath(new URL('./lenet/torch_lenet.py', import.meta.url));
const allPeers = ['nabla', 'torch-1t', 'torch-2t', 'tfjs-wasm'] as const;
type Peer = (typeof allPeers)[number];

const peerFilter = process.env.LENET_PEERS?.split(',').map((s) => s.trim());
const epochs = process.env.LENET_EPOCHS ? Number(process.env.LENET_EPOCHS) : EPOCHS;
const filtered = Boolean(peerFilter || process.env.LENET_EPOCHS);
const peers = allPeers.filter((p) => !peerFilter || peerFilter.includes(p));

// as in mnist.bench.ts: SkylakeX kernels where the CPU has AVX-512, OpenBLAS's pool sized to match
const hasAvx512 = /\bavx512f\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
const coretype = process.env.OPENBLAS_CORETYPE ?? (hasAvx512 ? 'SkylakeX' : undefined);
const torchEnv = (threads: number): NodeJS.ProcessEnv => ({
  ...process.env,
  ...(coretype ? { OPENBLAS_CORETYPE: coretype } : {}),
  OPENBLAS_NUM_THREADS: String(threads),
  OMP_NUM_THREADS: String(threads),
  ...(threads > 1 ? { OMP_WAIT_POLICY: 'PASSIVE' } : {}),
});

const dataDir = await mnistDataDir();
function run(peer: Peer, extra: string[] = []) {
  const torch = peer.startsWith('torch');
  const threads = peer === 'torch-2t' ? 2 : 1;
  const [file, args, env] = torch
    ? [
        python,
        [torchScript, '--data', dataDir, '--threads', `${threads}`, ...extra],
        torchEnv(threads),
      ]
    : [process.execPath, [...process.execArgv, peerScript, peer, `${epochs}`], process.env];
  return spawnSync(file, args, {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
}

const load1 = () => Math.round(os.loadavg()[0]! * 100) / 100;
const uptime = () => spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();
const facts = machine();
const started = performance.now();
const uptimeAtStart = uptime();
const runs = new Map<Peer, { measurement?: Measurement; error?: string; loadAverage: number }>();
for (const peer of peers) {
  const loadAverage = load1();
  console.log(`${peer} (load ${loadAverage})`);
  const child = run(peer, ['--epochs', `${epochs}`]);
  let measurement: Measurement | undefined;
  let error: string | undefined;
  try {
    if (child.status !== 0) throw new Error(`exit ${child.status ?? child.signal}`);
    measurement = parseResult(child.stdout);
  } catch (e) {
    error = (e as Error).message;
    console.error(`  ${peer} failed: ${error}`);
  }
  runs.set(peer, {
    loadAverage,
    ...(measurement ? { measurement } : {}),
    ...(error ? { error } : {}),
  });
}

const totalMinutes = (performance.now() - started) / 60_000;
const uptimeAtEnd = uptime();

// ---- tables ----
const names: Record<Peer, string> = {
  nabla: 'Nabla (cpu backend)',
  'torch-1t': 'PyTorch, 1 thread',
  'torch-2t': 'PyTorch, 2 threads',
  'tfjs-wasm': 'TF.js wasm',
};
const cell = (p: Peer) => runs.get(p)?.measurement;
const rows: Row[] = peers.map((p) => ({ name: names[p], cells: [cell(p)] }));
const best = fastest(
  (['torch-1t', 'torch-2t'] as const).flatMap((p) => (cell(p) ? [cell(p)!] : [])),
);
const table = resultsTable([C1], rows, names.nabla);
const failures = [...runs.entries()]
  .filter(([, r]) => r.error)
  .map(([p, r]) => `- ${p}: ${r.error}`);
const nabla = cell('nabla');
const ratio = (m: Measurement | undefined) =>
  m && nabla ? sig(median(nabla.epochSeconds) / median(m.epochSeconds)) : '—';
const markdown = [
  '# LeNet-5 on MNIST: one training epoch, seconds (lower is better)',
  '',
  ...machineLines(facts),
  `- \`uptime\` at the start: ${uptimeAtStart}`,
  `- \`uptime\` at the end: ${uptimeAtEnd}`,
  `- load average (1 min) before each peer: ${peers.map((p) => `${p} ${runs.get(p)?.loadAverage}`).join(', ')}`,
  `- the whole run took ${totalMinutes.toFixed(1)} minutes; not measured on a GPU (none on this machine)`,
  '',
  `- **C1**: ${DESCRIPTION}; expected test accuracy ${C1.expectedAccuracy.map((a) => a * 100).join('–')} %`,
  '',
  table,
  '',
  `Nabla's time ÷ the best PyTorch's: ${ratio(best)} (target ≤ 1.5); ÷ TF.js wasm's: ${ratio(cell('tfjs-wasm'))} (target < 1).`,
  '',
  `Median of ${epochs} timed epochs (a fresh model each) after a warm-up of ${WARMUP_BATCHES} mini-batches on a throw-away`,
  'model, each peer in a process of its own, one after another. Only the training loop is timed: the 60,000',
  'training images in file order, no shuffling, the last partial batch included; float32; softmax cross-entropy',
  "averaged over the mini-batch; PyTorch's default initialisation. `÷ Nabla` is the peer's time over Nabla's:",
  'below 1 the peer is faster. TF.js wasm has no Conv2DBackpropFilter kernel, so its convolutions get a custom',
  "gradient made of kernels it has (src/lenet/tfjs.ts); it runs in TF.js's layout (NHWC). PyTorch as in",
  'results/mnist.md (OpenBLAS, `OPENBLAS_CORETYPE`, `OMP_WAIT_POLICY=PASSIVE` with 2 threads).',
  '',
  "The GFLOP/s of LeNet's convolutions and poolings, beside PyTorch's, are in results/conv.md (`pnpm bench conv`).",
  '',
  '## Every timed epoch',
  '',
  detailTable([...runs.values()].flatMap((r) => (r.measurement ? [r.measurement] : []))),
  ...(failures.length ? ['', '## Failures', '', ...failures] : []),
].join('\n');

console.log(`\n${table}\n`);
if (filtered) console.log('(a filtered run: results/lenet.* left as they were)');
else
  writeResults('lenet', markdown, {
    machine: facts,
    uptimeAtStart,
    uptimeAtEnd,
    totalMinutes,
    epochs,
    workload: C1,
    runs: Object.fromEntries(runs),
  });
if (failures.length) process.exitCode = 1;
