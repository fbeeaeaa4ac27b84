import { describeBackend } from '@nablajs/backend-tests';
import { cpu } from './index.js';

const dtypes = ['float32', 'int32', 'float64'] as const;

describeBackend('cpu', () => cpu(), { dtypes });
// The plain TypeScript kernels, without the WebAssembly matmul: the oracle must pass on its own.
describeBackend('cpu (no wasm)', () => cpu({ wasm: false }), { dtypes });
