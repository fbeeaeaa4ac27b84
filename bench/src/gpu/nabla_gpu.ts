// Nabla on WebGPU, the same workloads torch_gpu.py runs on CUDA: fp32 matmul at 1024–8192 (every
// tile shape at 4096), one MNIST epoch of W1–W3 (protocol.ts), and one training step of a 4-layer,
// 4096-wide MLP at batch 4096. Bundled with esbuild and run on the GPU machine by device.sh;
// `--quick` shrinks everything for a check on SwiftShader. Prints one JSON object on stdout.
import { type TileChoice, TILE_NAMES, type WebGpuBackend, webgpu } from '@nablajs/backend-webgpu';
import { loadMnist } from '@nablajs/data';
import { Linear, type Module, ReLU, Sequential, crossEntropy } from '@nablajs/nn';
import { SGD } from '@nablajs/optim';
import { type Tensor, manualSeed, rand, randn, useBackend } from '@nablajs/tensor';
import { nablaTrainer } from '../mnist/nabla.js';
import { measure } from '../mnist/protocol.js';
import { workloads } from '../mnist/workloads.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const dataDir = args[args.indexOf('--data') + 1];
const log = (s: string) => process.stderr.write(`${s}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Seconds per matmul of two n×n float32 matrices, the GPU idle before and after. */
async function matmul(gpu: WebGpuBackend, n: number, reps: number): Promise<number> {
  const a = randn([n, n]);
  const b = randn([n, n]);
  for (let i = 0; i < 2; i++) a.matmul(b).dispose();
  await gpu.finish();
  const start = performance.now();
  for (let i = 0; i < reps; i++) a.matmul(b).dispose();
  await gpu.finish();
  const s = (performance.now() - start) / 1000 / reps;
  a.dispose();
  b.dispose();
  return s;
}

async function bigStep(width: number, batch: number, layers: number, reps: number) {
  manualSeed(0);
  const mods: Module[] = [];
  for (let i = 0; i < layers; i++) {
    mods.push(new Linear(width, width));
    if (i < layers - 1) mods.push(new ReLU());
  }
  const net = new Sequential(...mods);
  const opt = new SGD(net.parameters(), { lr: 0.01 });
  const x = randn([batch, width]);
  const y = rand([batch]).mul(width).floor().cast('int32');
  const step = (): Tensor => {
    const loss = crossEntropy(net.forward(x), y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    return loss.data;
  };
  for (let i = 0; i < 3; i++) await step().item();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const start = performance.now();
    await step().item();
    times.push((performance.now() - start) / 1000);
  }
  return { width, batch, layers, median: median(times), seconds: times };
}

async function main() {
  const gpu = await webgpu();
  useBackend(gpu);
  const out: Record<string, unknown> = { peer: 'nabla-webgpu', adapter: gpu.adapterInfo };
  log(`adapter: ${JSON.stringify(gpu.adapterInfo)}`);

  const sizes = quick ? [256, 512] : [1024, 2048, 4096, 8192];
  const mm: { n: number; tile: string; seconds: number; tflops: number }[] = [];
  const record = (n: number, tile: string, seconds: number) => {
    mm.push({ n, tile, seconds, tflops: (2 * n ** 3) / seconds / 1e12 });
    log(`  nabla matmul ${n} (${tile}): ${mm.at(-1)!.tflops.toFixed(2)} TFLOP/s`);
  };
  for (const n of sizes)
    record(n, 'auto', await matmul(gpu, n, Math.max(3, Math.min(50, Math.round(2e12 / n ** 3)))));
  // every named tile and a few other shapes at one size, each on a backend of its own
  const n = quick ? 256 : 4096;
  const shapes: [string, TileChoice][] = [
    ...TILE_NAMES.map((t): [string, TileChoice] => [t, t]),
    ['64x128 4x8 k16', { BM: 64, BN: 128, BK: 16, TM: 4, TN: 8 }],
    ['128x64 8x4 k16', { BM: 128, BN: 64, BK: 16, TM: 8, TN: 4 }],
    ['64x64 4x4 k32', { BM: 64, BN: 64, BK: 32, TM: 4, TN: 4 }],
    ['64x64 4x4 k8', { BM: 64, BN: 64, BK: 8, TM: 4, TN: 4 }],
  ];
  for (const [label, tile] of shapes) {
    const g = await webgpu({ tile });
    useBackend(g);
    record(n, label, await matmul(g, n, quick ? 3 : 10));
    g.device.destroy();
  }
  useBackend(gpu);
  out.matmul = mm;

  const data = await loadMnist({ dir: dataDir, validation: 0, ...(quick ? { limit: 2000 } : {}) });
  out.mnist = [];
  for (const w of workloads) {
    const m = await measure('nabla-webgpu', w, nablaTrainer(w, data, gpu), quick ? 1 : 3, log);
    (out.mnist as unknown[]).push({ ...m, median: median(m.epochSeconds) });
  }

  const width = quick ? 256 : 4096;
  out.big = await bigStep(width, width, 4, quick ? 3 : 10);
  log(`  nabla big step: ${((out.big as { median: number }).median * 1000).toFixed(1)} ms`);
  process.stdout.write(`${JSON.stringify(out)}\n`);
  process.exit(0);
}

/** A short run to profile (node --cpu-prof): part of an epoch of W1 and of W3, timed. */
async function profile() {
  const gpu = await webgpu();
  const data = await loadMnist({ dir: dataDir, validation: 0 });
  for (const [id, batches] of [
    ['W1', 1500],
    ['W2', 200],
    ['W3', 300],
  ] as const) {
    const w = workloads.find((x) => x.id === id)!;
    const t = nablaTrainer(w, data, gpu);
    const m = t.create(1);
    await t.train(m, 50);
    const start = performance.now();
    await t.train(m, batches);
    log(`  profile ${id}: ${((performance.now() - start) / batches).toFixed(3)} ms per batch`);
  }
  process.exit(0);
}

if (args.includes('--profile')) await profile();
else if (args.includes('--workloads-json')) process.stdout.write(`${JSON.stringify(workloads)}\n`);
else await main();
