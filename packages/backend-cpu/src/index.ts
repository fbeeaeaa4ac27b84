export { cpu, type CpuOptions } from './cpu.js';
export { matmulStrided } from './matmul.js';
export { BINARY, UNARY } from './tables.js';
export { matmulF32, matmulRef, wasmSimdSupported } from './wasm/matmul.js';
