// The page's training worker: it holds MNIST and the model, trains in chunks sized to ~150 ms, and
// answers Stop, Reset and predictions between chunks, so the page itself never waits on training.
import {
  chooseBackend,
  fetchMnist,
  type MnistBytes,
  nextTask,
  Pacer,
  PIXELS,
  type WebBackendName,
} from 'app-kit/web';
import type { FromWorker, MistakeImage, ToWorker } from './protocol.js';
import { type PageConfig, sameConfig } from './config.js';
import { Session } from './session.js';

const scope = self as unknown as {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
};
const post = (message: FromWorker, transfer: Transferable[] = []) =>
  scope.postMessage(message, transfer);

/** Test images evaluated while training; at each epoch's end, all 10,000. */
const LIVE_TEST_IMAGES = 1000;

let data: MnistBytes | undefined;
let session: Session | undefined;
let running = false;
let loop: Promise<void> | undefined;
/** The last evaluation: its step, when it ended, and how long it took. */
let lastEval = { step: -1, time: 0, ms: 0 };

/** The backend asked for when the current model was made. */
let asked: WebBackendName | undefined;

async function newSession(config: PageConfig, backend: WebBackendName) {
  await stop();
  const chosen = await chooseBackend(backend);
  asked = backend;
  post({ type: 'backend', name: chosen.name, ...(chosen.note ? { note: chosen.note } : {}) });
  session = new Session(config, data!);
  post({ type: 'model', config });
  await evaluate(false);
}

async function evaluate(full: boolean) {
  const s = session!;
  const start = performance.now();
  const { mistakes, ...result } = await s.evaluate(full ? Infinity : LIVE_TEST_IMAGES);
  const time = performance.now();
  lastEval = { step: s.step, time, ms: full ? lastEval.ms : time - start };
  const images: MistakeImage[] = mistakes.map((m) => ({
    ...m,
    pixels: s.data.test.pixels.slice(m.index * PIXELS, (m.index + 1) * PIXELS),
  }));
  post(
    { type: 'evaluation', full, images, ...result },
    images.map((i) => i.pixels.buffer),
  );
}

async function run() {
  running = true;
  post({ type: 'running', running: true });
  const pacer = new Pacer(150);
  try {
    while (running) {
      const s = session!;
      const start = performance.now();
      const chunk = await s.train(pacer.steps);
      const ms = performance.now() - start;
      pacer.took(chunk.steps, ms);
      post({
        type: 'progress',
        ...chunk,
        imagesPerSecond: (chunk.steps * s.config.batchSize) / (ms / 1000),
      });
      if (chunk.epochEnded) await evaluate(true);
      else if (
        s.step - lastEval.step >= 100 &&
        // at most a fifth of the time goes to evaluation, however slow the backend
        performance.now() - lastEval.time >= Math.max(1000, 4 * lastEval.ms)
      )
        await evaluate(false);
      await nextTask(); // let Stop, Reset and predictions in
    }
    if (session && session.step !== lastEval.step) await evaluate(false);
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
      await newSession(m.config, m.backend);
      return;
    case 'reset':
      return newSession(m.config, m.backend);
    case 'train':
      if (running) return;
      if (
        !session ||
        (session.step === 0 && (!sameConfig(session.config, m.config) || asked !== m.backend))
      )
        await newSession(m.config, m.backend);
      loop = run().catch(fail);
      return;
    case 'stop':
      return stop();
    case 'predict': {
      if (!session) return;
      post({ type: 'prediction', id: m.id, probs: await session.predict(m.pixels) });
      return;
    }
    case 'sample': {
      const test = data!.test;
      const index = ((m.index % test.count) + test.count) % test.count;
      const pixels = test.pixels.slice(index * PIXELS, (index + 1) * PIXELS);
      post({ type: 'sample', index, label: test.labels[index]!, pixels }, [pixels.buffer]);
      return;
    }
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
