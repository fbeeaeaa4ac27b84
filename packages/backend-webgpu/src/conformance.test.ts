import { describeBackend, describeWithBackend } from '@nablajs/backend-tests';
import { gpuBackend } from './test-gpu.js';

await describeWithBackend('WebGPU', gpuBackend, (gpu) =>
  describeBackend('webgpu', () => gpu, { dtypes: ['float32', 'int32'], sizes: 'small' }),
);
