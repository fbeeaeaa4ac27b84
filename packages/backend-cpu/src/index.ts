export { cpu, type CpuOptions } from './cpu.js';
export { matmulRef } from './matmul.js';
export { BINARY, UNARY } from './tables.js';
export { matmulF32, wasmSimdSupported } from './wasm/matmul.js';
