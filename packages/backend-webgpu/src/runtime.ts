/// <reference types="@webgpu/types" />
import { BackendError, ShapeError } from '@nablajs/tensor';
import { Params } from './params.js';
import { FLAGGED_OPS, GROUPS_WORD, PARAM_WORDS, PRELUDE, buffer } from './wgsl.js';

// GPUBufferUsage / GPUMapMode flags as numbers: Node's `webgpu` package does not define the globals.
const MAP_READ = 0x0001;
const COPY_SRC = 0x0004;
const COPY_DST = 0x0008;
const UNIFORM = 0x0040;
const STORAGE = 0x0080;
const MAP_MODE_READ = 0x0001;

/** Bytes of uniform parameters one dispatch may use (its slot in the batch's uniform buffer). */
const PARAM_BYTES = PARAM_WORDS * 4;
/** Dispatches recorded before a batch is submitted without waiting for a read. */
const MAX_BATCH = 512;
/** Elements per workgroup of the one-thread-per-element kernels. */
export const WG = 256;
/** Workgroups per dispatch row (WebGPU allows 65,535 per dimension); bigger grids wrap to y. */
const MAX_GROUPS = 65535;

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

/** A compiled kernel: its pipeline and the number of storage buffers it binds after the params. */
interface Kernel {
  id: number;
  /** Whether its storage bindings take dynamic offsets (when the device allows that many). */
  dynamic: boolean;
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

/** Bind groups kept for reuse at most (then the cache starts over). */
const MAX_GROUPS_CACHED = 8192;

/** A kernel's storage bindings in order: read-only ones first, then the written ones. */
export interface Bindings {
  read: readonly GpuStorage[];
  write: readonly GpuStorage[];
}

/**
 * One device and the machinery every op uses: pipelines cached by a key (op, dtypes, rank, layout),
 * a size-bucketed buffer pool, and one open command encoder + compute pass into which kernels are
 * recorded and which is submitted in batches (every `MAX_BATCH` dispatches, or when a read flushes).
 * Each dispatch's parameters go into a 256-byte slot of the batch's uniform buffer, bound with a
 * dynamic offset, so a dispatch needs no buffer of its own; storages bound by a dispatch are marked
 * with the batch, so an upload into a reused range waits for the kernels recorded before it.
 */
export class Runtime {
  private readonly kernels = new Map<string, Kernel>();
  /** Bind groups by kernel and buffers: a training loop binds the same pooled buffers step after
   * step, and creating a bind group costs more than recording the dispatch. */
  private readonly groups = new Map<string, GPUBindGroup>();
  private readonly ids = new WeakMap<GPUBuffer, number>();
  private nextId = 1;
  /** Freed ranges by size: chunks of slabs (kept) and whole buffers (kept up to `poolLimit`). */
  private readonly pool = new Map<number, GpuStorage[]>();
  private slab: GPUBuffer | null = null;
  private slabUsed = SLAB_BYTES;
  private pooledBytes = 0;
  private readonly destroyLater: GPUBuffer[] = [];
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private dispatches = 0;
  private readonly params = new ArrayBuffer(PARAM_BYTES * MAX_BATCH);
  private readonly paramsU32 = new Uint32Array(this.params);
  private readonly uniforms: GPUBuffer[] = [];
  private uniform: GPUBuffer | null = null;
  /** Id of the open batch; buffers remember the batch that last used them. */
  batch = 1;
  /** The first asynchronous device error, raised by the next read. */
  private failure: BackendError | null = null;
  private lost: string | null = null;
  /** 16 bytes kernels write when they meet a bad index: [code, op, index, size]. */
  private readonly flags: GpuStorage;
  /** Bytes the pool keeps for reuse before it destroys freed buffers. */
  readonly poolLimit: number;

