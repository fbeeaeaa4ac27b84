// The page's training worker (app-kit's training worker): it holds MNIST and the model, trains in
// chunks sized to ~150 ms, and answers Stop, Reset and predictions between chunks, so the page itself
// never waits on training.
import { PIXELS, serveTrainingWorker } from 'app-kit/web';
import type { AppReport, AppRequest, MistakeImage } from './protocol.js';
import type { PageConfig } from './config.js';
import { Session } from './session.js';

/** Test images evaluated while training; at each epoch's end, all 10,000. */
const LIVE_TEST_IMAGES = 1000;

const testImage = (s: Session, index: number) =>
  s.data.test.pixels.slice(index * PIXELS, (index + 1) * PIXELS);

serveTrainingWorker<PageConfig, Session, AppRequest, AppReport>({
  start: (config, data) => new Session(config, data),
  measureEvery: { steps: 100, ms: 1000 },
  async measure(s, full, post) {
    const { mistakes, ...result } = await s.evaluate(full ? Infinity : LIVE_TEST_IMAGES);
    const images: MistakeImage[] = mistakes.map((m) => ({ ...m, pixels: testImage(s, m.index) }));
    post(
      { type: 'evaluation', full, images, ...result },
      images.map((i) => i.pixels.buffer),
    );
  },
  async handle(m, { run, data }, post) {
    switch (m.type) {
      case 'predict':
        if (!run) return;
        post({ type: 'prediction', id: m.id, probs: await run.predict(m.pixels) });
        return;
      case 'sample': {
        const test = data!.test;
        const index = ((m.index % test.count) + test.count) % test.count;
        const pixels = test.pixels.slice(index * PIXELS, (index + 1) * PIXELS);
        post({ type: 'sample', index, label: test.labels[index]!, pixels }, [pixels.buffer]);
        return;
      }
    }
  },
});
