import { configDefaults, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// Node (Dawn from the `webgpu` package); the *.browser.test.ts files run in vitest.browser.config.ts.
export default mergeConfig(shared, {
  test: {
    exclude: [...configDefaults.exclude, 'src/**/*.browser.test.ts'],
    // SwiftShader compiles each new kernel on the CPU: seconds apiece when `pnpm test` runs the
    // other projects (Chromium's WebGPU among them) beside this one on a 2-core runner.
    testTimeout: 30_000,
  },
});