  constructor(
    readonly device: GPUDevice,
    opts: { poolLimit?: number } = {},
  ) {
    this.poolLimit = opts.poolLimit ?? 256 * 1024 * 1024;
    this.flags = this.alloc(4, 'flags');
    void device.lost.then((info) => {
      this.lost = `${info.reason}: ${info.message}`;
    });
    device.addEventListener('uncapturederror', (e) => {
      const err = (e as GPUUncapturedErrorEvent).error;
      const oom =
        err.constructor.name.includes('OutOfMemory') || /out of memory/i.test(err.message);
      this.failure ??= new BackendError(
        'webgpu',
        oom ? `the GPU is out of memory (${err.message})` : `the GPU reported: ${err.message}`,
        oom ? 'use smaller batches or tensors, or dispose() tensors you no longer need' : undefined,
      );
    });
  }

  /** Throws when the device is gone, so no op is recorded on a dead device. */
  check(op: string): void {
    if (this.lost !== null)
      throw new BackendError(
        op,
        `the WebGPU device was lost (${this.lost})`,
        'create a new backend',
      );
    if (this.failure) {
      const f = this.failure;
      this.failure = null;
      throw f;
    }
  }

  // ---- buffers ------------------------------------------------------------------------------

  /** A range of at least `elements` 4-byte elements, from the pool when one fits (with `idle`,
   * one the open batch does not use: an upload's target). */
  alloc(elements: number, op = 'alloc', idle = false): GpuStorage {
    this.check(op);
    const bytes = bucket(Math.max(4, elements * 4));
    const max = this.device.limits.maxStorageBufferBindingSize;
    if (bytes > max)
      throw new BackendError(
        op,
        `a tensor of ${elements} elements (${bytes} bytes) exceeds this GPU's largest storage binding (${max} bytes)`,
        'split the work into smaller tensors',
      );
    const size = bytes <= CHUNK_MAX ? Math.ceil(bytes / 256) * 256 : bytes;
    const reused = this.reuse(size, idle);
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

  /** A freed range of `size` bytes; with `idle`, only one the open batch does not use (an upload
   * into it needs no submit first), looking at the few most recently freed. */
  private reuse(size: number, idle: boolean): GpuStorage | undefined {
    const list = this.pool.get(size);
    if (!list?.length) return undefined;
    if (!idle) return list.pop();
    for (let i = list.length - 1; i >= Math.max(0, list.length - 8); i--)
      if (list[i]!.batch !== this.batch) return list.splice(i, 1)[0];
    return undefined;
  }

  /** Returns a buffer to the pool (or destroys it once the pool is full). Recorded kernels that
   * still use it run before any later writer, since one queue runs them in order. */
  free(s: GpuStorage): void {
    const own = s.size > CHUNK_MAX;
    if (own && this.pooledBytes + s.size > this.poolLimit) {
      if (s.batch === this.batch) this.destroyLater.push(s.buffer);
      else s.buffer.destroy();
      return;
    }
    let list = this.pool.get(s.size);
    if (!list) this.pool.set(s.size, (list = []));
    list.push(s);
    if (own) this.pooledBytes += s.size;
  }

  /** Writes host data into a storage; submits first if the open batch still uses the buffer
   * (writeBuffer runs on the queue before commands that are not submitted yet). */
  write(s: GpuStorage, data: ArrayBufferView): void {
    if (s.batch === this.batch) this.flush();
    if (data.byteLength > 0)
      this.device.queue.writeBuffer(
        s.buffer,
        s.offset,
        data.buffer,
        data.byteOffset,
        data.byteLength,
      );
  }

  // ---- kernels ------------------------------------------------------------------------------

  /** The pipeline for `key`, compiled from `source()` the first time. */
  private kernel(key: string, source: () => string, bindings: number): Kernel {
    let k = this.kernels.get(key);
    if (k) return k;
    const dynamic = bindings <= this.device.limits.maxDynamicStorageBuffersPerPipelineLayout;
    const entries: GPUBindGroupLayoutEntry[] = [
      { binding: 0, visibility: 4, buffer: { type: 'uniform', hasDynamicOffset: true } },
    ];
    // every binding is 'storage' and `var<storage, read_write>` in WGSL (`buffer` in wgsl.ts), inputs
    // too: the small tensors share slabs, and WebGPU forbids a buffer bound read-only and writable in
    // one dispatch; several writable bindings of one buffer are allowed.
    for (let i = 0; i < bindings; i++)
      entries.push({
        binding: i + 1,
        visibility: 4,
        buffer: { type: 'storage', hasDynamicOffset: dynamic },
      });
    const layout = this.device.createBindGroupLayout({ entries });
    const module = this.device.createShaderModule({ code: source(), label: key });
    const pipeline = this.device.createComputePipeline({
      layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: 'main' },
      label: key,
    });
    this.kernels.set(key, (k = { id: this.kernels.size, dynamic, pipeline, layout }));
    return k;
  }

