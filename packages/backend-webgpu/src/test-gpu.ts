import { type WebGpuBackend, webgpu } from './index.js';

process.env.VK_ICD_FILENAMES ??= '/usr/lib/chromium/vk_swiftshader_icd.json';
process.env.XDG_RUNTIME_DIR ??= '/tmp';

/** A WebGPU backend for the Node tests: Dawn, on SwiftShader where there is no GPU (see
 * `describeWithBackend` for what happens without an adapter). */
export const gpuBackend = (): Promise<WebGpuBackend> => webgpu();
