// float32 matmul throughput: Nabla's WebAssembly SIMD kernel beside TF.js 4.22's `wasm` and `cpu`
// backends, in one process, one after another, on square sizes and on the products an MNIST MLP
// (784-30-10) runs in training. Writes results/matmul.md and results/matmul.json.
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
// Not yet exported by the package's entry point: imported from its source.
import { matmulF32, matmulRef } from '@nablajs/backend-cpu';
import { machine, machineLines, markdownTable, timeIt, writeResults, type Timing } from './lib.js';

/** How operands are stored: A·B both row-major; ᵀ marks an operand stored transposed (a view). */
type Layout = 'A·B' | 'A·Bᵀ' | 'Aᵀ·B';
interface Case {
  name: string;
  M: number;
  K: number;
  N: number;
  layout: Layout;
}

const cases: Case[] = [];
for (const n of [128, 256, 512, 1024])
  cases.push({ name: `square ${n}`, M: n, K: n, N: n, layout: 'A·B' });
for (const b of [10, 128]) {
  // Weights stored [in, out] (y = x·W): forward A·B, dW = Xᵀ·dY, dX = dY·Wᵀ
  cases.push({ name: `fwd  x·W,  batch ${b}`, M: b, K: 784, N: 30, layout: 'A·B' });
  cases.push({ name: `dW = xᵀ·dY, batch ${b}`, M: 784, K: b, N: 30, layout: 'Aᵀ·B' });
  cases.push({ name: `dX = dY·Wᵀ, batch ${b}`, M: b, K: 30, N: 784, layout: 'A·Bᵀ' });
  // Weights stored [out, in] (PyTorch's y = x·Wᵀ): forward A·Bᵀ, dW = dYᵀ·X, dX = dY·W
  cases.push({ name: `fwd  x·Wᵀ, batch ${b}`, M: b, K: 784, N: 30, layout: 'A·Bᵀ' });
  cases.push({ name: `dW = dYᵀ·x, batch ${b}`, M: 30, K: b, N: 784, layout: 'Aᵀ·B' });
  cases.push({ name: `dX = dY·W, batch ${b}`, M: b, K: 30, N: 784, layout: 'A·B' });
  // the second layer (30 -> 10)
  cases.push({ name: `layer 2 fwd, batch ${b}`, M: b, K: 30, N: 10, layout: 'A·Bᵀ' });
}

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

const peers = ['nabla wasm', 'tfjs wasm', 'tfjs cpu', 'js reference'] as const;
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
const rows: Row[] = [];
const slowLimit = 2 * 512 ** 3; // the slow peers stop here (TF.js cpu would take seconds per call)

for (const c of cases) {
  const flops = 2 * c.M * c.N * c.K;
  const o = operands(c);
  const timings: Partial<Record<Peer, Timing>> = {};
  const out = new Float32Array(c.M * c.N);
  timings['nabla wasm'] = timeIt(nablaCall(c, o, out));
  if (flops <= slowLimit) {
    const ref = new Float32Array(c.M * c.N);
    timings['js reference'] = timeIt(nablaCall(c, o, ref, matmulRef), {
      samples: 5,
      budgetMs: 2000,
    });
  }
  let diff = 0;
  for (const backend of ['wasm', 'cpu'] as const) {
    if (backend === 'cpu' && flops > slowLimit) continue;
    await tf.setBackend(backend);
    const [ta, tb] = tfTensors(c, o);
    const check = tf.matMul(ta, tb, o.ta, o.tb);
    const got = check.dataSync();
    for (let i = 0; i < got.length; i++) diff = Math.max(diff, Math.abs(got[i]! - out[i]!));
    check.dispose();
    timings[`tfjs ${backend}`] = timeIt(() => tf.matMul(ta, tb, o.ta, o.tb).dispose(), {
      budgetMs: backend === 'cpu' ? 2000 : 3000,
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
const table = markdownTable(
  [
    'workload',
    'M×K @ K×N',
    'layout',
    ...peers.map((p) => `${p} GFLOP/s (time)`),
    'nabla / tfjs wasm',
  ],
  rows.map((r) => [
    r.case.name,
    `${r.case.M}×${r.case.K} @ ${r.case.K}×${r.case.N}`,
    r.case.layout,
    ...peers.map((p) => fmt(r.gflops[p]!, r.microseconds[p]!)),
    `${(r.gflops['nabla wasm']! / r.gflops['tfjs wasm']!).toFixed(2)}×`,
  ]),
);
const markdown = [
  '# float32 matmul, GFLOP/s (higher is better)',
  '',
  ...machineLines(facts),
  `- load average (1 min) at the end: ${loadAtEnd}`,
  `- TF.js ${tf.version_core} (\`wasm\`: single-threaded SIMD build; \`cpu\`: plain JS), same process, one after another`,
  '',
  table,
  '',
  'Each figure is the median of several samples of back-to-back calls after a warm-up; one core.',
  '(results/matmul.json also has the best sample of each, less disturbed by other work on the machine.)',
  '`nabla wasm` is `matmulF32` from `@nablajs/backend-cpu` (src/wasm): each call copies its operands',
  'into WebAssembly memory and the result out. TF.js is timed on tensors already uploaded, without',
  'reading the result (its `wasm` and `cpu` kernels run synchronously). `Aᵀ` / `Bᵀ`: the operand is',
  'stored transposed and passed as a strided view (Nabla) or with the transpose flag (TF.js).',
  '`js reference` is `matmulRef`, the plain triple loop. — : not run (too slow at that size).',
  `The largest difference from TF.js's result over all cases: ${Math.max(...rows.map((r) => r.maxAbsDiffVsTfjs)).toExponential(1)}.`,
].join('\n');
writeResults('matmul', markdown, { machine: facts, loadAtEnd, tfjs: tf.version_core, rows });