  /**
   * Records one dispatch of the kernel `key` over `groups` workgroups (wrapped into rows of at most
   * 65,535; kernels rebuild the linear id with `gid()`), or over an explicit [x, y, z] grid.
   * `params` (from `Params.pack`) fills the dispatch's uniform slot, all but its last word, which
   * gets the workgroups per row.
   */
  dispatch(
    key: string,
    source: () => string,
    bind: Bindings,
    params: ArrayLike<number>,
    groups: number | readonly [number, number, number],
    withFlags = false,
  ): void {
    this.check(key);
    const write = withFlags ? [...bind.write, this.flags] : bind.write;
    const k = this.kernel(key, source, bind.read.length + write.length);
    if (!this.pass) this.open();
    const slot = this.dispatches * PARAM_WORDS;
    const u = this.paramsU32;
    for (let i = 0; i < params.length; i++) u[slot + i] = params[i]!;
    const [gx, gy, gz] =
      typeof groups === 'number'
        ? [Math.min(groups, MAX_GROUPS), Math.ceil(groups / MAX_GROUPS), 1]
        : groups;
    u[slot + GROUPS_WORD] = gx; // for gid()
    const bound = [...bind.read, ...write];
    const copies = this.unalias(bound);
    for (const b of bound) b.batch = this.batch;
    const group = this.bindGroup(k, bound);
    const offsets = [slot * 4];
    if (k.dynamic) for (const r of bound) offsets.push(r.offset);
    const pass = this.pass!;
    pass.setPipeline(k.pipeline);
    pass.setBindGroup(0, group, offsets);
    if (gx > 0 && gy > 0 && gz > 0) pass.dispatchWorkgroups(gx, gy, gz);
    for (const c of copies) this.free(c);
    if (++this.dispatches === MAX_BATCH) this.flush();
  }

  /**
   * WebGPU forbids binding one range twice when a binding is writable, and every binding is (see
   * `buffer` in wgsl.ts): an input bound again (x.mul(x)) is replaced by a copy, made by a kernel.
   */
  private unalias(bound: GpuStorage[]): GpuStorage[] {
    const copies: GpuStorage[] = [];
    for (let i = 1; i < bound.length; i++) {
      const r = bound[i]!;
      if (!bound.slice(0, i).some((b) => b.buffer === r.buffer && b.offset === r.offset)) continue;
      const n = r.size / 4;
      const copy = this.alloc(n, 'copy');
      this.dispatch(
        'copy-words',
        copyWords,
        { read: [r], write: [copy] },
        COPY_PARAMS.pack({ n }),
        Math.ceil(n / WG),
      );
      bound[i] = copy;
      copies.push(copy);
    }
    return copies;
  }

  private bufferId(b: GPUBuffer): number {
    let id = this.ids.get(b);
    if (id === undefined) this.ids.set(b, (id = this.nextId++));
    return id;
  }

  /**
   * The bind group of kernel `k` over the batch's uniform buffer and `ranges`, made once. With
   * dynamic offsets a group depends on the buffers and range sizes only, so all the same-sized
   * chunks of a slab share one: creating bind groups was most of a small op's cost on an H100.
   */
  private bindGroup(k: Kernel, ranges: readonly GpuStorage[]): GPUBindGroup {
    const uniform = this.uniform!;
    let key = `${k.id}:${this.bufferId(uniform)}`;
    for (const r of ranges)
      key += `,${this.bufferId(r.buffer)}${k.dynamic ? ':' : '@'}${k.dynamic ? r.size : r.offset}`;
    let group = this.groups.get(key);
    if (!group) {
      if (this.groups.size >= MAX_GROUPS_CACHED) this.groups.clear();
      const entries: GPUBindGroupEntry[] = [
        { binding: 0, resource: { buffer: uniform, size: PARAM_BYTES } },
      ];
      ranges.forEach((r, i) =>
        entries.push({
          binding: i + 1,
          resource: { buffer: r.buffer, offset: k.dynamic ? 0 : r.offset, size: r.size },
        }),
      );
      group = this.device.createBindGroup({ layout: k.layout, entries });
      this.groups.set(key, group);
    }
    return group;
  }

