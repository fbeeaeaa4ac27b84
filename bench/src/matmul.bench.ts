// float32 matmul throughput: Nabla's WebAssembly SIMD kernel (one thread and two) beside PyTorch 1.13
// CPU on one thread (src/matmul/torch_matmul.py, a process of its own) and TF.js 4.22's `wasm` and
// `cpu` backends, one after another, on square sizes and on every product of a training step of the
// workloads W2, W3, C1 (LeNet) and G1 (char-GPT) (src/matmul/cases.ts); then what those rates say a
// step's matmuls alone cost (src/matmul/ceiling.ts). Writes results/matmul.md and results/matmul.json.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { matmulF32, matmulRef, setMatmulThreads } from '@nablajs/backend-cpu';
import { machine, machineLines, markdownTable, timeIt, torchEnv, writeResults, type Timing } from './lib.js'; // prettier-ignore
import { type Case, cases } from './matmul/cases.js';
import { WORKLOADS, measuredSteps, stepMatmuls } from './matmul/ceiling.js';
import { measurePeak } from './matmul/peak.js';

function randomArray(n: number, seed: number): Float32Array {
  const x = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    x[i] = s / 2 ** 32 - 0.5;
  }
  return x;
}

interface Operands {
  a: Float32Array; // stored [M, K], or [K, M] when transposed
  b: Float32Array; // stored [K, N], or [N, K] when transposed
  ta: boolean;
  tb: boolean;
}

function operands(c: Case): Operands {
  return {
    a: randomArray(c.M * c.K, 1),
    b: randomArray(c.K * c.N, 2),
    ta: c.layout === 'Aᵀ·B',
    tb: c.layout === 'A·Bᵀ',
  };
}

function nablaCall(c: Case, o: Operands, out: Float32Array, kernel = matmulF32): () => void {
  const { M, K, N } = c;
  const [sAm, sAk] = o.ta ? [1, M] : [K, 1];
  const [sBk, sBn] = o.tb ? [1, K] : [N, 1];
  return () => kernel(M, N, K, o.a, 0, sAm, sAk, o.b, 0, sBk, sBn, out, 0);
}

function tfTensors(c: Case, o: Operands): [tf.Tensor2D, tf.Tensor2D] {
  return [
    tf.tensor2d(o.a, o.ta ? [c.K, c.M] : [c.M, c.K]),
    tf.tensor2d(o.b, o.tb ? [c.N, c.K] : [c.K, c.N]),
  ];
}

interface Row {
  case: Case;
  /** Per peer: GFLOP/s of the median sample, of the best sample, and the median time. */
  gflops: Record<string, number | null>;
  bestGflops: Record<string, number | null>;
  microseconds: Record<string, number | null>;
  maxAbsDiffVsTfjs: number;
}

const peers = [
  'nabla 1t',
  'nabla 2t',
  'pytorch 1t',
  'tfjs wasm',
  'tfjs cpu',
  'js reference',
] as const;
type Peer = (typeof peers)[number];

const wasmDir = path.dirname(
  createRequire(import.meta.url).resolve(
    '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm',
  ),
);
// Threads would start workers from blob URLs, which Node refuses: use the single-threaded SIMD build.
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
setWasmPaths(`${wasmDir}/`);

const facts = machine();
const peak = measurePeak();

// PyTorch first, in a process of its own (never two peers at once), on the same shapes and layouts.
const script = fileURLToPath(new URL('matmul/torch_matmul.py', import.meta.url));
const shapes = cases.map(({ M, K, N, layout }) => ({ M, K, N, layout }));
const py = spawnSync('/usr/bin/python3', [script, '--threads', '1'], {
  input: JSON.stringify(shapes),
  encoding: 'utf8',
  env: torchEnv(1),
});
type TorchOut = { torch: string; openblasCore: string; results: { medianMs: number; bestMs: number }[] }; // prettier-ignore
const torch = py.status === 0 ? (JSON.parse(py.stdout) as TorchOut) : null;
if (!torch) console.error(`PyTorch did not run: ${py.stderr}`);

// Start Nabla's thread pool (it starts on the first large matmul and is used once its workers are up).
setMatmulThreads(2);
const warm = operands({ name: '', M: 512, K: 512, N: 512, layout: 'A·B', uses: {} });
const warmOut = new Float32Array(512 * 512);
nablaCall({ name: '', M: 512, K: 512, N: 512, layout: 'A·B', uses: {} }, warm, warmOut)();
await sleep(500);

