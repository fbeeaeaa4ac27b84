// Worker threads that run the matmul kernels on one shared WebAssembly memory: the main thread copies
// the operands in once, each thread (the main one included) computes a band of rows of C, and the
// main thread copies C out. Node's worker_threads, or Web Workers where the page is cross-origin
// isolated (SharedArrayBuffer needs it); elsewhere there is no pool and matmuls run on one thread.
//
// The pool starts on the first matmul big enough to use it and runs nothing until every worker has
// instantiated the kernels; readiness, jobs and completion are flags in a SharedArrayBuffer that the
// main thread reads with Atomics, so a synchronous loop that never yields to the event loop starts
// using the pool too. Workers wait with Atomics.wait (they sleep between jobs, spinning nothing) and
// are unref'd: they never keep a Node process alive.
import { kernelBuild, kernelBytes } from './builds.js';
import type { KernelExports } from './instance.js';

/** The kernels' matmul (kernels/matmul.wat): sizes in elements, addresses in bytes, strides in
 * elements. */
export type MatmulKernel = KernelExports['matmul'];

/** One worker's control block: 16 int32 in the control buffer. */
const SEQ = 0; // job number, set by the main thread to start a job (-1: exit)
const ARGS = 1; // the 11 arguments of matmul
const DONE = 12; // the job number the worker finished
const FAILED = 13; // 1 when that job threw
const READY = 14; // 1 once the worker has instantiated the kernels
const BLOCK = 16;

// The worker, as text: a Node worker evaluates it as a script, a browser loads it from a Blob URL.
const WORKER = `'use strict';
const start = ({ module, memory, ctl, index }) => {
  const matmul = new WebAssembly.Instance(module, { env: { memory } }).exports.matmul;
  const c = new Int32Array(ctl, index * ${BLOCK * 4}, ${BLOCK});
  Atomics.store(c, ${READY}, 1);
  let seen = 0;
  for (;;) {
    Atomics.wait(c, ${SEQ}, seen);
    const seq = Atomics.load(c, ${SEQ});
    if (seq === seen) continue;
    if (seq < 0) return;
    seen = seq;
    let failed = 0;
    try {
      matmul(c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11]);
    } catch {
      failed = 1;
    }
    Atomics.store(c, ${FAILED}, failed);
    Atomics.store(c, ${DONE}, seq);
    Atomics.notify(c, ${DONE});
  }
};
if (typeof require === 'function') require('node:worker_threads').parentPort.once('message', start);
else self.onmessage = (e) => start(e.data);
`;

/** A worker as the pool uses it: Node's worker_threads.Worker or a Web Worker. */
interface AnyWorker {
  postMessage(message: unknown): void;
  terminate?(): unknown;
  unref?(): void;
  on?(event: string, listener: (...args: unknown[]) => void): void;
  addEventListener?(event: string, listener: () => void): void;
}
type WorkerMaker = () => AnyWorker;

/** How to start a worker here, or undefined where threads can't share memory. */
function workerMaker(): WorkerMaker | undefined {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') return undefined;
  const g = globalThis as {
    process?: { getBuiltinModule?: (id: string) => unknown };
    crossOriginIsolated?: boolean;
    Worker?: new (url: string) => AnyWorker;
    Blob?: typeof Blob;
    URL?: typeof URL;
  };
  const threads = g.process?.getBuiltinModule?.('node:worker_threads') as
    { Worker: new (code: string, o: { eval: boolean }) => AnyWorker } | undefined;
  if (threads) return () => new threads.Worker(WORKER, { eval: true });
  if (g.crossOriginIsolated === true && g.Worker && g.Blob && g.URL) {
    const url = g.URL.createObjectURL(new g.Blob([WORKER], { type: 'text/javascript' }));
    return () => new g.Worker!(url);
  }
  return undefined;
}

/** Cores this machine offers (1 when unknown). */
export function availableCores(): number {
  const g = globalThis as {
    navigator?: { hardwareConcurrency?: number };
    process?: { getBuiltinModule?: (id: string) => unknown };
  };
  const os = g.process?.getBuiltinModule?.('node:os') as
    { availableParallelism?: () => number; cpus: () => unknown[] } | undefined;
  const n = os
    ? (os.availableParallelism?.() ?? os.cpus().length)
    : g.navigator?.hardwareConcurrency;
  return Math.max(1, Math.floor(n ?? 1));
}

/** Whether the main thread may block in Atomics.wait (Node may; a browser's main thread may not). */
let canBlock: boolean | undefined;

/** The kernels on a memory shared with `threads − 1` workers. */
export class Pool {
  readonly memory: WebAssembly.Memory;
  /** The main thread's instance of the kernels on the shared memory. */
  readonly matmul: MatmulKernel;
  private readonly ctl: Int32Array;
  private readonly workers: AnyWorker[] = [];
  private view: Float32Array;
  private seq = 0;
  private ready = false;
  /** How late the workers finish, relative to the main thread's own band (moving average). */
  private lateness = 0;
  /** Calls left to run on one thread after the workers were found too late. */
  private backoff = 0;
  /** Calls that ran on the workers (tests check that threads were used). */
  runs = 0;
  /** Whether to back off when the workers are late (tests turn it off). */
  adaptive = true;
  /** Set when a worker failed to start or a job failed: the pool is then never used again. */
  broken = false;

