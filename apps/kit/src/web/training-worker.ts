// The training worker both pages run: it holds MNIST and a run (the page's network, or networks),
// trains in chunks sized to ~150 ms, and answers the page's messages between chunks, so the page
// itself never waits on training. An app says how to start a run and how to measure it.
import { chooseBackend, type WebBackendName } from './backend.js';
import { fetchMnist, type MnistBytes } from './mnist.js';
import { nextTask, Pacer } from './pace.js';

/** What every chunk of training steps reports (an app's chunk adds its losses, accuracies, …). */
export interface ChunkBase {
  /** Steps in this chunk. */
  steps: number;
  /** Whether an epoch ended during the chunk (the worker then measures on the whole test set). */
  epochEnded?: boolean;
}

/** What a page trains: one run of a configuration, in chunks of steps. */
export interface TrainingRun<Config, Chunk extends ChunkBase = ChunkBase> {
  readonly config: Config;
  /** Steps trained so far. */
  readonly step: number;
  /** `steps` training steps, with one read at the end. */
  train(steps: number): Promise<Chunk>;
}

/** The messages every training worker takes; an app adds its own. */
export type TrainerRequest<Config> =
  /** Load MNIST from `dataUrl` (the folder of the `.gz` files), then start a run. */
  | { type: 'init'; dataUrl: string; config: Config; backend: WebBackendName }
  /** Stop, and start over with a new run (and backend). */
  | { type: 'reset'; config: Config; backend: WebBackendName }
  /** Train until stopped; a run not yet trained is first restarted when `config` or the backend differs. */
  | { type: 'train'; config: Config; backend: WebBackendName }
  | { type: 'stop' };

/** The messages every training worker sends; an app adds its measurements. */
export type TrainerReport<Config, Chunk> =
  | { type: 'status'; text: string }
  | { type: 'ready'; train: number; test: number }
  | { type: 'backend'; name: WebBackendName; note?: string }
  /** A new run, not trained yet. */
  | { type: 'model'; config: Config }
  | { type: 'running'; running: boolean }
  | ({ type: 'progress'; imagesPerSecond: number } & Chunk)
  | { type: 'error'; message: string };

/** Sends a message to the page (with the buffers to transfer). */
export type Post<M> = (message: M, transfer?: Transferable[]) => void;

/** The chunk type of a run. */
type ChunkOf<R> = R extends TrainingRun<unknown, infer C> ? C : never;

/** What an app tells the training worker. */
export interface TrainerApp<
  Config extends { batchSize: number },
  Run extends TrainingRun<Config, ChunkBase>,
  Request extends { type: string } = never,
  Report = never,
> {
  /** A new run of `config` on `data`, not trained yet. */
  start(config: Config, data: MnistBytes): Run;
  /** Measures `run` and posts what it found; `full` when an epoch ended (the whole test set). */
  measure(run: Run, full: boolean, post: Post<Report>): Promise<void>;
  /** While training, measure when `steps` steps and `ms` milliseconds have passed since the last
   * measurement, and 4× what it took (at most a fifth of the time goes to measuring). */
  measureEvery: { steps: number; ms: number };
  /** Answers the app's own messages (predictions, samples), between chunks. */
  handle?(
    message: Request,
    state: { run: Run | undefined; data: MnistBytes | undefined },
    post: Post<Report>,
  ): Promise<void> | void;
}

/** Whether two configurations are the same, key by key. */
export function sameConfig<C extends object>(a: C, b: C): boolean {
  return (Object.keys(a) as (keyof C)[]).every((k) => a[k] === b[k]);
}

const COMMON = new Set<string>(['init', 'reset', 'train', 'stop']);

/**
 * The worker's logic without the worker: returns the function that takes each message from the
 * page, in order (training runs beside them, between its chunks). `load` fetches MNIST.
 */
export function trainingWorker<
  Config extends { batchSize: number },
  Run extends TrainingRun<Config, ChunkBase>,
  Request extends { type: string } = never,
  Report = never,
