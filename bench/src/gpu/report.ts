// Turns the GPU machine's nabla.json and torch.json (see device.sh) into bench/results/gpu.md and
// gpu.json: Nabla on WebGPU beside PyTorch CUDA, same run, same shapes, as ratios.
//   node --import tsx --conditions=@nablajs/source bench/src/gpu/report.ts DIR
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { markdownTable } from '../lib.js';

interface MatmulRow {
  n: number;
  tile?: string;
  seconds: number;
  tflops: number;
}
interface MnistRow {
  workload: string;
  epochSeconds: number[];
  accuracies: number[];
  median: number;
}
interface Side {
  matmul: MatmulRow[];
  mnist: MnistRow[];
  big: { width: number; batch: number; layers: number; median: number };
  [k: string]: unknown;
}

const dir = process.argv[2] ?? '.';
// the last line is the JSON (the GPU machine's kit prints the GPU's name first)
const read = (f: string) =>
  JSON.parse(readFileSync(path.join(dir, f), 'utf8').trim().split('\n').at(-1)!) as Side;
const nabla = read('nabla.json');
const torch = read('torch.json');
const fmt = (x: number, d = 2) => x.toFixed(d);
const pct = (xs: number[]) => xs.map((a) => `${(a * 100).toFixed(1)}`).join(' / ');

const matmulRows = nabla.matmul.map((r) => {
  const t = torch.matmul.find((x) => x.n === r.n);
  return [
    `${r.n}³`,
    r.tile ?? 'auto',
    fmt(r.tflops),
    t ? fmt(t.tflops) : '–',
    t ? `${fmt(r.tflops / t.tflops)}×` : '–',
  ];
});
const mnistRows = nabla.mnist.map((r) => {
  const t = torch.mnist.find((x) => x.workload === r.workload)!;
  return [
    r.workload,
    fmt(r.median),
    fmt(t.median),
    `${fmt(r.median / t.median)}×`,
    pct(r.accuracies),
    pct(t.accuracies),
  ];
});
const big = [
  `${nabla.big.layers} × ${nabla.big.width} wide, batch ${nabla.big.batch}`,
  fmt(nabla.big.median * 1000, 1),
  fmt(torch.big.median * 1000, 1),
  `${fmt(nabla.big.median / torch.big.median)}×`,
];

const md = `# Nabla on WebGPU beside PyTorch CUDA, one GPU, one run

Adapter: ${JSON.stringify(nabla.adapter)}; PyTorch ${String(torch.torch)} on ${String(torch.device)}, fp32 with TF32 off.
Run with \`bench/src/gpu/device.sh\` (the two sides one after the other on the same machine); every
timing ends when the GPU is idle (\`torch.cuda.synchronize()\`, a read on WebGPU).

## fp32 matmul, C = A·B (n×n)
${markdownTable(['size', 'Nabla tile', 'Nabla TFLOP/s', 'PyTorch TFLOP/s', 'Nabla / PyTorch'], matmulRows)}

## One MNIST epoch (60,000 images; median of 3; BENCHMARKING.md's W1–W3)
${markdownTable(['workload', 'Nabla s', 'PyTorch s', 'Nabla / PyTorch (time)', 'Nabla test acc. %', 'PyTorch test acc. %'], mnistRows)}

## One training step of a big MLP (ReLU, softmax cross-entropy, SGD; median of 10)
${markdownTable(['net', 'Nabla ms', 'PyTorch ms', 'Nabla / PyTorch (time)'], [big])}
`;
const results = new URL('../../results/', import.meta.url);
writeFileSync(new URL('gpu.md', results), md);
writeFileSync(new URL('gpu.json', results), `${JSON.stringify({ nabla, torch }, null, 2)}\n`);
console.log(md);
