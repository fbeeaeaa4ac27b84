// Long computations in a page or worker: give the event loop a turn between chunks of work, and
// size the chunks by the time they take, so the UI (or the worker's messages: Stop, predict) stays
// responsive whatever the backend's speed.

/** Resolves on a new task (a MessageChannel message: no 4 ms clamp as with nested setTimeout). */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
  });
}

/**
 * How many steps the next chunk should run so that it takes about `targetMs` of wall-clock time,
 * the read that ends it included (a GPU backend queues work and only a read waits for it, so only
 * whole chunks can be timed).
 */
export class Pacer {
  steps = 1;
  constructor(
    readonly targetMs = 150,
    readonly maxSteps = 1000,
  ) {}

  /** Records that the last chunk of `steps` steps took `ms`; returns the next chunk's size. */
  took(steps: number, ms: number): number {
    const ideal = (steps * this.targetMs) / Math.max(ms, 0.1);
    // grow at most ×2 a chunk (a first step may be slow: compiling kernels), shrink at once
    this.steps = Math.max(1, Math.min(this.maxSteps, Math.floor(Math.min(ideal, 2 * steps))));
    return this.steps;
  }
}
