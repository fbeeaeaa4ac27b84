/// <reference types="@webgpu/types" preserve="true" />
import {
  type Backend,
  BackendError,
  type DType,
  type TensorRef,
  concatLayout,
  dtypeOfArray,
  sizeOf,
  typedArray,
} from '@nablajs/tensor';
import { copyInto, dense, fill, binary, cast, isDense, unary, where } from './elementwise.js';
import { fusedKernels } from './fused.js';
import { gather, scatterAdd } from './indexing.js';
import { argsort, scan } from './sort.js';
import { type TileChoice, matmul } from './matmul.js';
import { random } from './random.js';
import { reduce } from './reduce.js';
import { type GpuStorage, Runtime } from './runtime.js';
import { wgslType } from './wgsl.js';
import { windowKernels } from './window.js';

/** Options of `webgpu()`. */
export interface WebGpuOptions {
  /** The GPU entry point: `navigator.gpu` by default; in Node, `create([])` from the `webgpu`
   * package (imported for you when it is installed and no `gpu` is given). */
  gpu?: GPU;
  /** Which adapter to ask for (default 'high-performance'). */
  powerPreference?: GPUPowerPreference;
  /** Bytes of freed buffers kept for reuse (default 256 MiB). */
  poolLimit?: number;
  /** One matmul tile for every size, instead of picking by size (for benchmarks). */
  tile?: TileChoice;
}

/** A WebGPU backend with its device: what `webgpu()` returns. */
export interface WebGpuBackend extends Backend<GpuStorage> {
  /** The backend's own device (one per backend). */
  readonly device: GPUDevice;
  /** What the adapter says it is. */
  readonly adapterInfo: {
    /** The GPU's vendor, e.g. 'nvidia' (or 'google' for SwiftShader). */
    vendor: string;
    /** The GPU's architecture family, where the driver tells. */
    architecture: string;
    /** The GPU's name, e.g. 'nvidia-h100-80gb-hbm3'. */
    device: string;
    /** The driver's description. */
    description: string;
  };
  /** Submits recorded kernels now (reads do this themselves). */
  flush(): void;
  /** Submits what is recorded and waits until the GPU has run it (for timing). */
  finish(): Promise<void>;
}

// Dawn's GPU object must stay referenced for the process's life: Dawn lives as long as the object
// that `create()` returned does (the `webgpu` package's README, "Lifetime").
let nodeGpu: GPU | undefined;

async function findGpu(): Promise<GPU> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return nav.gpu;
  if (nodeGpu) return nodeGpu;
  const name = 'webgpu';
  let mod: { create(flags: string[]): GPU };
  try {
    mod = (await import(/* @vite-ignore */ name)) as typeof mod;
  } catch {
    throw new BackendError(
      'webgpu',
      'this runtime has no navigator.gpu and the `webgpu` package (Dawn for Node) is not installed',
      'in Node: npm i webgpu; in a browser: use one with WebGPU enabled',
    );
  }
  return (nodeGpu = mod.create([]));
}

/**
 * Creates the WebGPU backend: one adapter and device, WGSL kernels for every primitive, float32
 * and int32. Kernels are recorded into one command encoder and submitted in batches; reads
 * (`await t.data()`) flush and wait. Throws a `BackendError` when there is no adapter.
 * @example
 * ```ts
 * import { webgpu } from '@nablajs/backend-webgpu';
 * import { useBackend } from '@nablajs/tensor';
 * useBackend(await webgpu());
 * ```
 */
export async function webgpu(opts: WebGpuOptions = {}): Promise<WebGpuBackend> {
  const gpu = opts.gpu ?? (await findGpu());
  const adapter = await gpu.requestAdapter({
    powerPreference: opts.powerPreference ?? 'high-performance',
  });
  if (!adapter)
    throw new BackendError(
      'webgpu',
      'no WebGPU adapter was found',
      'without a GPU, install a software Vulkan driver (Debian: apt-get install chromium libvulkan1) and set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json',
    );
  const lim = adapter.limits;
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: lim.maxStorageBufferBindingSize,
      maxBufferSize: lim.maxBufferSize,
      maxStorageBuffersPerShaderStage: lim.maxStorageBuffersPerShaderStage,
      maxDynamicStorageBuffersPerPipelineLayout: lim.maxDynamicStorageBuffersPerPipelineLayout,
      maxComputeWorkgroupStorageSize: lim.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: lim.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: lim.maxComputeWorkgroupSizeX,
      maxComputeWorkgroupSizeY: lim.maxComputeWorkgroupSizeY,
    },
  });
  const rt = new Runtime(device, { poolLimit: opts.poolLimit });
  const info = adapter.info;
  return makeBackend(rt, opts.tile, {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
  });
}

type Ref = TensorRef<GpuStorage>;

function makeBackend(
  rt: Runtime,
  tile: TileChoice | undefined,
  adapterInfo: WebGpuBackend['adapterInfo'],
): WebGpuBackend {
  const read = async (x: Ref) => {
    const n = sizeOf(x.shape);
    const view = isDense(x) || n === 0 ? x : dense(rt, x);
    let bytes: ArrayBuffer;
    try {
      bytes = await rt.read(view.storage, view.offset, n, 'read');
    } finally {
      if (view !== x) rt.free(view.storage);
    }
    const out = typedArray(x.dtype, n);
    new Uint8Array(out.buffer).set(new Uint8Array(bytes));
    return out;
  };
  return {
    name: 'webgpu',
    dtypes: ['float32', 'int32', 'bool'],
    sync: false,
    device: rt.device,
    adapterInfo,
    upload(data) {
      wgslType(dtypeOfArray(data), 'tensor');
      const s = rt.alloc(data.length, 'tensor', true);
      rt.write(s, data);
      return s;
    },
    zeros: (dtype: DType, size: number) => fill(rt, dtype, size, 0),
    read,
    free: (s) => rt.free(s),
    unary: (op, x) => unary(rt, op, x),
    binary: (op, a, b) => binary(rt, op, a, b),
    where: (c, a, b) => where(rt, c, a, b),
    reduce: (op, x, axes) => reduce(rt, op, x, axes),
    matmul: (a, b) => matmul(rt, a, b, null, 'none', tile),
    gather: (x, axis, index) => gather(rt, x, axis, index),
    scatterAdd: (src, axis, index, shape) => scatterAdd(rt, src, axis, index, shape),
    concat(xs, axis) {
      const { shape, strides, offsets } = concatLayout(
        xs.map((x) => x.shape),
        axis,
      );
      const out = rt.alloc(sizeOf(shape), 'concat');
      xs.forEach((x, i) => {
        const dst = { storage: out, dtype: x.dtype, shape: x.shape, strides, offset: offsets[i]! };
        copyInto(rt, x, dst, 'concat');
      });
      return out;
    },
    cast: (x, dtype) => cast(rt, x, dtype),
    scan: (op, x, axis) => scan(rt, op, x, axis),
    argsort: (x, axis, descending) => argsort(rt, x, axis, descending),
    copy(src, dst) {
      // a kernel may not read and write one buffer: copy through a temporary
      const from = src.storage === dst.storage ? dense(rt, src) : src;
      copyInto(rt, from, dst);
      if (from !== src) rt.free(from.storage);
    },
    random: (dist, dtype, size, seed, offset) => random(rt, dist, dtype, size, seed, offset),
    ...windowKernels(rt),
    fused: fusedKernels(rt, tile),
    flush: () => rt.flush(),
    async finish() {
      rt.flush();
      await rt.device.queue.onSubmittedWorkDone();
    },
  };
}
