// GFLOP/s of LeNet's convolutions on the CPU backend (the fused conv kernels on WebAssembly, and with
// `wasm: false` the TypeScript loops), forward and backward, beside PyTorch CPU (1 thread); and the
// max poolings and the im2col / col2im primitives by themselves. Results: results/conv.md.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Variable, variable } from '@nablajs/autograd';
import { cpu } from '@nablajs/backend-cpu';
import { conv2d, maxPool2d } from '@nablajs/nn';
import { type Backend, randn, useBackend, windowGeometry } from '@nablajs/tensor';
import { machine, machineLines, markdownTable, timeIt, writeResults } from './lib.js';

interface Layer {
  name: string;
  x: number[];
  w?: number[];
  padding?: number;
  /** The input needs a gradient (LeNet's first layer's input does not). */
  needX: boolean;
  what: string;
}
const LAYERS: Layer[] = [
  { name: 'conv1', x: [64, 1, 28, 28], w: [6, 1, 5, 5], padding: 2, needX: false, what: 'conv 1→6, 5×5, pad 2, on [64,1,28,28]' },
  { name: 'conv2', x: [64, 6, 14, 14], w: [16, 6, 5, 5], needX: true, what: 'conv 6→16, 5×5, on [64,6,14,14]' },
  { name: 'pool1', x: [64, 6, 28, 28], needX: true, what: 'maxPool 2×2 on [64,6,28,28]' },
  { name: 'pool2', x: [64, 16, 10, 10], needX: true, what: 'maxPool 2×2 on [64,16,10,10]' },
]; // prettier-ignore

/** Forward FLOPs of a convolution: 2·(output elements)·(C/groups)·∏kernel. */
function flops(l: Layer): number {
  if (!l.w) return 0;
  const [N, , H, W] = l.x as [number, number, number, number];
  const [O, C, kh, kw] = l.w as [number, number, number, number];
  const p = l.padding ?? 0;
  return 2 * N * O * (H + 2 * p - kh + 1) * (W + 2 * p - kw + 1) * C * kh * kw;
}

interface Times {
  forwardMs: number;
  forwardBackwardMs: number;
  /** The fastest sample of each: the least disturbed by other work on a shared machine. */
  bestForwardMs: number;
  bestForwardBackwardMs: number;
}

function timeLayer(l: Layer): Times {
  const x = variable(randn(l.x), { requiresGrad: l.needX });
  const w = l.w ? variable(randn(l.w).mul(0.1), { requiresGrad: true }) : undefined;
  const b = l.w ? variable(randn([l.w[0]!]), { requiresGrad: true }) : undefined;
  const run = (): Variable => (w ? conv2d(x, w, b, { padding: l.padding ?? 0 }) : maxPool2d(x, 2));
  const fwd = timeIt(() => run(), { budgetMs: 2000 });
  const both = timeIt(
    () => {
      const y = run();
      y.backward(y.data);
    },
    { budgetMs: 3000 },
  );
  return {
    forwardMs: fwd.medianMs,
    forwardBackwardMs: both.medianMs,
    bestForwardMs: Math.min(...fwd.samplesMs),
    bestForwardBackwardMs: Math.min(...both.samplesMs),
  };
}

function timePrimitives(backend: Backend) {
  return LAYERS.filter((l) => l.w).map((l) => {
    const x = randn(l.x, { backend });
    const g = windowGeometry('im2col', l.x.slice(2), { kernelSize: 5, padding: l.padding ?? 0 });
    const cols = backend.im2col(x, g);
    const rows = l.x[1]! * 25;
    const L = g.output[0]! * g.output[1]!;
    const ref = {
      ...x,
      storage: cols,
      shape: [l.x[0]!, rows, L],
      strides: [rows * L, L, 1],
      offset: 0,
    };
    const im = timeIt(() => backend.im2col(x, g), { budgetMs: 1000 });
    const fold = timeIt(() => backend.col2im(ref, g), { budgetMs: 1000 });
    return {
      layer: l.name,
      elements: l.x[0]! * rows * L,
      im2colMs: im.medianMs,
      col2imMs: fold.medianMs,
      bestIm2colMs: Math.min(...im.samplesMs),
      bestCol2imMs: Math.min(...fold.samplesMs),
    };
  });
}

