// `a.add(1).dispose()` 100,000 times, `a` of 1,000 floats (400 MB of results), in a process of its
// own started with --expose-gc (memory.bench.ts): prints the array buffers' growth over the loop,
// in bytes, each side measured after a collection.
import { cpu } from '@nablajs/backend-cpu';
import { useBackend, zeros } from '@nablajs/tensor';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('dispose.ts needs --expose-gc');
const buffers = () => (gc(), gc(), process.memoryUsage().arrayBuffers);
useBackend(cpu());
const a = zeros([1000]);
const before = buffers();
for (let i = 0; i < 100_000; i++) a.add(1).dispose();
process.stdout.write(`${buffers() - before}\n`);
