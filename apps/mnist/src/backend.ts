import { cpu } from '@nablajs/backend-cpu';
import { type Backend, useBackend } from '@nablajs/tensor';

/** Selects the backend named on the command line. */
export async function selectBackend(name: 'cpu' | 'webgpu'): Promise<Backend> {
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
