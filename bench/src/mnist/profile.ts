// Where a training step's time goes: a V8 CPU profile (`node --cpu-prof`) of Nabla training, its
// samples put in a few categories by the source file of the innermost frame. Used by mnist.bench.ts
// for the per-step profile summary of results/mnist.md (tested in src/mnist.test.ts).

/** The parts of a `.cpuprofile` this reads. */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string };
    children?: number[];
  }[];
  samples: number[];
  timeDeltas: number[];
}

/** The categories, in the order the table shows them. */
export const CATEGORIES = [
  'WebAssembly kernels (matmuls, convolutions, elementwise, losses)',
  'copies into and out of WebAssembly memory',
  'waiting for matmul threads',
  'elementwise, reduction and fused kernels (TypeScript)',
  'allocation of results',
  'Tensor bookkeeping (checks, shapes, views, accounting)',
  'autograd bookkeeping (graph, backward engine, rules)',
  'layers, losses and optimizer (nn, optim)',
  'data loading (DataLoader, tensor())',
  'garbage collection',
  'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** The category of a frame, from its function name and the file it is in. */
export function categorize(functionName: string, url: string): Category {
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (url.startsWith('wasm://') || functionName.startsWith('wasm-function')) return CATEGORIES[0];
  const m = /packages\/([\w-]+)\/src\/(.+)$/.exec(url);
  if (!m) return 'other';
  const [, pkg, file] = m as unknown as [string, string, string];
  switch (pkg) {
    case 'backend-cpu':
      if (file === 'wasm/threads.ts') return 'waiting for matmul threads';
      if (file.startsWith('wasm/')) return 'copies into and out of WebAssembly memory';
      if (file === 'alloc.ts') return 'allocation of results';
      return 'elementwise, reduction and fused kernels (TypeScript)';
    case 'tensor':
      return file === 'create.ts' || file === 'dtype.ts'
        ? 'data loading (DataLoader, tensor())'
        : 'Tensor bookkeeping (checks, shapes, views, accounting)';
    case 'autograd':
      return 'autograd bookkeeping (graph, backward engine, rules)';
    case 'nn':
    case 'optim':
      return 'layers, losses and optimizer (nn, optim)';
    case 'data':
      return 'data loading (DataLoader, tensor())';
    default:
      return 'other';
  }
}

/**
 * Milliseconds per category of the samples taken while a function named `root` was on the stack,
 * and of the garbage collector's samples between the first and the last of those (the collector runs
 * at the top of the stack, for whatever allocated).
 */
export function breakdown(p: CpuProfile, root: string): Record<Category, number> {
  const parent = new Map<number, number>();
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const under = new Map<number, boolean>();
  const isUnder = (id: number): boolean => {
    let v = under.get(id);
    if (v === undefined) {
      const up = parent.get(id);
      v = byId.get(id)!.callFrame.functionName === root || (up !== undefined && isUnder(up));
      under.set(id, v);
    }
    return v;
  };
  const out = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;
  let first = -1;
  let last = -1;
  p.samples.forEach((id, i) => {
    if (isUnder(id)) {
      if (first < 0) first = i;
      last = i;
    }
  });
  for (let i = Math.max(first, 0); i <= last; i++) {
    const id = p.samples[i]!;
    const f = byId.get(id)!.callFrame;
    // a sample's time is the delta to the next one (V8 records the delta before each sample)
    const ms = (p.timeDeltas[i + 1] ?? 0) / 1000;
    if (isUnder(id)) out[categorize(f.functionName, f.url)] += ms;
    else if (f.functionName === '(garbage collector)') out['garbage collection'] += ms;
  }
  return out;
}

/** One workload's profile: milliseconds per category over `steps` training steps. */
export interface StepProfile {
  workload: string;
  steps: number;
  ms: Record<Category, number>;
}

/** µs per step and share of each category, one column per workload (categories with no time left out). */
export function profileTable(profiles: readonly StepProfile[]): string {
  const total = (p: StepProfile) => CATEGORIES.reduce((s, c) => s + p.ms[c], 0);
  const cell = (p: StepProfile, ms: number) =>
    `${((ms * 1000) / p.steps).toFixed(0)} µs (${((100 * ms) / total(p)).toFixed(0)} %)`;
  const used = CATEGORIES.filter((c) => profiles.some((p) => p.ms[c] > 0));
  const header = ['where the time goes', ...profiles.map((p) => `${p.workload} µs/step (share)`)];
  const rows = [
    ...used.map((c) => [c, ...profiles.map((p) => cell(p, p.ms[c]))]),
    ['**total**', ...profiles.map((p) => `**${((total(p) * 1000) / p.steps).toFixed(0)} µs**`)],
  ];
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map((_, i) => (i ? '---:' : '---'))), ...rows.map(line)].join(
    '\n',
  );
}
