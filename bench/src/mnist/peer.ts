// One peer on one workload, in a process of its own: `peer.ts <nabla|nabla-1t|tfjs-cpu|tfjs-wasm>
// <W1|W2|W3> [epochs]` (nabla-1t: matmuls on one thread). Loads MNIST (untimed), follows the protocol (protocol.ts) and prints the measurement
// as JSON after RESULT_MARKER; progress goes to stderr.
import { cpu } from '@nablajs/backend-cpu';
import { loadMnist } from '@nablajs/data';
import { nablaTrainer } from './nabla.js';
import { measure, printResult } from './protocol.js';
import { tfjsTrainer } from './tfjs.js';
import { EPOCHS, TRAIN_COUNT, workload } from './workloads.js';

const [peer, id, epochsArg] = process.argv.slice(2);
const w = workload(id ?? '');
const epochs = epochsArg ? Number(epochsArg) : EPOCHS;
const data = await loadMnist({ validation: 0 });
if (data.train.count !== TRAIN_COUNT || data.test.count !== 10_000)
  throw new Error(
    `expected 60,000 / 10,000 examples, got ${data.train.count} / ${data.test.count}`,
  );

switch (peer) {
  case 'nabla':
  case 'nabla-1t': {
    const backend = cpu(peer === 'nabla-1t' ? { threads: 1 } : {});
    printResult(await measure(peer, w, nablaTrainer(w, data, backend), epochs));
    break;
  }
  case 'tfjs-cpu':
  case 'tfjs-wasm': {
    const backend = peer === 'tfjs-cpu' ? 'cpu' : 'wasm';
    printResult(await measure(peer, w, await tfjsTrainer(w, data, backend), epochs));
    break;
  }
  default:
    throw new Error(`unknown peer '${peer}' (expected nabla, nabla-1t, tfjs-cpu or tfjs-wasm)`);
}