const rows: Row[] = [];
for (const [i, c] of cases.entries()) {
  const flops = 2 * c.M * c.N * c.K;
  const o = operands(c);
  const timings: Partial<Record<Peer, Timing>> = {};
  const out = new Float32Array(c.M * c.N);
  setMatmulThreads(2);
  timings['nabla 2t'] = timeIt(nablaCall(c, o, out));
  setMatmulThreads(1);
  timings['nabla 1t'] = timeIt(nablaCall(c, o, out));
  const t = torch?.results[i];
  if (t) timings['pytorch 1t'] = { medianMs: t.medianMs, samplesMs: [t.bestMs], callsPerSample: 0 };
  // the slow peers only on the square sizes up to 512 and the lecture's net (seconds per call beyond)
  const slow = c.M * c.N * c.K <= 512 ** 3 && !/^(W2|W3|C1|C1i|G1) /.test(c.name);
  if (slow) {
    const ref = new Float32Array(c.M * c.N);
    timings['js reference'] = timeIt(nablaCall(c, o, ref, matmulRef), {
      samples: 5,
      budgetMs: 2000,
    });
  }
  let diff = 0;
  for (const backend of ['wasm', 'cpu'] as const) {
    if (backend === 'cpu' && !slow) continue;
    await tf.setBackend(backend);
    const [ta, tb] = tfTensors(c, o);
    const check = tf.matMul(ta, tb, o.ta, o.tb);
    const got = check.dataSync();
    for (let i = 0; i < got.length; i++) diff = Math.max(diff, Math.abs(got[i]! - out[i]!));
    check.dispose();
    timings[`tfjs ${backend}`] = timeIt(() => tf.matMul(ta, tb, o.ta, o.tb).dispose(), {
      budgetMs: backend === 'cpu' ? 2000 : 1500,
    });
    ta.dispose();
    tb.dispose();
  }
  const per = (f: (t: Timing) => number) =>
    Object.fromEntries(peers.map((p) => [p, timings[p] ? f(timings[p]) : null]));
  const gflops = per((t) => flops / t.medianMs / 1e6);
  rows.push({
    case: c,
    gflops,
    bestGflops: per((t) => flops / Math.min(...t.samplesMs) / 1e6),
    microseconds: per((t) => t.medianMs * 1000),
    maxAbsDiffVsTfjs: diff,
  });
  const show = peers.map((p) => `${p} ${gflops[p]?.toFixed(1) ?? '-'}`).join(', ');
  console.log(`${c.name.padEnd(24)} ${c.M}x${c.K} @ ${c.K}x${c.N} ${c.layout}: GFLOP/s ${show}`);
}
const loadAtEnd = Math.round(os.loadavg()[0]! * 100) / 100;

const fmt = (g: number | null, us: number | null) =>
  g === null || us === null
    ? '—'
    : `${g.toFixed(1)} (${us < 1000 ? us.toFixed(1) : us.toFixed(0)} µs)`;
const ratio = (a: number | null, b: number | null) => (a && b ? `${(a / b).toFixed(2)}×` : '—');
const table = markdownTable(
  [
    'product',
    'M×K @ K×N',
    'layout',
    ...peers.map((p) => `${p} GFLOP/s (time)`),
    'nabla 1t / pytorch 1t',
  ],
  rows.map((r) => [
    r.case.name,
    `${r.case.M}×${r.case.K} @ ${r.case.K}×${r.case.N}`,
    r.case.layout,
    ...peers.map((p) => fmt(r.gflops[p]!, r.microseconds[p]!)),
    ratio(r.gflops['nabla 1t']!, r.gflops['pytorch 1t']!),
  ]),
);

