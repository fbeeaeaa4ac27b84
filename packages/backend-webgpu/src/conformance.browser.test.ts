import { describeBackend, describeWithBackend } from '@nablajs/backend-tests';
import { expect, inject, test } from 'vitest';
import { webgpu } from './index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** NABLA_REQUIRE_WEBGPU=1 (CI): no adapter is a failure, not a skip. */
    requireWebGpu: boolean;
  }
}

// Each op's first two cases (a contiguous and a strided layout, for most ops), in float32 and
// int32: enough to compile and run every kernel through Chrome's WebGPU, whose shader compiler and
// validation differ from the Dawn build that Node runs (src/conformance.test.ts runs every case there).
await describeWithBackend(
  'WebGPU in Chromium',
  webgpu,
  (backend) => {
    test("runs on the browser's navigator.gpu", () => {
      console.info('WebGPU adapter in Chromium:', JSON.stringify(backend.adapterInfo));
      expect(globalThis.navigator?.gpu, 'navigator.gpu').toBeDefined();
      expect(backend.device, 'device').toBeDefined();
    });
    describeBackend('webgpu (chromium)', () => backend, {
      dtypes: ['float32', 'int32'],
      sizes: 'small',
      filter: (c) => c.index < 2,
    });
  },
  {
    required: inject('requireWebGpu'),
    hint: '(in the browser: Chromium on Linux needs --enable-unsafe-webgpu, see vitest.browser.config.ts)',
  },
);
