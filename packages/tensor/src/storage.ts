import type { Backend } from './backend.js';

/** Live counts for one backend. */
export interface MemoryStats {
  /** Tensor objects neither disposed nor collected. */
  tensors: number;
  /** Bytes of backend storage not yet released. */
  bytes: number;
}

const stats = new Map<Backend, MemoryStats>();

let nextSerial = 0;

/** @internal The serial the next storage gets: storages made from now on have one at least this
 * large (autograd tells the gradients a backward made from those it was given). */
export const storageSerial = (): number => nextSerial;

function statsOf(backend: Backend): MemoryStats {
  let s = stats.get(backend);
  if (!s) stats.set(backend, (s = { tensors: 0, bytes: 0 }));
  return s;
}

/** A block of memory the garbage collector reclaims as a whole (see `Backend.gcUnit`). */
interface Unit {
  stats: MemoryStats;
  bytes: number;
  /** Tensors made on it that were not disposed: all of them are gone once the unit is. */
  tensors: number;
}

const units = new WeakMap<object, Unit>();
const unitRegistry = new FinalizationRegistry<Unit>((u) => {
  u.stats.bytes -= u.bytes;
  u.stats.tensors -= u.tensors;
});

/**
 * One backend allocation, shared by a tensor and its views: what memory accounting needs, and the
 * backend handle only when the backend frees explicitly (GPU buffers). Nothing here references a
 * typed array, so the garbage collector can free one as soon as its last tensor is unreachable, in a
 * synchronous loop too; only the accounting waits for the finalizers, which run when the event loop
 * turns (see `memory()`). `version` counts in-place writes (autograd checks it).
 */
export class Storage {
  /** Tensors using this storage that are neither disposed nor collected. */
  live = 0;
  version = 0;
  released = false;
  /** Its place in the order storages were made (see `storageSerial`). */
  readonly serial = nextSerial++;
  /** Finalizer calls to ignore: those of tensors that were disposed first (see `untrackTensor`). */
  skips = 0;
  readonly stats: MemoryStats;
  /** Kept only for backends with `free`. */
  readonly handle: unknown;
  /** Set for backends with `gcUnit`: accounting by block instead of by tensor. */
  readonly unit: Unit | undefined;

  constructor(
    readonly backend: Backend,
    handle: unknown,
    readonly bytes: number,
  ) {
    this.stats = statsOf(backend);
    this.handle = backend.free ? handle : undefined;
    const key = backend.free ? undefined : backend.gcUnit?.(handle);
    if (key) {
      let unit = units.get(key);
      if (!unit) {
        unit = { stats: this.stats, bytes: key.byteLength, tensors: 0 };
        units.set(key, unit);
        unitRegistry.register(key, unit);
        this.stats.bytes += unit.bytes;
      }
      this.unit = unit;
    } else this.stats.bytes += bytes;
  }

  /** One tensor less; the last one gives the storage back. */
  drop(): void {
    this.stats.tensors--;
    if (--this.live === 0 && !this.released) {
      this.released = true;
      if (this.unit) return; // its block goes when the collector takes it
      this.stats.bytes -= this.bytes;
      if (this.handle !== undefined) this.backend.free?.(this.handle);
    }
  }
}

// One registration per tensor where the backend has no gcUnit; the held value is the shared Storage,
// never the tensor. There is no unregister token (V8 keeps a hash table of tokens, which doubled the
// cost of a small op): a disposed tensor's finalizer still runs later and is skipped. Which finalizer
// takes the skip doesn't matter, as they only run for tensors that are gone.
const registry = new FinalizationRegistry<Storage>((s) => {
  if (s.skips > 0) s.skips--;
  else s.drop();
});

export function trackTensor(t: object, storage: Storage): void {
  storage.live++;
  storage.stats.tensors++;
  if (storage.unit) storage.unit.tensors++;
  else registry.register(t, storage);
}

export function untrackTensor(storage: Storage): void {
  if (storage.unit) storage.unit.tensors--;
  else storage.skips++;
  storage.drop();
}

/**
 * Live tensors and bytes: in total and per backend name.
 *
 * What is counted: a backend that frees explicitly (WebGPU) counts each storage from allocation to
 * its release (at `dispose()` of its last tensor, or when a finalizer finds its tensors collected). A
 * backend whose memory the garbage collector frees (the CPU) counts by block (`Backend.gcUnit`): the
 * bytes of every block a tensor was made on, and the tensors made on it and not disposed, until the
 * collector reports the block freed. A block holds many tensors, so `tensors` includes collected ones
 * whose block is still alive, and its bytes count under the backend whose tensor was made on it first
 * (CPU backends share their chunks). Collections are reported by finalizers, which run when the event loop
 * turns (after an `await` of a timer or I/O, not of a resolved promise): inside a synchronous loop
 * these counts only rise, although the memory itself is freed (`process.memoryUsage()` shows it).
 */
export function memory(): MemoryStats & {
  /** The same counts for each backend, by its name. */
  backends: Record<string, MemoryStats>;
} {
  const backends: Record<string, MemoryStats> = {};
  let tensors = 0;
  let bytes = 0;
  for (const [b, s] of stats) {
    const r = (backends[b.name] ??= { tensors: 0, bytes: 0 });
    r.tensors += s.tensors;
    r.bytes += s.bytes;
    tensors += s.tensors;
    bytes += s.bytes;
  }
  return { tensors, bytes, backends };
}
