/// <reference types="@webgpu/types" preserve="true" />
export { type WebGpuBackend, type WebGpuOptions, webgpu } from './webgpu.js';
export type { GpuStorage } from './runtime.js';
export { TILE_NAMES, type Tile, type TileChoice, type TileName } from './matmul.js';
