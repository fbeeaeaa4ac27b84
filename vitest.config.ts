import { defineConfig } from 'vitest/config';

// One run over every package that has a vitest config.
export default defineConfig({
  test: {
    projects: [
      'packages/*/vitest.config.{ts,js}',
      'apps/*/vitest.config.{ts,js}',
      'bench/vitest.config.{ts,js}',
    ],
  },
});