>(
  app: TrainerApp<Config, Run, Request, Report>,
  post: Post<TrainerReport<Config, ChunkOf<Run>> | Report>,
  load: (dataUrl: string) => Promise<MnistBytes> = fetchMnist,
): (message: TrainerRequest<Config> | Request) => Promise<void> {
  let data: MnistBytes | undefined;
  let run: Run | undefined;
  let running = false;
  let loop: Promise<void> | undefined;
  /** The last measurement: its step, when it ended, and how long it took. */
  let last = { step: -1, time: 0, ms: 0 };
  /** The backend asked for when the current run was started. */
  let asked: WebBackendName | undefined;

  async function measure(full: boolean) {
    const r = run!;
    const start = performance.now();
    await app.measure(r, full, post);
    const time = performance.now();
    // a full measurement is rare and long: the pace follows the usual ones
    last = { step: r.step, time, ms: full ? last.ms : time - start };
  }

  async function restart(config: Config, backend: WebBackendName) {
    await stop();
    const chosen = await chooseBackend(backend);
    asked = backend;
    post({ type: 'backend', name: chosen.name, ...(chosen.note ? { note: chosen.note } : {}) });
    run = app.start(config, data!);
    post({ type: 'model', config });
    await measure(false);
  }

  async function train() {
    running = true;
    post({ type: 'running', running: true });
    const pacer = new Pacer(150);
    const every = app.measureEvery;
    try {
      while (running) {
        const r = run!;
        const start = performance.now();
        const chunk = (await r.train(pacer.steps)) as ChunkOf<Run>;
        const ms = performance.now() - start;
        pacer.took(chunk.steps, ms);
        const imagesPerSecond = (chunk.steps * r.config.batchSize) / (ms / 1000);
        post({ type: 'progress', ...chunk, imagesPerSecond });
        if (chunk.epochEnded) await measure(true);
        else if (
          r.step - last.step >= every.steps &&
          performance.now() - last.time >= Math.max(every.ms, 4 * last.ms)
        )
          await measure(false);
        await nextTask(); // let the page's messages in
      }
      if (run && run.step !== last.step) await measure(false);
    } finally {
      running = false;
      post({ type: 'running', running: false });
    }
  }

  async function stop() {
    running = false;
    await loop;
  }

  async function handle(message: TrainerRequest<Config> | Request): Promise<void> {
    if (!COMMON.has(message.type)) return app.handle?.(message as Request, { run, data }, post);
    const m = message as TrainerRequest<Config>;
    switch (m.type) {
      case 'init':
        post({ type: 'status', text: 'Loading MNIST (11 MB)…' });
        data = await load(m.dataUrl);
        post({ type: 'ready', train: data.train.count, test: data.test.count });
        return restart(m.config, m.backend);
      case 'reset':
        return restart(m.config, m.backend);
      case 'train':
        if (running) return;
        if (!run || (run.step === 0 && (!sameConfig(run.config, m.config) || asked !== m.backend)))
          await restart(m.config, m.backend);
        loop = train().catch(fail);
        return;
      case 'stop':
        return stop();
    }
  }

  function fail(err: unknown) {
    console.error(err);
    post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }

  let queue = Promise.resolve();
  return (message) => (queue = queue.then(() => handle(message)).catch(fail));
}

/** Runs `trainingWorker(app)` on this worker's messages (call it in the worker's module). */
export function serveTrainingWorker<
  Config extends { batchSize: number },
  Run extends TrainingRun<Config, ChunkBase>,
  Request extends { type: string } = never,
  Report = never,
>(app: TrainerApp<Config, Run, Request, Report>): void {
  type Message = TrainerReport<Config, ChunkOf<Run>> | Report;
  const scope = self as unknown as {
    postMessage(message: Message, transfer: Transferable[]): void;
    onmessage: ((event: MessageEvent<TrainerRequest<Config> | Request>) => void) | null;
  };
  const send = trainingWorker(app, (message, transfer = []) =>
    scope.postMessage(message, transfer),
  );
  scope.onmessage = (event) => void send(event.data);
}
