// The DOM helpers both pages use.

/** The element with this id (the pages' HTML has every id the scripts ask for). */
export const $ = <T extends HTMLElement = HTMLElement>(id: string): T =>
  document.getElementById(id) as T;

/** Shows `text` in the page's #status line, styled as a note when it reports an error. */
export function showStatus(text: string, error = false): void {
  const el = $('status');
  el.textContent = text;
  el.classList.toggle('note', error);
  el.classList.toggle('error', error);
}

/** Says in the page's #backend-note which backend runs the model (`note`: why not WebGPU). */
export function showBackend(name: string, note?: string): void {
  const el = $('backend-note');
  el.textContent = name === 'webgpu' ? 'Running on WebGPU.' : (note ?? 'Running on the CPU.');
  el.dataset.backend = name;
}
