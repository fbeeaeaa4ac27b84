// The conformance suite's smoke subset in headless Chromium's own WebGPU (Tint and Dawn as Chrome
// ships them, on SwiftShader where there is no GPU), beside the full run in Node on the `webgpu`
// package (vitest.config.ts). The root's `vitest run` picks this project up as well.
import { existsSync } from 'node:fs';
import { playwright } from '@vitest/browser-playwright';
import { defineProject } from 'vitest/config';
import shared from '../../vitest.shared.ts';

const chromium = process.env.NABLA_CHROMIUM ?? '/usr/bin/chromium';
const required = process.env.NABLA_REQUIRE_WEBGPU === '1';
const missing = !existsSync(chromium);
if (missing && !required)
  console.warn(
    `backend-webgpu (chromium): skipped, no browser at ${chromium} (set NABLA_CHROMIUM)`,
  );

// Spread, not mergeConfig: that would append to the shared `include` instead of replacing it.
export default defineProject({
  ...shared,
  test: {
    ...shared.test,
    name: 'backend-webgpu (chromium)',
    include: missing && !required ? [] : ['src/**/*.browser.test.ts'],
    // Read by the test: without an adapter it fails where this is set (CI), else it skips.
    provide: { requireWebGpu: required },
    // SwiftShader compiles each new kernel on the CPU, which can take seconds.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    browser: {
      enabled: true,
      headless: true,
      // A page screenshot says nothing about a kernel; don't write them into src/.
      screenshotFailures: false,
      // Chromium exposes WebGPU headless on Linux only with --enable-unsafe-webgpu; it then finds
      // SwiftShader by itself (no Vulkan or ANGLE flags needed). --no-sandbox: CI runs as root.
      // navigator.gpu needs a secure context: Vitest serves the page from localhost, which is one.
      provider: playwright({
        launchOptions: {
          executablePath: chromium,
          args: ['--enable-unsafe-webgpu', '--no-sandbox'],
        },
      }),
      instances: [{ browser: 'chromium' }],
    },
  },
});
