/// <reference types="@webgpu/types" preserve="true" />
import { BackendError } from '@nablajs/tensor';
import { Params } from './params.js';
import { BufferPool, type GpuStorage } from './pool.js';
import { GROUPS_WORD, PARAM_WORDS, PRELUDE, buffer } from './wgsl.js';
import { FLAG_WORD, type FlagInfo, FlagTracker, SLOT_WORDS, SLOTS } from './flags.js';

export { bucket, type GpuStorage } from './pool.js';

// GPUBufferUsage / GPUMapMode flags as numbers: Node's `webgpu` package does not define the globals.
const MAP_READ = 0x0001;
const COPY_DST = 0x0008;
const UNIFORM = 0x0040;
const MAP_MODE_READ = 0x0001;

/** Bytes of uniform parameters one dispatch may use (its slot in the batch's uniform buffer). */
const PARAM_BYTES = PARAM_WORDS * 4;
/** Dispatches recorded before a batch is submitted without waiting for a read. */
const MAX_BATCH = 512;
/** Elements per workgroup of the one-thread-per-element kernels. */
export const WG = 256;
/** Workgroups per dispatch row (WebGPU allows 65,535 per dimension); bigger grids wrap to y. */
const MAX_GROUPS = 65535;

/** A compiled kernel: its pipeline and the number of storage buffers it binds after the params. */
interface Kernel {
  id: number;
  /** Whether its storage bindings take dynamic offsets (when the device allows that many). */
  dynamic: boolean;
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

/**
 * Bind groups kept for reuse at most (then that cache starts over): with dynamic offsets, groups
 * depend on buffers and sizes, few in a training loop; without (kernels with more storage bindings
 * than the device takes dynamic), on offsets too, so most are used once: ~1 kB of heap each (key
 * and wrapper), which a soak saw grow by 1 MB per 2,000 steps on the way to 8,192 of them.
 */
const MAX_GROUPS_CACHED = { dynamic: 8192, static: 256 };

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
  private readonly groups = { dynamic: new Map<string, GPUBindGroup>(), static: new Map<string, GPUBindGroup>() }; // prettier-ignore
  private readonly ids = new WeakMap<GPUBuffer, number>();
  private nextId = 1;
  private readonly buffers: BufferPool;
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
  /** Slots kernels write when they meet a bad index (see flags.ts), and whom they concern. */
  private readonly flags: GpuStorage;
  private readonly tracker = new FlagTracker();
  /** Bytes the pool keeps for reuse before it destroys freed buffers. */
  readonly poolLimit: number;

  constructor(
    readonly device: GPUDevice,
    opts: { poolLimit?: number } = {},
  ) {
    this.poolLimit = opts.poolLimit ?? 256 * 1024 * 1024;
    this.buffers = new BufferPool(device, this.poolLimit);
    this.flags = this.alloc(SLOTS * SLOT_WORDS, 'flags');
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
    return this.buffers.alloc(elements, op, idle ? this.batch : undefined);
  }

  /** Returns a range to the pool (see `BufferPool.free`). */
  free(s: GpuStorage): void {
    this.buffers.free(s, this.batch);
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
   * `params` fills the dispatch's 64-word uniform slot. A kernel that can meet a bad index gets
   * `flag` (what its error would say), binds the flags buffer last and finds its slot in word
   * `FLAG_WORD`; the outputs inherit the inputs' flag lineage (flags.ts).
   */
  dispatch(
    key: string,
    source: () => string,
    bind: Bindings,
    params: ArrayLike<number>,
    groups: number | readonly [number, number, number],
    flag?: FlagInfo,
  ): void {
    this.check(key);
    const bound = [...bind.read, ...bind.write];
    if (flag) bound.push(this.flags);
    const k = this.kernel(key, source, bound.length);
    if (!this.pass) this.open();
    const slot = this.dispatches * PARAM_WORDS;
    const u = this.paramsU32;
    for (let i = 0; i < params.length; i++) u[slot + i] = params[i]!;
    const id = flag ? this.tracker.open(flag) : undefined;
    if (id !== undefined) {
      if (params.length > FLAG_WORD)
        throw new Error(`${key}: parameter words overlap the flag slot`);
      u[slot + FLAG_WORD] = id % SLOTS;
    }
    this.tracker.propagate(bind.read, bind.write, id);
    const [gx, gy, gz] =
      typeof groups === 'number'
        ? [Math.min(groups, MAX_GROUPS), Math.ceil(groups / MAX_GROUPS), 1]
        : groups;
    u[slot + GROUPS_WORD] = gx; // for gid()
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
    const kind = k.dynamic ? 'dynamic' : 'static';
    const cache = this.groups[kind];
    let group = cache.get(key);
    if (!group) {
      if (cache.size >= MAX_GROUPS_CACHED[kind]) cache.clear();
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
      cache.set(key, group);
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
    this.buffers.submitted();
  }

  /**
   * Reads `elements` 4-byte words from `s` starting at word `offset`: flushes the batch with a copy
   * into a mappable buffer, waits for the GPU, and raises the error the device reported since the
   * last read, or the bad index a kernel flagged in the lineage of `s` (flags.ts).
   */
  async read(s: GpuStorage, offset: number, elements: number, op: string): Promise<ArrayBuffer> {
    this.check(op);
    const bytes = elements * 4;
    const window = this.tracker.window();
    const flagWords = FlagTracker.words(window);
    const staging = this.device.createBuffer({
      size: Math.max(4, bytes + flagWords * 4),
      usage: MAP_READ | COPY_DST,
    });
    const flags = this.flags;
    const slotBytes = SLOT_WORDS * 4;
    this.flush((enc) => {
      if (bytes > 0) enc.copyBufferToBuffer(s.buffer, s.offset + offset * 4, staging, 0, bytes);
      let at = bytes;
      for (const [first, count] of window.ranges) {
        const from = flags.offset + first * slotBytes;
        enc.copyBufferToBuffer(flags.buffer, from, staging, at, count * slotBytes);
        enc.clearBuffer(flags.buffer, from, count * slotBytes);
        at += count * slotBytes;
      }
    });
    try {
      await staging.mapAsync(MAP_MODE_READ);
    } catch (e) {
      staging.destroy();
      await this.tracker.resolve(window, null);
      this.check(op);
      throw new BackendError(op, `reading from the GPU failed: ${(e as Error).message}`);
    }
    const out = staging.getMappedRange().slice(0);
    staging.unmap();
    staging.destroy();
    await this.tracker.resolve(window, new Int32Array(out, bytes, flagWords));
    this.check(op);
    const error = this.tracker.errorOf(s);
    if (error) throw error;
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
