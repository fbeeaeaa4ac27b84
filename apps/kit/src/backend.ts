import { cpu } from '@nablajs/backend-cpu';
import { type Backend, useBackend } from '@nablajs/tensor';

export type BackendName = 'cpu' | 'webgpu';

/**
 * Selects the backend named on the command line (`--backend cpu|webgpu`). WebGPU is imported
 * lazily, so an app runs on the CPU without it installed and says clearly when it is missing.
 */
export async function selectBackend(name: BackendName): Promise<Backend> {
  if (name === 'cpu') return useBackend(cpu());
  const pkg = '@nablajs/backend-webgpu';
  let mod: { webgpu: () => Promise<Backend> };
  try {
    mod = (await import(/* @vite-ignore */ pkg)) as typeof mod;
  } catch {
    throw new Error(`--backend webgpu: the package ${pkg} is not installed in this workspace yet`);
  }
  return useBackend(await mod.webgpu());
}
