// How a Nabla epoch's speed settles in one process: `node --import tsx --conditions=@nablajs/source
// src/mnist/warmup.ts <W1|W2|W3> [slices]` trains two epochs (after the protocol's 50 warm-up batches)
// and prints each one's time in slices of its steps, with the page faults it took. Used for the
// drift paragraph of results/mnist.md.
import { loadMnist } from '@nablajs/data';
import { nablaTrainer } from './nabla.js';
import { workload } from './workloads.js';

const w = workload(process.argv[2] ?? 'W1');
const slices = Number(process.argv[3] ?? 10);
const data = await loadMnist({ validation: 0 });
const trainer = nablaTrainer(w, data);
await trainer.train(trainer.create(0), 50);
for (let e = 1; e <= 2; e++) {
  const model = trainer.create(1);
  const step = model.opt.step.bind(model.opt);
  const per = Math.ceil(60_000 / w.batchSize / slices);
  const marks = [performance.now()];
  let n = 0;
  (model.opt as { step: () => void }).step = () => {
    step();
    if (++n % per === 0) marks.push(performance.now());
  };
  const faults = process.resourceUsage().minorPageFault;
  await trainer.train(model);
  if (n % per !== 0) marks.push(performance.now());
  const times = marks.slice(1).map((t, i) => (t - marks[i]!).toFixed(0));
  const took = process.resourceUsage().minorPageFault - faults;
  console.log(
    `${w.id} epoch ${e}, ms per 1/${slices} of its steps: ${times.join(' ')}; page faults ${took}`,
  );
}