  private open(): void {
    this.encoder = this.device.createCommandEncoder();
    this.pass = this.encoder.beginComputePass();
    this.uniform =
      this.uniforms.pop() ??
      this.device.createBuffer({ size: this.params.byteLength, usage: UNIFORM | COPY_DST });
  }

  /** Submits what was recorded (plus `extra` copies after the kernels); returns when queued. */
  flush(extra?: (enc: GPUCommandEncoder) => void): void {
    if (!this.encoder && !extra) return;
    if (!this.encoder) this.open();
    this.pass!.end();
    extra?.(this.encoder!);
    const uniform = this.uniform!;
    if (this.dispatches > 0)
      this.device.queue.writeBuffer(uniform, 0, this.params, 0, this.dispatches * PARAM_BYTES);
    this.device.queue.submit([this.encoder!.finish()]);
    this.encoder = null;
    this.pass = null;
    this.dispatches = 0;
    this.batch++;
    // the queue writes the next batch's parameters only after this batch's commands
    this.uniforms.push(uniform);
    for (const b of this.destroyLater.splice(0)) b.destroy();
  }

  /**
   * Reads `elements` 4-byte words from `s` starting at word `offset`: flushes the batch with a copy
   * into a mappable buffer, waits for the GPU, and raises errors kernels flagged (bad indices) or the
   * device reported since the last read.
   */
  async read(s: GpuStorage, offset: number, elements: number, op: string): Promise<ArrayBuffer> {
    this.check(op);
    const bytes = elements * 4;
    const staging = this.device.createBuffer({ size: bytes + 16, usage: MAP_READ | COPY_DST });
    const flags = this.flags;
    this.flush((enc) => {
      if (bytes > 0) enc.copyBufferToBuffer(s.buffer, s.offset + offset * 4, staging, 0, bytes);
      enc.copyBufferToBuffer(flags.buffer, flags.offset, staging, bytes, 16);
      enc.clearBuffer(flags.buffer, flags.offset, 16);
    });
    try {
      await staging.mapAsync(MAP_MODE_READ);
    } catch (e) {
      staging.destroy();
      this.check(op);
      throw new BackendError(op, `reading from the GPU failed: ${(e as Error).message}`);
    }
    const out = staging.getMappedRange().slice(0);
    staging.unmap();
    staging.destroy();
    this.check(op);
    const [code, which, index, size] = new Int32Array(out, bytes, 4);
    if (code) {
      const name = FLAGGED_OPS[which!] ?? 'an indexing op';
      throw new ShapeError(
        name,
        `index ${index} is out of range for an axis of size ${size} (found by the GPU, reported at the next read)`,
        `indices must be in 0..${size! - 1}`,
      );
    }
    return out.slice(0, bytes);
  }
}

const COPY_PARAMS = new Params({ n: 'u32' });
const copyWords = () => `${PRELUDE}${buffer(1, 'x', 'u32')}${buffer(2, 'y', 'u32')}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = gid(wg, li, ${WG}u);
  if (i < ${COPY_PARAMS.get('n')}) { y[i] = x[i]; }
}`;

/** Buffer sizes come in steps of a quarter power of two (at least 256 bytes): pooled buffers fit
 * many sizes, and no buffer is more than 25 % larger than asked. */
export function bucket(bytes: number): number {
  if (bytes <= 256) return 256;
  const p = 2 ** Math.floor(Math.log2(bytes));
  const step = p / 4;
  return Math.ceil(bytes / step) * step;
}
