// The page's training worker: both networks, trained in chunks sized to ~150 ms, with Stop and
// Reset answered between chunks.
import {
  chooseBackend,
  fetchMnist,
  type MnistBytes,
  nextTask,
  Pacer,
  type WebBackendName,
} from 'app-kit/web';
import { type RaceConfig, sameRace } from './config.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { Race } from './race.js';

const scope = self as unknown as {
  postMessage(message: FromWorker): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
};
const post = (message: FromWorker) => scope.postMessage(message);

/** Test images for the accuracy shown while training. */
const TEST_IMAGES = 1000;

let data: MnistBytes | undefined;
let race: Race | undefined;
let running = false;
let loop: Promise<void> | undefined;
/** The last accuracy measurement: its step, when it ended, and how long it took. */
let lastTest = { step: -1, time: 0, ms: 0 };

/** The backend asked for when the current model was made. */
let asked: WebBackendName | undefined;

async function newRace(config: RaceConfig, backend: WebBackendName) {
  await stop();
  const chosen = await chooseBackend(backend);
  asked = backend;
  post({ type: 'backend', name: chosen.name, ...(chosen.note ? { note: chosen.note } : {}) });
  race = new Race(config, { train: sliceTrain(data!, config.trainImages), test: data!.test });
  post({ type: 'model', config });
  await measure();
}

function sliceTrain({ train }: MnistBytes, count: number) {
  count = Math.min(count, train.count);
  return {
    pixels: train.pixels.subarray(0, count * 784),
    labels: train.labels.subarray(0, count),
    count,
  };
}

async function measure() {
  const r = race!;
  const start = performance.now();
  const accuracy = await r.accuracy(TEST_IMAGES);
  const time = performance.now();
  lastTest = { step: r.step, time, ms: time - start };
  post({ type: 'accuracy', step: r.step, count: TEST_IMAGES, accuracy });
}

async function run() {
  running = true;
  post({ type: 'running', running: true });
  const pacer = new Pacer(150);
  try {
    while (running) {
      const r = race!;
      const start = performance.now();
      const chunk = await r.train(pacer.steps);
      const ms = performance.now() - start;
      pacer.took(chunk.steps, ms);
      post({
        type: 'progress',
        ...chunk,
        imagesPerSecond: (chunk.steps * r.config.batchSize) / (ms / 1000),
      });
      // at most a fifth of the time goes to measuring accuracy, however slow the backend
      if (performance.now() - lastTest.time >= Math.max(2000, 4 * lastTest.ms)) await measure();
      await nextTask(); // let Stop and Reset in
    }
    if (race && race.step !== lastTest.step) await measure();
  } finally {
    running = false;
    post({ type: 'running', running: false });
  }
}

async function stop() {
  running = false;
  await loop;
}

async function handle(m: ToWorker): Promise<void> {
  switch (m.type) {
    case 'init':
      post({ type: 'status', text: 'Loading MNIST (11 MB)…' });
      data = await fetchMnist(m.dataUrl);
      post({ type: 'ready', train: data.train.count, test: data.test.count });
      return newRace(m.config, m.backend);
    case 'reset':
      return newRace(m.config, m.backend);
    case 'train':
      if (running) return;
      if (!race || (race.step === 0 && (!sameRace(race.config, m.config) || asked !== m.backend)))
        await newRace(m.config, m.backend);
      loop = run().catch(fail);
      return;
    case 'stop':
      return stop();
  }
}

function fail(err: unknown) {
  console.error(err);
  post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
}

// One message at a time, in order (training itself runs beside the queue, between its chunks).
let queue = Promise.resolve();
scope.onmessage = (event) => {
  queue = queue.then(() => handle(event.data)).catch(fail);
};