  constructor(
    readonly threads: number,
    make: WorkerMaker,
  ) {
    const module = new WebAssembly.Module(kernelBytes(kernelBuild(), true));
    this.memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
    const exports = new WebAssembly.Instance(module, { env: { memory: this.memory } }).exports;
    this.matmul = exports.matmul as MatmulKernel;
    this.view = new Float32Array(this.memory.buffer);
    const ctl = new SharedArrayBuffer((threads - 1) * BLOCK * 4);
    this.ctl = new Int32Array(ctl);
    for (let index = 0; index < threads - 1; index++) {
      const w = make();
      const fail = () => {
        this.broken = true;
      };
      w.on?.('error', fail);
      w.addEventListener?.('error', fail);
      w.unref?.();
      w.postMessage({ module, memory: this.memory, ctl, index });
      this.workers.push(w);
    }
  }

  /** Stops the workers (they finish their job first). */
  close(): void {
    this.broken = true;
    this.workers.forEach((w, i) => {
      Atomics.store(this.ctl, i * BLOCK + SEQ, -1);
      Atomics.notify(this.ctl, i * BLOCK + SEQ);
      if (!w.on) void w.terminate?.(); // a Web Worker; Node's exits once its script returns
    });
  }

  /**
   * Whether every worker is up and keeping pace (checked without waiting). On a machine busy with
   * other work a worker may get a core late: after the main thread has waited, on average, longer
   * than its own band took, the next 256 calls run on one thread, then the pool is tried again.
   */
  isReady(): boolean {
    if (this.broken) return false;
    if (this.backoff > 0) {
      this.backoff--;
      return false;
    }
    if (!this.ready)
      this.ready = this.workers.every((_, i) => Atomics.load(this.ctl, i * BLOCK + READY) === 1);
    return this.ready;
  }

  /** The shared memory as floats, at least `floats` long; false if it cannot grow that far. */
  heap(floats: number): Float32Array | undefined {
    if (this.view.length < floats) {
      const pages = Math.ceil((floats * 4 - this.memory.buffer.byteLength) / 65536);
      try {
        this.memory.grow(pages);
      } catch {
        return undefined;
      }
      this.view = new Float32Array(this.memory.buffer);
    }
    return this.view;
  }

  /**
   * Runs `jobs[0]` on this thread and the others on the workers (at most threads − 1 of them), and
   * returns once all are done; false if a worker failed (the caller then computes on one thread).
   */
  run(jobs: readonly Parameters<MatmulKernel>[]): boolean {
    const seq = ++this.seq;
    for (let w = 1; w < jobs.length; w++) {
      const base = (w - 1) * BLOCK;
      const args = jobs[w]!;
      for (let i = 0; i < 11; i++) this.ctl[base + ARGS + i] = args[i]!;
      Atomics.store(this.ctl, base + SEQ, seq);
      Atomics.notify(this.ctl, base + SEQ);
    }
    const t0 = performance.now();
    this.matmul(...jobs[0]!);
    const t1 = performance.now();
    let ok = true;
    for (let w = 1; w < jobs.length; w++) {
      const base = (w - 1) * BLOCK;
      if (!this.await(base + DONE, seq)) {
        this.broken = true;
        return false;
      }
      if (Atomics.load(this.ctl, base + FAILED) !== 0) ok = false;
    }
    if (!ok) this.broken = true;
    this.runs++;
    if (!this.adaptive) return ok;
    this.lateness =
      0.9 * this.lateness + (0.1 * (performance.now() - t1)) / Math.max(t1 - t0, 1e-3);
    if (this.lateness > 1) {
      this.lateness = 0;
      this.backoff = 256;
    }
    return ok;
  }

  /**
   * Waits until ctl[at] === seq: spins for up to 0.2 ms (a worker's band usually ends about when
   * this thread's does, and waking from a sleep takes tens of µs), then sleeps (where allowed).
   * False after 30 s.
   */
  private await(at: number, seq: number): boolean {
    const spinUntil = performance.now() + 0.2;
    while (performance.now() < spinUntil)
      for (let i = 0; i < 100; i++) if (Atomics.load(this.ctl, at) === seq) return true;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const now = Atomics.load(this.ctl, at);
      if (now === seq) return true;
      if (Date.now() > deadline) return false;
      if (canBlock !== false) {
        try {
          Atomics.wait(this.ctl, at, now, 50);
          canBlock = true;
        } catch {
          canBlock = false; // a browser's main thread: keep spinning
        }
      }
    }
  }
}

let pool: Pool | undefined;
let poolThreads = 0;
let maker: WorkerMaker | null | undefined;

/**
 * The pool of `threads` threads if it is up; otherwise undefined, after starting it if this runtime
 * can (so the caller computes on one thread this time, and later calls get the pool).
 */
export function readyPool(threads: number): Pool | undefined {
  if (threads < 2) return undefined;
  if (pool && poolThreads === threads) return pool.isReady() ? pool : undefined;
  if (maker === undefined) maker = workerMaker() ?? null;
  if (maker === null) return undefined;
  pool?.close();
  try {
    pool = new Pool(threads, maker);
    poolThreads = threads;
  } catch {
    maker = null; // no workers here after all
  }
  return undefined;
}
