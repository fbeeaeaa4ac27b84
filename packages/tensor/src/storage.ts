import type { Backend } from './backend.js';

/** Live counts for one backend. */
export interface MemoryStats {
  /** Tensor objects neither disposed nor collected. */
  tensors: number;
  /** Bytes of backend storage not yet released. */
  bytes: number;
}

const stats = new Map<Backend, MemoryStats>();

function statsOf(backend: Backend): MemoryStats {
  let s = stats.get(backend);
  if (!s) stats.set(backend, (s = { tensors: 0, bytes: 0 }));
  return s;
}

/**
 * What the collector needs to release a storage: never the storage record itself, and the backend
 * handle only when the backend frees explicitly (GPU buffers); typed arrays are left to the GC.
 */
interface Held {
  stats: MemoryStats;
  bytes: number;
  backend: Backend;
  handle: unknown;
}

const storageRegistry = new FinalizationRegistry<Held>((h) => {
  h.stats.bytes -= h.bytes;
  if (h.handle !== undefined) h.backend.free?.(h.handle);
});
const tensorRegistry = new FinalizationRegistry<MemoryStats>((s) => {
  s.tensors--;
});

/** One backend allocation, shared by a tensor and its views. `version` counts in-place writes. */
export class Storage {
  refs = 0;
  version = 0;
  released = false;
  readonly stats: MemoryStats;

  constructor(
    readonly backend: Backend,
    readonly handle: unknown,
    readonly bytes: number,
  ) {
    this.stats = statsOf(backend);
    this.stats.bytes += bytes;
    const held: Held = { stats: this.stats, bytes, backend, handle: backend.free ? handle : undefined };
    storageRegistry.register(this, held, this);
  }

  /** Called when the last tensor using this storage was disposed. */
  release(): void {
    if (this.released) return;
    this.released = true;
    storageRegistry.unregister(this);
    this.stats.bytes -= this.bytes;
    this.backend.free?.(this.handle);
  }
}

export function trackTensor(t: object, storage: Storage): void {
  storage.refs++;
  storage.stats.tensors++;
  tensorRegistry.register(t, storage.stats, t);
}

export function untrackTensor(t: object, storage: Storage): void {
  tensorRegistry.unregister(t);
  storage.stats.tensors--;
  if (--storage.refs === 0) storage.release();
}

/** Live tensors and bytes: in total and per backend name. Collected tensors leave these counts
 * once the garbage collector has run their finalizers (after the current task). */
export function memory(): MemoryStats & { backends: Record<string, MemoryStats> } {
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
