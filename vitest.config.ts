import { defineConfig } from 'vitest/config';

// One run over every package that has a vitest config.
export default defineConfig({
  test: {
    projects: [
      'packages/*/vitest.config.{ts,js}',
      // Tests that run in headless Chromium (Vitest browser mode), e.g. WebGPU in the browser.
      'packages/*/vitest.browser.config.{ts,js}',
      'apps/*/vitest.config.{ts,js}',
      'bench/vitest.config.{ts,js}',
      'docs/vitest.config.{ts,js}',
    ],
  },
});
