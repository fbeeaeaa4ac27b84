import { describeBackend } from '@nablajs/backend-tests';
import { describe, test } from 'vitest';
import { gpuOrReason } from './test-gpu.js';

const gpu = await gpuOrReason();
if (typeof gpu === 'string') describe.skip(gpu, () => test('needs an adapter', () => {}));
else describeBackend('webgpu', () => gpu, { dtypes: ['float32', 'int32'], sizes: 'small' });
