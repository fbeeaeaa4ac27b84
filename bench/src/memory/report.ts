// Runs memory runs in child processes and summarises them (memory.bench.ts and memory.test.ts).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { MemorySample } from './run.js';

const child = fileURLToPath(new URL('./child.ts', import.meta.url));
/** bench/, where `tsx` resolves (the test runner may run from the repository's root). */
const benchDir = fileURLToPath(new URL('../..', import.meta.url));

/** What `script` prints, run in a fresh Node process with --expose-gc and `nodeFlags`. */
function runScript(
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  nodeFlags: readonly string[] = [],
): string {
  const run = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      ...nodeFlags,
      '--import',
      'tsx',
      '--conditions=@nablajs/source',
      script,
      ...args,
    ],
    { cwd: benchDir, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 26 },
  );
  if (run.status !== 0) throw new Error(`memory child failed (${run.status}):\n${run.stderr}`);
  return run.stdout;
}

/** Bytes of array buffers that `a.add(1).dispose()` 100,000 times leaves (dispose.ts). */
export const disposeKept = (): number =>
  Number(runScript(fileURLToPath(new URL('./dispose.ts', import.meta.url)), []));

/** The samples of one run of `child.ts` in a fresh Node process. */
export function runChild(
  id: string,
  steps: number,
  every: number,
  source: 'mnist' | 'synthetic',
  env: NodeJS.ProcessEnv = {},
  nodeFlags: readonly string[] = [],
): MemorySample[] {
  return runScript(child, [id, String(steps), String(every), source], env, nodeFlags)
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as MemorySample);
}

/** A run whose RSS moves only with what the process holds: samples after gc(); glibc hands every
 * freed block of 64 KiB or more back to the system at once (by default it keeps some, more or less
 * with the collector's timing: ±25 MB on this workload, more on a loaded machine); V8's young
 * generation has its full size from the start (it grows from 1 to 16 MB at some point otherwise,
 * sooner or later with the load). RSS then stays within ±1 MB of a flat line on W1 and W3, loaded
 * or not, so a leak of a few MB shows. */
export const PINNED = {
  env: { MEMORY_GC: '1', MALLOC_MMAP_THRESHOLD_: '65536' },
  nodeFlags: ['--min-semi-space-size=16', '--max-semi-space-size=16'],
} as const;

/** What a run shows, against its level after `base` steps (the first sample at or after it). */
export interface MemorySummary {
  steps: number;
  /** RSS after `base` steps, and the largest and smallest RSS after that, in bytes. */
  rssBase: number;
  rssMax: number;
  rssMin: number;
  /** The largest |RSS − rssBase| after base: the bound is 50 MB. */
  rssDrift: number;
  /** RSS: the lowest of the later half of the samples after base minus the lowest of the earlier
   * half. A leak shows as a trend; the collector's and malloc's timing as noise it ignores. */
  rssTrend: number;
  heapBase: number;
  heapLast: number;
  heapTotalLast: number;
  arrayBuffersBase: number;
  arrayBuffersMax: number;
  /** memory().backends.cpu at the last sample: the counts only rise in a synchronous loop. */
  countedTensors: number;
  countedBytes: number;
}

/** The lowest value of the later half minus the lowest of the earlier half: a leak shows there, the
 * collector's timing does not. */
const trend = (xs: readonly number[]): number =>
  Math.min(...xs.slice(xs.length >> 1)) - Math.min(...xs.slice(0, xs.length >> 1));

export function summarise(samples: readonly MemorySample[], base = 1000): MemorySummary {
  const i = samples.findIndex((s) => s.step >= base);
  const first = samples[i]!;
  const after = samples.slice(i);
  const last = samples.at(-1)!;
  const rss = after.map((s) => s.rss);
  return {
    steps: last.step,
    rssBase: first.rss,
    rssMax: Math.max(...rss),
    rssMin: Math.min(...rss),
    rssDrift: Math.max(...rss.map((r) => Math.abs(r - first.rss))),
    rssTrend: trend(rss),
    heapBase: first.heapUsed,
    heapLast: last.heapUsed,
    heapTotalLast: last.heapTotal,
    arrayBuffersBase: first.arrayBuffers,
    arrayBuffersMax: Math.max(...after.map((s) => s.arrayBuffers)),
    countedTensors: last.tensors,
    countedBytes: last.bytes,
  };
}
