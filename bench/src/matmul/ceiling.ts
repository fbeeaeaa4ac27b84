// The "ceiling" of matmul.bench.ts: for each workload of cases.ts, the time one training step's
// matmuls alone take at each peer's measured rate (the sum over its products of flops ÷ GFLOP/s),
// beside the whole step as the latest results/mnist.json, lenet.json and charlm.json measured it.
import { existsSync, readFileSync } from 'node:fs';
import { resultsDir } from '../lib.js';
import type { Case, WorkloadId } from './cases.js';

export const WORKLOADS: { id: WorkloadId; what: string; stepsPerEpoch: number | null }[] = [
  { id: 'W2', what: 'W2 MLP 784-30-10, batch 128', stepsPerEpoch: 60000 / 128 },
  { id: 'W3', what: 'W3 MLP 784-100×4-10, batch 64', stepsPerEpoch: 60000 / 64 },
  {
    id: 'C1',
    what: 'C1 LeNet-5, batch 64, convolutions as one GEMM over the batch',
    stepsPerEpoch: 60000 / 64,
  },
  {
    id: 'C1i',
    what: 'C1 LeNet-5, batch 64, convolutions image by image (as Nabla runs them)',
    stepsPerEpoch: 60000 / 64,
  },
  { id: 'G1', what: 'G1 char-GPT, 32×128 tokens', stepsPerEpoch: null },
];

/** Measured whole-step seconds: PyTorch's best (1 or 2 threads) and Nabla's, and where from. */
export interface Measured {
  torchStep: number;
  torchPeer: string;
  nablaStep: number;
  source: string;
}

/** The parts of the other benchmarks' result files read here. */
interface EpochRuns {
  machine: { date: string };
  runs: Record<string, { measurement?: { epochSeconds: number[] } } | undefined>;
}
interface StepResults {
  results?: { G1?: Record<string, { secondsPerStep: number } | undefined> };
}

function readJson<T>(name: string): T | undefined {
  const file = `${resultsDir}${name}.json`;
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : undefined;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** The latest whole-step times of each workload from the other benchmarks' results, if present. */
export function measuredSteps(): Partial<Record<WorkloadId, Measured>> {
  const out: Partial<Record<WorkloadId, Measured>> = {};
  const epochPick = (
    runs: EpochRuns['runs'],
    key: (p: string) => string,
    steps: number,
    source: string,
  ) => {
    // prettier-ignore
    const s = (p: string) => runs[key(p)]?.measurement?.epochSeconds;
    const t = ['torch-1t', 'torch-2t'].filter((p) => s(p)).map((p) => ({ p, t: median(s(p)!) }));
    const n = s('nabla');
    if (!t.length || !n) return undefined;
    const best = t.reduce((a, b) => (b.t < a.t ? b : a));
    return { torchStep: best.t / steps, torchPeer: best.p, nablaStep: median(n) / steps, source };
  };
  const mnist = readJson<EpochRuns>('mnist');
  for (const w of ['W2', 'W3'] as const) {
    const steps = WORKLOADS.find((x) => x.id === w)!.stepsPerEpoch!;
    const m = mnist && epochPick(mnist.runs, (p) => `${p} ${w}`, steps, `mnist.json ${mnist.machine.date.slice(0, 10)}`); // prettier-ignore
    if (m) out[w] = m;
  }
  const lenet = readJson<EpochRuns>('lenet');
  const c1 = lenet && epochPick(lenet.runs, (p) => p, 60000 / 64, `lenet.json ${lenet.machine.date.slice(0, 10)}`); // prettier-ignore
  if (c1) out.C1 = out.C1i = c1;
  const g1 = readJson<StepResults>('charlm')?.results?.G1;
  if (g1?.nabla && g1['torch-1t']) {
    const t = ['torch-1t', 'torch-2t'].flatMap((p) => (g1[p] ? [{ p, t: g1[p].secondsPerStep }] : [])); // prettier-ignore
    const best = t.reduce((a, b) => (b.t < a.t ? b : a));
    out.G1 = { torchStep: best.t, torchPeer: best.p, nablaStep: g1.nabla.secondsPerStep, source: 'charlm.json' }; // prettier-ignore
  }
  return out;
}

/** Per workload: GFLOP of a step's matmuls and the seconds they take at each peer's rates. */
export function stepMatmuls(
  rows: { case: Case; gflops: Record<string, number | null> }[],
  id: WorkloadId,
  peers: readonly string[],
): { gflop: number; seconds: Record<string, number> } {
  let gflop = 0;
  const seconds: Record<string, number> = Object.fromEntries(peers.map((p) => [p, 0]));
  for (const r of rows) {
    const n = r.case.uses[id] ?? 0;
    if (!n) continue;
    const f = (2 * r.case.M * r.case.N * r.case.K * n) / 1e9;
    gflop += f;
    for (const p of peers) seconds[p]! += r.gflops[p] ? f / r.gflops[p]! : NaN;
  }
  return { gflop, seconds };
}
