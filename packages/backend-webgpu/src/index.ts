/// <reference types="@webgpu/types" preserve="true" />
/**
 * The WebGPU backend: every primitive as a WGSL compute kernel, float32 and int32, on the browser's
 * `navigator.gpu` or, in Node, on Dawn (the optional peer `webgpu`), with batched submission, a tiled
 * matmul and fused optimizer and loss kernels. Reads are asynchronous (`await t.data()`).
 *
 * @module @nablajs/backend-webgpu
 */
export { type WebGpuBackend, type WebGpuOptions, webgpu } from './webgpu.js';
export type { GpuStorage } from './runtime.js';
export { TILE_NAMES, type Tile, type TileChoice, type TileName } from './matmul.js';
