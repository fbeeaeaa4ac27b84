// Runs every benchmark in this folder (src/*.bench.ts), one after another, each in its own Node
// process so that peers never share a heap or a JIT. `pnpm bench [name ...]` runs only those whose
// file name contains one of the names. On Node 20 the processes run with
// --experimental-wasm-relaxed-simd, so that Nabla's CPU kernels use fused multiply-adds, as they do
// by default on later Nodes and in browsers (backend-cpu/src/wasm/builds.ts).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const filters = process.argv.slice(2);
const benches = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (benches.length === 0) {
  console.error(`no benchmark matches ${filters.join(', ')}`);
  process.exit(1);
}
const RELAXED = '--experimental-wasm-relaxed-simd';
const flags =
  process.versions.node.startsWith('20.') && !process.execArgv.includes(RELAXED) ? [RELAXED] : [];
let failed = 0;
for (const file of benches) {
  console.log(`\n== ${file}`);
  const run = spawnSync(process.execPath, [...process.execArgv, ...flags, `${dir}${file}`], {
    stdio: 'inherit',
  });
  if (run.status !== 0) {
    console.error(`${file} failed (exit ${run.status ?? run.signal})`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
