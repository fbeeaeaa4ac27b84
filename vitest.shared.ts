// The test config every package shares; each package's vitest.config.ts re-exports it, so
// `pnpm --filter <pkg> test` and the root's `vitest run` (projects) behave the same.
import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineProject } from 'vitest/config';

// Resolve workspace packages to their TypeScript source (the `@nablajs/source` export condition),
// so tests never need a build. Vite replaces its default conditions when given a list, hence the spread.
const source = '@nablajs/source';

// Node 20 runs relaxed SIMD (the CPU kernels' fused multiply-adds) only behind a flag; later Nodes
// run it by default (and may not know the flag), so the tests run the build users on them get.
const relaxedSimd = process.versions.node.startsWith('20.')
  ? ['--experimental-wasm-relaxed-simd']
  : [];

export default defineProject({
  resolve: { conditions: [source, ...defaultClientConditions] },
  // Node tests run in Vite's SSR environment, which has its own list.
  ssr: { resolve: { conditions: [source, ...defaultServerConditions] } },
  test: {
    include: ['src/**/*.test.ts'],
    // globalThis.gc for tests that prove memory is reclaimed (FinalizationRegistry).
    execArgv: ['--expose-gc', ...relaxedSimd],
  },
});
