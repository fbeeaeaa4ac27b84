// One peer on C1, in a process of its own: `peer.ts <nabla|tfjs-wasm> [epochs]`. Loads MNIST
// (untimed), follows the MNIST protocol (../mnist/protocol.ts) and prints the measurement after
// RESULT_MARKER; progress goes to stderr.
import { loadMnist } from '@nablajs/data';
import { measure, printResult } from '../mnist/protocol.js';
import { EPOCHS, TRAIN_COUNT } from '../mnist/workloads.js';
import { nablaLenetTrainer } from './nabla.js';
import { tfjsLenetTrainer } from './tfjs.js';
import { C1 } from './workload.js';

const [peer, epochsArg] = process.argv.slice(2);
const epochs = epochsArg ? Number(epochsArg) : EPOCHS;
const data = await loadMnist({ validation: 0 });
if (data.train.count !== TRAIN_COUNT || data.test.count !== 10_000)
  throw new Error(
    `expected 60,000 / 10,000 examples, got ${data.train.count} / ${data.test.count}`,
  );
// measure() reads only the id of the workload
const w = C1 as unknown as Parameters<typeof measure>[1];
if (peer === 'nabla') printResult(await measure(peer, w, nablaLenetTrainer(data), epochs));
else if (peer === 'tfjs-wasm')
  printResult(await measure(peer, w, await tfjsLenetTrainer(data), epochs));
else throw new Error(`unknown peer '${peer}' (expected nabla or tfjs-wasm)`);
