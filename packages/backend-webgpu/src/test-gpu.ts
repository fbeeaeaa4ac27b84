import { type WebGpuBackend, webgpu } from './index.js';

process.env.VK_ICD_FILENAMES ??= '/usr/lib/chromium/vk_swiftshader_icd.json';
process.env.XDG_RUNTIME_DIR ??= '/tmp';

/**
 * The backend a test file shares, or why there is none. Without an adapter the tests are skipped
 * with that reason printed, except where NABLA_REQUIRE_WEBGPU=1 (CI): there they fail.
 */
export async function gpuOrReason(): Promise<WebGpuBackend | string> {
  try {
    return await webgpu();
  } catch (e) {
    const reason = `WebGPU tests skipped: ${(e as Error).message}`;
    if (process.env.NABLA_REQUIRE_WEBGPU === '1') throw e;
    console.warn(reason);
    return reason;
  }
}
