// Shared helpers for the benchmarks: timing, machine facts, result files.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { kernelBuild } from '@nablajs/backend-cpu';

export const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));

export interface Timing {
  /** Median milliseconds per call. */
  medianMs: number;
  /** Milliseconds per call of each sample. */
  samplesMs: number[];
  callsPerSample: number;
}

export interface TimeOptions {
  /**
   * A sample repeats the call until it lasts at least this long. Short samples, many of them: on a
   * shared machine a sample that the scheduler interrupts is an outlier the median ignores.
   */
  minSampleMs?: number;
  /** Samples wanted (the median is reported). */
  samples?: number;
  /** Fewer samples (at least 3) when they would take longer than this in all. */
  budgetMs?: number;
}

/** Warms `fn` up, then times it: the median of several samples of back-to-back calls. */
export function timeIt(fn: () => void, options: TimeOptions = {}): Timing {
  const { minSampleMs = 2, samples = 31, budgetMs = 3000 } = options;
  // warm-up: at least 3 calls and 100 ms, so the JIT has compiled the hot paths
  let calls = 0;
  const t0 = performance.now();
  while (calls < 3 || performance.now() - t0 < 100) {
    fn();
    calls++;
    if (calls >= 3 && performance.now() - t0 > 2000) break;
  }
  const perCall = (performance.now() - t0) / calls;
  const callsPerSample = Math.max(1, Math.ceil(minSampleMs / perCall));
  const count = Math.max(3, Math.min(samples, Math.floor(budgetMs / (perCall * callsPerSample))));
  const samplesMs: number[] = [];
  for (let s = 0; s < count; s++) {
    const start = performance.now();
    for (let i = 0; i < callsPerSample; i++) fn();
    samplesMs.push((performance.now() - start) / callsPerSample);
  }
  return { medianMs: median(samplesMs), samplesMs, callsPerSample };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export interface Machine {
  date: string;
  node: string;
  v8: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  platform: string;
  /** 1-minute load average when the benchmark started: other work on the machine skews results. */
  loadAverage: number;
  /** Which build of Nabla's CPU kernels ran: with fused multiply-adds (relaxed SIMD) or without. */
  kernels: string;
}

export function machine(): Machine {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    v8: process.versions.v8,
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.arch()}`,
    loadAverage: Math.round(os.loadavg()[0]! * 100) / 100,
    kernels: kernelBuild(),
  };
}

const KERNELS: Record<string, string> = {
  fused:
    'the build with fused multiply-adds (relaxed SIMD; Node 20 runs it with --experimental-wasm-relaxed-simd, which `pnpm bench` passes)',
  plain: 'the build without fused multiply-adds (this engine does not run relaxed SIMD)',
};

export function machineLines(m: Machine): string[] {
  return [
    `- date: ${m.date}`,
    `- Node ${m.node} (V8 ${m.v8}), ${m.platform}`,
    `- CPU: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB`,
    `- load average (1 min) at start: ${m.loadAverage}`,
    `- Nabla's CPU kernels: ${KERNELS[m.kernels] ?? m.kernels}`,
  ];
}

/** A markdown table; columns after the first are right-aligned. */
export function markdownTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const rule = header.map((_, i) => (i === 0 ? '---' : '---:'));
  return [line(header), line(rule), ...rows.map(line)].join('\n');
}

/** Writes results/<name>.md and results/<name>.json. */
export function writeResults(name: string, markdown: string, json: unknown): void {
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(`${resultsDir}${name}.md`, markdown.endsWith('\n') ? markdown : `${markdown}\n`);
  writeFileSync(`${resultsDir}${name}.json`, `${JSON.stringify(json, null, 2)}\n`);
  console.log(`wrote results/${name}.md and results/${name}.json`);
}

// OpenBLAS 0.3.21 does not recognise newer CPUs; SkylakeX kernels need AVX-512 (they die of SIGILL
// without it), so force them only where the CPU has it, and otherwise let OpenBLAS pick.
function hasAvx512(): boolean {
  try {
    return /\bavx512f\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false; // not Linux
  }
}
/** The OPENBLAS_CORETYPE PyTorch runs with (undefined: OpenBLAS picks). */
export const coretype = process.env.OPENBLAS_CORETYPE ?? (hasAvx512() ? 'SkylakeX' : undefined);

/** PyTorch's environment for `threads` threads: OpenBLAS's own pool sized to match. */
export function torchEnv(threads: number): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...(coretype ? { OPENBLAS_CORETYPE: coretype } : {}),
    OPENBLAS_NUM_THREADS: String(threads),
    OMP_NUM_THREADS: String(threads),
    // With 2 threads, OpenMP's busy-waiting workers made epochs 10× slower on this shared machine.
    ...(threads > 1 ? { OMP_WAIT_POLICY: 'PASSIVE' } : {}),
  };
}
