// Memory of a synchronous training loop on the CPU backend: no dispose, no tidy, no yield to the
// event loop (the natural way to write one in Node). Each run is a process of its own that samples
// RSS, the V8 heap, array buffers and memory() every 1,000 steps: W1 (the lecture's 784-30-10 sigmoid
// net, SGD, batch 10) for 100,000 steps and W3 (784-100×4-10 ReLU, Adam, batch 64) for 20,000, on
// MNIST. The bound (issue 15): RSS within 50 MB of its level after the first 1,000 steps. Also
// `a.add(1).dispose()` 100,000 times, which once kept every slab alive until the loop ended.
// Writes results/memory.md and results/memory.json. MEMORY_STEPS=W1:10000,W3:2000 shortens the runs
// (then nothing is written).
import { machine, machineLines, markdownTable, writeResults } from './lib.js';
import { disposeKept, runChild, summarise, type MemorySummary } from './memory/report.js';
import { describeWorkload, workload } from './mnist/workloads.js';

const BOUND_MB = 50;
const custom = process.env.MEMORY_STEPS;
const runs: [string, number][] = custom
  ? custom.split(',').map((r) => {
      const [id, n] = r.split(':');
      return [id!, Number(n)];
    })
  : [
      ['W1', 100_000],
      ['W3', 20_000],
    ];

const m = machine();
const MB = (b: number) => (b / 1e6).toFixed(1);
/** How a run samples: as the memory comes, after gc(), or after gc() with glibc returning freed
 * memory at once (a diagnostic: what RSS does when the allocator keeps nothing back). */
type Mode = 'as it comes' | 'after gc()' | 'after gc(), glibc trimming';
const MODES: Record<Mode, NodeJS.ProcessEnv> = {
  'as it comes': {},
  'after gc()': { MEMORY_GC: '1' },
  'after gc(), glibc trimming': {
    MEMORY_GC: '1',
    MALLOC_MMAP_THRESHOLD_: '131072',
    MALLOC_TRIM_THRESHOLD_: '131072',
  },
};
const results: (MemorySummary & { workload: string; mode: Mode; seconds: number })[] = [];
for (const [id, steps] of runs)
  for (const mode of Object.keys(MODES) as Mode[]) {
    // the glibc diagnostic once, on the lecture's network
    if (mode === 'after gc(), glibc trimming' && id !== 'W1') continue;
    const t0 = performance.now();
    const samples = runChild(id, steps, 1000, 'mnist', MODES[mode]);
    const seconds = (performance.now() - t0) / 1000;
    const s = summarise(samples);
    results.push({ workload: id, mode, seconds, ...s });
    console.log(
      `${id} (${mode}) ${steps} steps in ${seconds.toFixed(0)} s: RSS ${MB(s.rssBase)} MB after 1,000 steps, ` +
        `${MB(s.rssMin)}–${MB(s.rssMax)} MB after (drift ${MB(s.rssDrift)} MB); heap ${MB(s.heapBase)} → ` +
        `${MB(s.heapLast)} MB`,
    );
  }

// a.add(1).dispose(), 100,000 times, a of 1,000 floats: 400 MB of results (a process with gc())
const addKept = disposeKept();
console.log(`a.add(1).dispose() × 100,000: ${MB(addKept)} MB of array buffers kept`);

const table = markdownTable(
  [
    'workload',
    'samples',
    'steps',
    'RSS after 1,000 steps',
    'RSS after that (min–max)',
    'largest drift',
    'trend',
    `within ${BOUND_MB} MB`,
    'V8 heap used (after 1,000 → last)',
    'array buffers (after 1,000, max)',
    'memory() at the end (tensors, bytes)',
  ],
  results.map((r) => [
    `${r.workload}: ${describeWorkload(workload(r.workload))}`,
    r.mode,
    r.steps.toLocaleString('en-US'),
    `${MB(r.rssBase)} MB`,
    `${MB(r.rssMin)}–${MB(r.rssMax)} MB`,
    `${MB(r.rssDrift)} MB`,
    `${MB(r.rssTrend)} MB`,
    r.rssDrift <= BOUND_MB * 1e6 ? 'yes' : '**no**',
    `${MB(r.heapBase)} → ${MB(r.heapLast)} MB`,
    `${MB(r.arrayBuffersBase)}, ${MB(r.arrayBuffersMax)} MB`,
    `${r.countedTensors.toLocaleString('en-US')}, ${MB(r.countedBytes)} MB`,
  ]),
);
const markdown = `# Memory of a synchronous training loop (CPU backend)

${machineLines(m).join('\n')}

${table}

Each run is a Node process of its own training on MNIST (file order, epochs repeated) in a plain
\`for\` loop: no \`dispose()\`, no \`tidy()\`, no \`await\`, so finalizers never run. RSS, the V8 heap
(\`heapUsed\`) and array buffers come from \`process.memoryUsage()\` every 1,000 steps, as they come,
and in a second run after a full collection (\`gc()\` twice: array buffers freed by the first are swept
in the background and counted by the second); array buffers include MNIST itself (~220 MB). RSS moves
by some tens of MB with the collector's timing (array buffers pile up to ~64 MB between
collections), malloc's free lists and V8 growing its young generation (from ~27 to ~44 MB of heap in
the first few thousand steps). The trend is the lowest RSS of the later half of the samples minus the
lowest of the earlier half: a leak shows there, timing does not. The V8 heap after \`gc()\` grows by
about 100 bytes per 1 MiB chunk or large buffer made: memory accounting's FinalizationRegistry record for
it, which goes when finalizers run. \`memory()\` learns what the collector
freed from finalizers, so in such a loop its counts only rise (see \`memory()\`'s documentation):
the last column is what it counts, not what is held.

\`a.add(1).dispose()\` 100,000 times, \`a\` of 1,000 floats (400 MB of results): ${MB(addKept)} MB of
array buffers kept after the loop (after a collection).

The third W1 run tells the allocator apart from a leak: with glibc told to give freed memory back to the
system at once (\`MALLOC_MMAP_THRESHOLD_\` and \`MALLOC_TRIM_THRESHOLD_\` at 128 KiB), RSS moves only with V8's
young generation. Without it, glibc keeps some of the freed 1 MiB chunks for reuse, a varying amount.

Run: \`pnpm bench memory\` (${results.map((r) => `${r.workload} ${r.mode} took ${r.seconds.toFixed(0)} s`).join(', ')}).
`;
if (custom) console.log(`\n${markdown}`);
else writeResults('memory', markdown, { machine: m, runs: results, addDisposeKeptBytes: addKept });
