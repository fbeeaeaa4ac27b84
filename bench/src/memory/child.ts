// One memory run in a process of its own: `child.ts <W1|W3> <steps> <every> [mnist|synthetic]`.
// Prints one JSON line per sample (see run.ts); MEMORY_GC=1 collects garbage before each sample.
import { loadMnist } from '@nablajs/data';
import { workload } from '../mnist/workloads.js';
import { memoryRun, syntheticMnist } from './run.js';

const [id, steps, every, source = 'synthetic'] = process.argv.slice(2);
const data = source === 'mnist' ? (await loadMnist({ validation: 0 })).train : syntheticMnist(6000);
memoryRun(workload(id ?? ''), data, Number(steps), Number(every), (s) =>
  process.stdout.write(`${JSON.stringify(s)}\n`),
);
