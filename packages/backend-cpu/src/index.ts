/**
 * The CPU backend: tensors on typed arrays, read synchronously, in float32, int32 and float64, with
 * plain TypeScript kernels over strided views and a WebAssembly SIMD matmul.
 *
 * @module @nablajs/backend-cpu
 */
export { cpu, type CpuOptions } from './cpu.js';
export { matmulRef } from './matmul.js';
export { BINARY_JS, type Fold, REDUCE_JS, UNARY_JS } from './tables.js';
export { type KernelBuild, kernelBuild } from './wasm/builds.js';
export { matmulF32, setMatmulThreads, wasmSimdSupported } from './wasm/matmul.js';
