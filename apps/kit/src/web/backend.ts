// The one place where the web pages choose their backend: WebGPU when the browser has it, else the
// CPU, with a note the page shows so nobody mistakes a CPU run for a GPU one.
import { cpu } from '@nablajs/backend-cpu';
import { type Backend, useBackend } from '@nablajs/tensor';

export type WebBackendName = 'webgpu' | 'cpu';

export interface ChosenBackend {
  /** The backend in use (now selected with `useBackend`). */
  name: WebBackendName;
  backend: Backend;
  /** Why it is not the one asked for, when it is not. */
  note?: string;
}

const started = new Map<WebBackendName, Promise<Backend>>();

// A separate chunk: a page that runs on the CPU never loads the WGSL kernels.
async function startWebGpu(): Promise<Backend> {
  const { webgpu } = await import('@nablajs/backend-webgpu');
  return webgpu();
}

/**
 * Selects `want` for this page or worker and returns what it got. WebGPU falls back to the CPU
 * (with a `note`) when `navigator.gpu` is missing or no adapter starts. Backends are started once
 * and reused.
 */
export async function chooseBackend(want: WebBackendName): Promise<ChosenBackend> {
  let note: string | undefined;
  if (want === 'webgpu') {
    if (!(navigator as { gpu?: unknown }).gpu) {
      note =
        'WebGPU is not available in this browser (navigator.gpu is missing), so Nabla runs on the CPU.';
    } else {
      if (!started.has('webgpu')) started.set('webgpu', startWebGpu());
      try {
        return { name: 'webgpu', backend: useBackend(await started.get('webgpu')!) };
      } catch (err) {
        started.delete('webgpu');
        // the first clause only: the rest of a BackendError's message is a hint for Node
        const why = (err instanceof Error ? err.message : String(err)).split(';')[0];
        note = `WebGPU did not start (${why}), so Nabla runs on the CPU.`;
      }
    }
  }
  if (!started.has('cpu')) started.set('cpu', Promise.resolve(cpu()));
  const backend = useBackend(await started.get('cpu')!);
  return note === undefined ? { name: 'cpu', backend } : { name: 'cpu', backend, note };
}
