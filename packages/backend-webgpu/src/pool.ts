/// <reference types="@webgpu/types" preserve="true" />
import { BackendError } from '@nablajs/tensor';

// GPUBufferUsage flags as numbers: Node's `webgpu` package does not define the globals.
const COPY_SRC = 0x0004;
const COPY_DST = 0x0008;
const STORAGE = 0x0080;

/** Allocations up to this size are carved from shared slabs instead of buffers of their own. */
const CHUNK_MAX = 1024 * 1024;
/** Bytes of one slab. */
const SLAB_BYTES = 16 * 1024 * 1024;

/**
 * A tensor's storage on the GPU: a range of a buffer (a buffer of its own, or a chunk of a shared
 * slab for small tensors: creating a GPU buffer costs tens of µs, more than a small op).
 */
export interface GpuStorage {
  /** The buffer holding the range (shared with other storages when it is a slab). */
  readonly buffer: GPUBuffer;
  /** Where the range starts in the buffer, in bytes (a multiple of 256). */
  readonly offset: number;
  /** The range's size in bytes (its size bucket, at least what the tensor needs). */
  readonly size: number;
  /** Elements (4 bytes each) the tensor owns; the range may be larger (size buckets). */
  readonly length: number;
  /** The batch that last recorded a use of this range (see `Runtime.write`). */
  batch: number;
}

/**
 * The runtime's storage: small ranges carved from shared slabs, bigger ones in buffers of their
 * own, and freed ranges kept by size for reuse (whole buffers up to `limit` bytes).
 */
export class BufferPool {
  /** Freed ranges by size: chunks of slabs (kept) and whole buffers (kept up to `limit`). */
  private readonly pool = new Map<number, GpuStorage[]>();
  private slab: GPUBuffer | null = null;
  private slabUsed = SLAB_BYTES;
  private pooledBytes = 0;
  private readonly destroyLater: GPUBuffer[] = [];

  constructor(
    private readonly device: GPUDevice,
    /** Bytes of whole buffers kept for reuse before freed ones are destroyed. */
    readonly limit: number,
  ) {}

  /** A range of at least `elements` 4-byte elements, from the pool when one fits (with `avoid`,
   * one that batch does not use: an upload's target). */
  alloc(elements: number, op: string, avoid?: number): GpuStorage {
    const bytes = bucket(Math.max(4, elements * 4));
    const max = this.device.limits.maxStorageBufferBindingSize;
    if (bytes > max)
      throw new BackendError(
        op,
        `a tensor of ${elements} elements (${bytes} bytes) exceeds this GPU's largest storage binding (${max} bytes)`,
        'split the work into smaller tensors',
      );
    const size = bytes <= CHUNK_MAX ? Math.ceil(bytes / 256) * 256 : bytes;
    const reused = this.reuse(size, avoid);
    if (reused) {
      if (size > CHUNK_MAX) this.pooledBytes -= size;
      // a reuse must know whether the open batch still reads the range
      return { ...reused, length: elements };
    }
    if (size > CHUNK_MAX) {
      const buffer = this.device.createBuffer({ size, usage: STORAGE | COPY_SRC | COPY_DST });
      return { buffer, offset: 0, size, length: elements, batch: 0 };
    }
    if (this.slabUsed + size > SLAB_BYTES) {
      this.slab = this.device.createBuffer({
        size: SLAB_BYTES,
        usage: STORAGE | COPY_SRC | COPY_DST,
      });
      this.slabUsed = 0;
    }
    const offset = this.slabUsed;
    this.slabUsed += size;
    return { buffer: this.slab!, offset, size, length: elements, batch: 0 };
  }

  /** A freed range of `size` bytes; with `avoid`, only one that batch does not use (an upload
   * into it needs no submit first), looking at the few most recently freed. */
  private reuse(size: number, avoid: number | undefined): GpuStorage | undefined {
    const list = this.pool.get(size);
    if (!list?.length) return undefined;
    if (avoid === undefined) return list.pop();
    for (let i = list.length - 1; i >= Math.max(0, list.length - 8); i--)
      if (list[i]!.batch !== avoid) return list.splice(i, 1)[0];
    return undefined;
  }

  /** Returns a buffer to the pool (or destroys it once the pool is full). Recorded kernels that
   * still use it run before any later writer, since one queue runs them in order; a buffer the
   * open batch `open` uses is destroyed only once that batch is submitted (`submitted`). */
  free(s: GpuStorage, open: number): void {
    const own = s.size > CHUNK_MAX;
    if (own && this.pooledBytes + s.size > this.limit) {
      if (s.batch === open) this.destroyLater.push(s.buffer);
      else s.buffer.destroy();
      return;
    }
    let list = this.pool.get(s.size);
    if (!list) this.pool.set(s.size, (list = []));
    list.push(s);
    if (own) this.pooledBytes += s.size;
  }

  /** The open batch was submitted: the buffers freed while it used them can go. */
  submitted(): void {
    for (const b of this.destroyLater.splice(0)) b.destroy();
  }
}

/** Buffer sizes come in steps of a quarter power of two (at least 256 bytes): pooled buffers fit
 * many sizes, and no buffer is more than 25 % larger than asked. */
export function bucket(bytes: number): number {
  if (bytes <= 256) return 256;
  const p = 2 ** Math.floor(Math.log2(bytes));
  const step = p / 4;
  return Math.ceil(bytes / step) * step;
}
