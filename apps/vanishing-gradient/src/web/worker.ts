// The page's training worker (app-kit's training worker): both networks, trained in chunks sized to
// ~150 ms, with Stop and Reset answered between chunks.
import { type MnistBytes, serveTrainingWorker } from 'app-kit/web';
import type { RaceConfig } from './config.js';
import type { AppReport } from './protocol.js';
import { Race } from './race.js';

/** Test images for the accuracy shown while training. */
const TEST_IMAGES = 1000;

function sliceTrain({ train }: MnistBytes, count: number) {
  count = Math.min(count, train.count);
  return {
    pixels: train.pixels.subarray(0, count * 784),
    labels: train.labels.subarray(0, count),
    count,
  };
}

serveTrainingWorker<RaceConfig, Race, never, AppReport>({
  start: (config, data) =>
    new Race(config, { train: sliceTrain(data, config.trainImages), test: data.test }),
  measureEvery: { steps: 0, ms: 2000 },
  async measure(r, _full, post) {
    const accuracy = await r.accuracy(TEST_IMAGES);
    post({ type: 'accuracy', step: r.step, count: TEST_IMAGES, accuracy });
  },
});
