// Property-based tests against the float64 reference (see describeFuzz): 100 runs a property in CI;
// NABLA_FUZZ_RUNS=5000 NABLA_FUZZ_SEED=random for a longer search (README of backend-tests).
import { describeFuzz } from '@nablajs/backend-tests';
import { cpu } from './index.js';

describeFuzz('cpu', () => cpu());
