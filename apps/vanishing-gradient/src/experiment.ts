import { Progress, type ProgressSink } from 'app-kit';
import { type ChainResult, singleNeuronChain } from './chain.js';
import { defaultInit, INIT_LABELS } from './model.js';
import type { Options, Study } from './options.js';
import { type Data, type RunResult, type RunSpec, type Setup, trainRun } from './train.js';

export interface Results {
  setup: Setup & {
    trainSize: number;
    testSize: number;
    probeSize: number;
    backend: string;
    quick: boolean;
  };
  /** The lecture's single-neuron chain, term by term, beside autograd. */
  chain: ChainResult;
  /** Every network trained, by key; a run shared by several studies appears once. */
  runs: Record<string, RunResult>;
  /** The runs each comparison shows, in order. */
  studies: Partial<Record<Study, string[]>>;
  seconds: number;
}

const net = (depth: number, width: number) =>
  `[784,${Array<number>(depth).fill(width).join(',')},10]`;

/** The networks each study compares; a run shared by several studies is listed once per study. */
export function planRuns(o: Options): Record<Study, RunSpec[]> {
  const deepest = Math.max(...o.depth);
  const spec = (
    depth: number,
    activation: RunSpec['activation'],
    init: RunSpec['init'],
    pretrain = false,
  ): RunSpec => ({
    key: `${activation}-${depth}-${init}${pretrain ? '-pretrained' : ''}`,
    label: `${net(depth, o.width)} ${activation}, ${INIT_LABELS[init]}${pretrain ? ', pre-trained' : ''}`,
    depth,
    activation,
    init,
    pretrain,
  });
  const plan: Record<Study, RunSpec[]> = {
    depth: o.depth.map((d) => spec(d, 'sigmoid', 'nielsen')),
    activation: o.activation.map((a) => spec(deepest, a, defaultInit(a))),
    init: o.init.map((i) => spec(deepest, 'sigmoid', i)),
    pretrain: [spec(deepest, 'sigmoid', 'nielsen'), spec(deepest, 'sigmoid', 'nielsen', true)],
  };
  for (const s of Object.keys(plan) as Study[]) if (!o.study.includes(s)) plan[s] = [];
  return plan;
}

const sci = (v: number) => v.toExponential(1);

/** Runs the studies `o` asks for on `data`, with a progress bar on `progress` and a line per run on `log`. */
export async function runExperiment(
  o: Options,
  data: Data,
  io: { progress?: ProgressSink | null; log?: (line: string) => void } = {},
): Promise<Results> {
  const start = performance.now();
  const setup: Setup = {
    epochs: o.epochs,
    batchSize: o.batchSize,
    lr: o.lr,
    l2: o.l2,
    seed: o.seed,
    width: o.width,
    pretrainEpochs: o.pretrainEpochs,
  };
  const plan = planRuns(o);
  const unique = new Map<string, RunSpec>();
  for (const s of Object.values(plan)) for (const r of s) unique.set(r.key, r);
  const n = data.train.count;
  const total = [...unique.values()].reduce(
    (t, r) => t + n * o.epochs + (r.pretrain ? n * o.pretrainEpochs * r.depth : 0),
    0,
  );
  const bar =
    io.progress === null ? undefined : new Progress('train', total, io.progress, 'images');
  const log = (line: string) => {
    bar?.finish();
    io.log?.(line);
  };
  const chain = await singleNeuronChain({ seed: o.seed });
  const runs: Record<string, RunResult> = {};
  for (const spec of unique.values()) {
    const r = await trainRun(spec, setup, data, { onImages: (k) => bar?.tick(k) });
    runs[spec.key] = r;
    const first = r.history[0]!;
    const last = r.history[r.history.length - 1]!;
    const seconds = r.history.reduce((s, h) => s + h.seconds, 0) + (r.pretrainSeconds ?? 0);
    log(
      `${spec.label}: ‖∂C/∂b^l‖ ${first.gradNorms.map(sci).join(' ')} → ${last.gradNorms.map(sci).join(' ')}, test ${(100 * last.testAccuracy).toFixed(2)}% (${seconds.toFixed(1)} s)`,
    );
  }
  const studies: Results['studies'] = {};
  for (const [s, specs] of Object.entries(plan) as [Study, RunSpec[]][])
    if (specs.length) studies[s] = specs.map((r) => r.key);
  return {
    setup: {
      ...setup,
      trainSize: n,
      testSize: data.test.count,
      probeSize: data.probe.count,
      backend: o.backend,
      quick: o.quick,
    },
    chain,
    runs,
    studies,
    seconds: (performance.now() - start) / 1000,
  };
}