// The ceiling: a step's matmuls at each peer's measured rates, beside the whole measured step.
const best = (p: Peer) => Math.max(...rows.map((r) => r.gflops[p] ?? 0));
const measured = measuredSteps();
const ms = (s: number) => (s * 1000).toPrecision(3);
const ceilingRows = WORKLOADS.map(({ id, what }) => {
  const { gflop, seconds } = stepMatmuls(rows, id, ['nabla 1t', 'nabla 2t', 'pytorch 1t']);
  const m = measured[id];
  const fastest = Math.min(seconds['nabla 1t']!, seconds['nabla 2t']!);
  return {
    id,
    gflop,
    seconds,
    measured: m ?? null,
    cells: [
      what,
      (gflop * 1000).toFixed(1),
      ms(seconds['nabla 1t']!),
      ms(seconds['nabla 2t']!),
      ms(seconds['pytorch 1t']!),
      m ? `${ms(m.torchStep)} (${m.torchPeer})` : '—',
      m ? ms(1.5 * m.torchStep) : '—',
      m ? (fastest / m.torchStep).toFixed(2) : '—',
      m ? ms(m.nablaStep) : '—',
    ],
  };
});
const ceilingTable = markdownTable(
  [
    'workload',
    'matmul MFLOP / step',
    'Nabla 1t: matmuls alone, ms',
    'Nabla 2t: matmuls alone, ms',
    'PyTorch 1t: matmuls alone, ms',
    "PyTorch's whole step, ms",
    'target: 1.5 × that',
    'Nabla matmuls alone (best of 1t/2t) ÷ PyTorch step',
    "Nabla's whole step, ms",
  ],
  ceilingRows.map((r) => r.cells),
);
const n1 = best('nabla 1t');
const n2 = best('nabla 2t');
const pt = best('pytorch 1t');
const markdown = [
  '# float32 matmul, GFLOP/s (higher is better)',
  '',
  ...machineLines(facts),
  `- load average (1 min) at the end: ${loadAtEnd}`,
  `- PyTorch ${torch?.torch ?? '(did not run)'} CPU, 1 thread (\`torch.set_num_threads(1)\`, OPENBLAS_NUM_THREADS=1, OpenBLAS kernels: ${torch?.openblasCore ?? '?'}), \`torch.mm\` into a preallocated result, a process of its own, run first`,
  `- TF.js ${tf.version_core} (\`wasm\`: single-threaded SIMD build; \`cpu\`: plain JS), same process as Nabla, one after another`,
  '',
  table,
  '',
  'Each figure is the median of several samples of back-to-back calls after a warm-up.',
  '(results/matmul.json also has the best sample of each, less disturbed by other work on the machine.)',
  '`nabla 1t` / `nabla 2t` are `matmulF32` from `@nablajs/backend-cpu` (src/wasm) with',
  '`setMatmulThreads(1)` / `(2)`: each call copies its operands into WebAssembly memory and the result',
  'out. Two threads split the rows of C, and only for products of at least 2²⁰ multiply-adds and 26 rows',
  '(smaller ones run on one thread either way); on a loaded machine the pool backs off to one thread',
  'for a while when its worker runs late. TF.js is timed on tensors already uploaded, without reading',
  'the result (its `wasm` and `cpu` kernels run synchronously). `Aᵀ` / `Bᵀ`: the operand is stored',
  'transposed and passed as a strided view (Nabla), with the transpose flag (TF.js) or as a transposed',
  'view (PyTorch). `js reference` is `matmulRef`, the plain triple loop. — : not run (too slow at that',
  'size, or not asked). Products named W2, W3, C1, G1 are those of one training step of that workload',
  "(src/matmul/cases.ts); C1 has LeNet's convolutions as one im2col GEMM over the whole batch, C1i as",
  "Nabla's CPU kernels run them, image by image with the bias as a column of the weight (timed here",
  'through `matmulF32`, which copies the operands in; the convolution kernels find them in place).',
  `The largest difference from TF.js's result over all cases: ${Math.max(...rows.map((r) => r.maxAbsDiffVsTfjs)).toExponential(1)}.`,
  '',
  '## The ceiling',
  '',
  'WebAssembly SIMD128 has 4 float32 lanes and, without relaxed SIMD (behind a flag in Node 20), no',
  'fused multiply-add: a multiply-accumulate is an `f32x4.mul` and an `f32x4.add`. This core (AVX-512',
  'FP16 and AMX: a Sapphire Rapids class Xeon) multiplies 128-bit vectors on two ports and adds on two,',
  'three of them in all per cycle, so SIMD128 peaks at 4 lanes × 3 = 12 flops/cycle, before the loads',
  'and lane broadcasts a matmul also needs. AVX-512 with FMA does 16 lanes × 2 flops × 2 units = 64',
  'flops/cycle: 5.3× as much. Measured on one thread by `src/matmul/peak.wat` (no memory traffic):',
  `the clock ${peak.ghz.toFixed(2)} GHz, SIMD128 mul + add ${peak.gflops.toFixed(1)} GFLOP/s =`,
  `${peak.flopsPerCycle.toFixed(1)} flops/cycle. Nabla's best matmul above: ${n1.toFixed(1)} GFLOP/s on one thread`,
  `(${(n1 / peak.ghz).toFixed(1)} flops/cycle, ${((100 * n1) / peak.gflops).toFixed(0)} % of that probe), ${n2.toFixed(1)} on two; PyTorch's best`,
  `${pt.toFixed(1)} on one thread (${(pt / peak.ghz).toFixed(1)} flops/cycle at that clock; AVX-512 code may run slower), ${(pt / n1).toFixed(1)}× Nabla's one thread.`,
  '',
  "So what a step's matmuls alone cost in Nabla, at the rates measured above for exactly those",
  "products, bounds Nabla's step from below, however little else it spends; compared with PyTorch's",
  'whole measured step (the latest results of the other benchmarks, best of 1 and 2 threads):',
  '',
  ceilingTable,
  '',
  'A ratio at or above 1.5 means the target (within 1.5× of PyTorch) cannot be met with this matmul',
  "on this machine even if everything else in Nabla's step took no time; below, it is the room left",
  'for the rest. Sources of the whole-step times: ' +
    ([...new Set(Object.values(measured).map((m) => m.source))].join(', ') || 'none found') +
    '.',
].join('\n');
writeResults('matmul', markdown, {
  machine: facts,
  loadAtEnd,
  tfjs: tf.version_core,
  torch: torch && { version: torch.torch, openblasCore: torch.openblasCore, threads: 1 },
  peak,
  rows,
  ceiling: ceilingRows.map(({ cells: _, ...r }) => r),
});
