// The page's training worker (app-kit's training worker with the corpora as its data): it trains in
// chunks sized to ~150 ms and answers Stop, Reset, samples and attention requests between chunks.
import { serveTrainingWorker } from 'app-kit/web';
import type { AppReport, AppRequest } from './protocol.js';
import { type Corpora, CORPUS_SOURCE, type PageConfig, Session } from './session.js';

serveTrainingWorker<PageConfig, Session, AppRequest, AppReport, Corpora>({
  source: CORPUS_SOURCE,
  start: (config, corpora) => new Session(config, corpora.get(config.data)!),
  measureEvery: { steps: 25, ms: 1500 },
  async measure(s, _full, post) {
    const validationLoss = await s.validationLoss();
    const sample = await s.sample({
      prompt: '\n',
      length: s.config.sampleLength,
      temperature: 0.8,
      topK: 0,
      seed: s.config.seed,
    });
    post({ type: 'evaluation', step: s.step, validationLoss, sample });
  },
  async handle(m, { run }, post) {
    if (!run) return;
    try {
      if (m.type === 'sample') {
        const { type: _, ...request } = m;
        post({ type: 'sample', step: run.step, text: await run.sample(request), request });
      } else {
        const a = await run.attention(m.prompt, m.layer, m.head);
        post({ type: 'attention', layer: m.layer, head: m.head, ...a }, [a.weights.buffer]);
      }
    } catch (err) {
      post({ type: 'refused', message: err instanceof Error ? err.message : String(err) });
    }
  },
});
