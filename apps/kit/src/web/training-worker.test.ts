// The training worker's logic in Node, with a run that counts steps instead of training: which
// messages the page gets, in which order, and when a run is restarted or measured.
import { describe, expect, test } from 'vitest';
import type { MnistBytes } from './mnist.js';
import { sameConfig, type TrainingRun, trainingWorker } from './training-worker.js';

interface Config {
  batchSize: number;
  lr: number;
}

interface Chunk {
  steps: number;
  step: number;
  epochEnded: boolean;
}

/** Steps until an epoch ends; a run ends its training (asks to stop) at `stopAt` steps. */
const EPOCH = 6;

class CountingRun implements TrainingRun<Config, Chunk> {
  step = 0;
  constructor(
    readonly config: Config,
    readonly stopAt: number,
    readonly onStop: () => void,
  ) {}
  async train(steps: number): Promise<Chunk> {
    const before = this.step;
    this.step += steps;
    if (this.step >= this.stopAt) this.onStop();
    return {
      steps,
      step: this.step,
      epochEnded: Math.floor(this.step / EPOCH) > Math.floor(before / EPOCH),
    };
  }
}

const digits = (count: number) => ({
  pixels: new Uint8Array(count * 784),
  labels: new Uint8Array(count),
  count,
});
const DATA: MnistBytes = { train: digits(60), test: digits(10) };

/** A worker over counting runs, with every message it posts, and a promise per stop request. */
type Message = { type: string; [key: string]: unknown };

function setUp(stopAt = 10) {
  const posted: Message[] = [];
  const runs: CountingRun[] = [];
  let stopped: () => void = () => {};
  const send = trainingWorker<Config, CountingRun, { type: 'ping' }, Message>(
    {
      start: (config, data) => {
        if (!data) throw new Error('no data yet');
        const run = new CountingRun(config, stopAt, () => stopped());
        runs.push(run);
        return run;
      },
      measureEvery: { steps: Infinity, ms: Infinity }, // only at the start, epoch ends and the end
      async measure(run, full, post) {
        post({ type: 'measured', step: run.step, full });
      },
      handle(m, { run }, post) {
        post({ type: 'pong', step: run?.step });
      },
    },
    (message) => posted.push(message as Message),
    async () => DATA,
  );
  /** Trains until the run asks to stop, then stops. */
  const trainUntilStop = async (config: Config) => {
    const stop = new Promise<void>((resolve) => (stopped = resolve));
    await send({ type: 'train', config, backend: 'cpu' });
    await stop;
    await send({ type: 'stop' });
  };
  return { send, posted, runs, trainUntilStop };
}

const config: Config = { batchSize: 4, lr: 0.1 };
const types = (posted: { type: string }[]) => posted.map((m) => m.type);

describe('trainingWorker', () => {
  test('init loads the data, chooses the backend, starts a run and measures it', async () => {
    const { send, posted } = setUp();
    await send({ type: 'init', dataUrl: 'mnist/', config, backend: 'cpu' });
    expect(posted).toEqual([
      { type: 'status', text: 'Loading MNIST (11 MB)…' },
      { type: 'ready', train: 60, test: 10 },
      { type: 'backend', name: 'cpu' },
      { type: 'model', config },
      { type: 'measured', step: 0, full: false },
    ]);
  });

  test('train runs chunks until stopped: progress, a full measurement per epoch, one at the end', async () => {
    const { send, posted, runs, trainUntilStop } = setUp(10);
    await send({ type: 'init', dataUrl: 'mnist/', config, backend: 'cpu' });
    posted.length = 0;
    await trainUntilStop(config);
    expect(posted[0]).toEqual({ type: 'running', running: true });
    expect(posted.at(-1)).toEqual({ type: 'running', running: false });
    const progress = posted.filter((m) => m.type === 'progress');
    // the steps add up to the run's, and each report says how many images a second it trained
    const steps = progress.map((m) => m.steps as number);
    expect(steps.reduce((a, b) => a + b, 0)).toBe(runs[0]!.step);
    expect(runs[0]!.step).toBeGreaterThanOrEqual(10);
    for (const m of progress) expect(m.imagesPerSecond).toBeGreaterThan(0);
    // a full measurement right after each chunk in which an epoch ended
    const measured = posted.filter((m) => m.type === 'measured');
    const full = measured.filter((m) => m.full);
    expect(full).toHaveLength(progress.filter((m) => m.epochEnded).length);
    expect(full.length).toBeGreaterThan(0);
    for (const m of full)
      expect(posted[posted.indexOf(m) - 1]).toMatchObject({ type: 'progress', epochEnded: true });
    // and the last measurement is of the last step
    expect(measured.at(-1)).toMatchObject({ type: 'measured', step: runs[0]!.step });
  });

  test('a run not trained yet restarts when the config changes; a trained one does not', async () => {
    const { send, posted, runs, trainUntilStop } = setUp(3);
    await send({ type: 'init', dataUrl: 'mnist/', config, backend: 'cpu' });
    const other = { ...config, lr: 0.5 };
    await trainUntilStop(other);
    expect(runs.map((r) => r.config)).toEqual([config, other]);
    posted.length = 0;
    await trainUntilStop(config); // trained: goes on with `other`
    expect(runs).toHaveLength(2);
    expect(types(posted)).not.toContain('model');
    await send({ type: 'reset', config, backend: 'cpu' });
    expect(runs).toHaveLength(3);
    expect(types(posted).slice(-3)).toEqual(['backend', 'model', 'measured']);
  });

  test("the app's own messages reach its handler, between the others", async () => {
    const { send, posted } = setUp();
    await send({ type: 'ping' });
    await send({ type: 'init', dataUrl: 'mnist/', config, backend: 'cpu' });
    await send({ type: 'ping' });
    expect(posted.filter((m) => m.type === 'pong')).toEqual([
      { type: 'pong', step: undefined },
      { type: 'pong', step: 0 },
    ]);
  });

  test('an error becomes an error message, and later messages are still answered', async () => {
    const { send, posted } = setUp();
    await send({ type: 'train', config, backend: 'cpu' }); // before init: no data to train on
    expect(posted.at(-1)).toEqual({ type: 'error', message: 'no data yet' });
    await send({ type: 'init', dataUrl: 'mnist/', config, backend: 'cpu' });
    expect(posted.at(-1)).toEqual({ type: 'measured', step: 0, full: false });
  });
});

test('sameConfig compares configurations key by key', () => {
  expect(sameConfig(config, { ...config })).toBe(true);
  expect(sameConfig(config, { ...config, lr: 0.01 })).toBe(false);
});
