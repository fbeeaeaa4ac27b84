import { defineProject, mergeConfig } from 'vitest/config';
import shared from '../vitest.shared.ts';

// The shared config (packages resolve to their TypeScript source), with the docs' own tests: they
// run every sample the pages show, some of which train for a few seconds.
export default mergeConfig(
  shared,
  defineProject({ test: { include: ['test/**/*.test.ts'], testTimeout: 120_000 } }),
);
