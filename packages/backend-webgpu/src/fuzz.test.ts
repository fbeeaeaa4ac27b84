// Property-based tests against the float64 reference (see describeFuzz in backend-tests). SwiftShader
// compiles a pipeline per new kernel shape, so CI runs fewer cases here than on the CPU;
// NABLA_FUZZ_RUNS=500 NABLA_FUZZ_SEED=random for a longer search.
import { describeFuzz, describeWithBackend } from '@nablajs/backend-tests';
import { gpuBackend } from './test-gpu.js';

await describeWithBackend('WebGPU', gpuBackend, (gpu) =>
  describeFuzz('webgpu', () => gpu, { runs: 15, flushesSubnormals: true, timeout: 120_000 }),
);