const m = machine();
const peers = { 'nabla cpu (wasm)': cpu(), 'nabla cpu (js)': cpu({ wasm: false }) };
const nabla: Record<string, Record<string, Times>> = {};
const prims: Record<string, ReturnType<typeof timePrimitives>> = {};
for (const [name, backend] of Object.entries(peers)) {
  useBackend(backend);
  nabla[name] = Object.fromEntries(LAYERS.map((l) => [l.name, timeLayer(l)]));
  prims[name] = timePrimitives(backend);
}
const script = fileURLToPath(new URL('conv/torch_conv.py', import.meta.url));
const py = spawnSync('/usr/bin/python3', [script, '--threads', '1'], { encoding: 'utf8' });
const torch = py.status === 0 ? (JSON.parse(py.stdout) as { torch: string; results: Record<string, Times> }) : null; // prettier-ignore
if (!torch) console.error(`PyTorch did not run: ${py.stderr}`);

const gf = (f: number, ms: number) => (f > 0 && ms > 0 ? ` (${(f / ms / 1e6).toFixed(1)})` : '');
/** Forward and backward (median, then best), each with its GFLOP/s for convolutions. */
function cells(l: Layer, t: Times | undefined): string[] {
  if (!t) return ['—', '—', '—', '—'];
  const f = flops(l);
  const fb = f * (l.needX ? 2 : 1);
  // a busy machine can make the difference of two medians meaningless (even negative)
  const pair = (fwd: number, both: number) => [
    `${fwd.toFixed(2)} ms${gf(f, fwd)}`,
    both > fwd ? `${(both - fwd).toFixed(2)} ms${gf(fb, both - fwd)}` : '—',
  ];
  return [
    ...pair(t.forwardMs, t.forwardBackwardMs),
    ...pair(t.bestForwardMs, t.bestForwardBackwardMs),
  ];
}
const peerResults: [string, Record<string, Times> | undefined][] = [
  ...Object.entries(nabla),
  [`PyTorch ${torch?.torch ?? '?'} (1 thread)`, torch?.results],
];
const rows = LAYERS.flatMap((l) =>
  peerResults.map(([name, r]) => [l.what, name, ...cells(l, r?.[l.name])]),
);
const header = ['layer', 'peer', 'forward', 'backward', 'forward, best', 'backward, best'];
const primRows = Object.entries(prims).flatMap(([name, ps]) =>
  ps.map((p) => [
    `${name}: ${p.layer}`,
    `${(p.elements / 1e6).toFixed(2)} M`,
    `${p.im2colMs.toFixed(2)} ms (best ${p.bestIm2colMs.toFixed(2)})`,
    `${p.col2imMs.toFixed(2)} ms (best ${p.bestCol2imMs.toFixed(2)})`,
  ]),
);
const md = [
  "# LeNet's convolutions and poolings on the CPU, time and GFLOP/s (higher is better)",
  '',
  ...machineLines(m),
  '',
  markdownTable(header, rows),
  '',
  'Times are the median, and the best, of several samples of back-to-back calls after a warm-up, one',
  'core (on a shared machine the best sample is the least disturbed); in brackets the GFLOP/s',
  '(2·outputs·C·kH·kW per forward; backward: that for ∂weight, twice with ∂input). Backward is',
  "(forward + backward) − forward (— where the machine was too busy for it to mean anything). Nabla's",
  'conv2d is one autograd node whose forward and backward are the fused `conv` / `convGrad` kernels: image',
  'by image in WebAssembly memory, im2col then a matmul with [bias | weight] (backward: im2col again,',
  'the ∂w matmul, wᵀ·∂y and col2im). `js`: `cpu({ wasm: false })`, which composes im2col, a batched',
  'matmul and col2im in TypeScript.',
  '',
  '## The window primitives by themselves',
  '',
  markdownTable(['backend: layer', 'columns', 'im2col', 'col2im'], primRows),
].join('\n');
writeResults('conv', md, { machine: m, nabla, primitives: prims, torch });
console.log(md);
