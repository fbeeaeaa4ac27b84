// The HTML every training page has, written once: a page's index.html names a part in a comment of
// its own line, `<!-- app-kit: run-buttons -->`, and the build (and the dev server) puts the part
// there. The ids are the ones the page shell (web/shell.ts) and the page tests use.
import type { Plugin } from 'vite';

/** The parts, by name. */
export const PAGE_PARTS: Readonly<Record<string, string>> = {
  /** The backend choice, a field of the #settings form. */
  'backend-field': `<div class="field">
  <label for="backend">Backend</label>
  <select id="backend" name="backend">
    <option value="webgpu">WebGPU</option>
    <option value="cpu">CPU (WebAssembly)</option>
  </select>
</div>`,
  /** The end of the #settings form: why its fields are locked, and Train, Stop and Reset. */
  'run-buttons': `<p id="locked" class="hint" hidden>
  The settings are fixed once training has started: Reset to change them.
</p>
<div class="buttons">
  <button type="submit" id="train" class="primary" disabled>Train</button>
  <button type="button" id="stop" disabled>Stop</button>
  <button type="button" id="reset" disabled>Reset</button>
</div>`,
  /** Which backend runs, and the status line (both read aloud when they change). */
  'run-status': `<p id="backend-note" class="note" role="status"></p>
<p id="status" class="hint" role="status">Loading…</p>`,
  /** The first entries of a .stats list on a page that trains on MNIST's mini-batches. */
  'minibatch-stats': `<div>
  <dt>Step (mini-batch)</dt>
  <dd id="step">0</dd>
</div>
<div>
  <dt>Epoch</dt>
  <dd id="epoch">0.00</dd>
</div>
<div>
  <dt>Images per second</dt>
  <dd id="speed">–</dd>
</div>`,
};

const MARK = /^([ \t]*)<!-- app-kit: ([\w-]+) -->$/gm;

/** `html` with each `<!-- app-kit: name -->` line replaced by the part, at the comment's indent. */
export function fillPageParts(html: string): string {
  return html.replace(MARK, (_, indent: string, name: string) => {
    const part = Object.hasOwn(PAGE_PARTS, name) ? PAGE_PARTS[name] : undefined;
    if (part === undefined)
      throw new Error(
        `index.html: no page part '${name}' (app-kit has ${Object.keys(PAGE_PARTS).join(', ')})`,
      );
    return part.replace(/^/gm, indent);
  });
}

/** A Vite plugin that fills the page parts into index.html, in `vite dev` and in the build. */
export function pageParts(): Plugin {
  return {
    name: 'nabla-page-parts',
    transformIndexHtml: { order: 'pre', handler: fillPageParts },
  };
}
