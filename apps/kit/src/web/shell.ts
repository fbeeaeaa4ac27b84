// The wiring every training page has: the settings form (#settings) with its Train, Stop and Reset
// buttons, the fieldsets it locks once a run has trained, the status and backend lines, and the
// training worker's common messages. A page adds its own controls, charts and messages.
import type { WebBackendName } from './backend.js';
import { $, showBackend, showStatus } from './dom.js';
import type { TrainerReport, TrainerRequest } from './training-worker.js';

/** What the shell knows of the run: whether the data is loaded, training is on, and its step. */
export interface ShellState {
  ready: boolean;
  running: boolean;
  step: number;
}

/**
 * The worker's reports a page handles: a new run ('model'), a chunk's 'progress', and its own (the
 * shell handles the rest of TrainerReport: status, ready, backend, running, error).
 */
export type PageReport<Config, Chunk, Report> =
  | { type: 'model'; config: Config }
  | ({ type: 'progress'; imagesPerSecond: number } & Chunk)
  | Report;

export interface PageShellOptions<Config, Chunk, Report> {
  /** The page's worker (created by the page: Vite bundles `new Worker(new URL(…))` where it stands). */
  worker: Worker;
  /** The form's defaults: each value goes into the #settings field of its name, where there is one. */
  defaults: object;
  /** The ids of the fieldsets that are locked once a run has trained (Reset unlocks them). */
  locked: readonly string[];
  /** The configuration the form sets now. */
  readConfig(): Config;
  /** The folder the worker loads its data from, relative to the page (e.g. 'mnist/'). */
  data: string;
  /** The status line once the data has loaded. */
  readyText(counts: { train: number; test: number }): string;
  /** Enables or disables the page's own controls (after the shell's, whenever they change). */
  controls?(state: Readonly<ShellState>): void;
  /**
   * The page's part of the worker's reports. The shell sets the step first ('model': 0, 'progress':
   * the chunk's) and updates the controls after a 'model'.
   */
  onReport(report: PageReport<Config, Chunk, Report>): void;
}

export interface PageShell<Config, Request> {
  form: HTMLFormElement;
  /** The #settings form's control named `name`. */
  field(name: string): HTMLInputElement;
  /** The backend the form asks for. */
  readBackend(): WebBackendName;
  /** Posts a message to the worker (with the buffers to transfer). */
  send(message: TrainerRequest<Config> | Request, transfer?: Transferable[]): void;
  readonly state: Readonly<ShellState>;
  /** Enables and disables the form and the buttons (the page's own with them) for the state. */
  updateControls(): void;
  /** Asks the worker to load the data and start a run of the form's configuration. */
  start(): void;
}

/** A form's control named `name` (undefined where it has none). */
export const formField = (form: HTMLFormElement, name: string): HTMLInputElement =>
  form.elements.namedItem(name) as HTMLInputElement;

/**
 * Wires the page's #settings form, buttons and status lines to its training worker. Call `start()`
 * once the page is set up.
 */
export function pageShell<
  Config,
  Chunk extends { step: number },
  Request = never,
  Report extends { type: string } = never,
>(options: PageShellOptions<Config, Chunk, Report>): PageShell<Config, Request> {
  const { worker, readConfig } = options;
  const form = $<HTMLFormElement>('settings');
  const field = (name: string) => formField(form, name);
  const buttons = {
    train: $<HTMLButtonElement>('train'),
    stop: $<HTMLButtonElement>('stop'),
    reset: $<HTMLButtonElement>('reset'),
  };
  for (const [k, v] of Object.entries(options.defaults)) if (field(k)) field(k).value = String(v);
  field('backend').value = 'webgpu';
  const readBackend = () => field('backend').value as WebBackendName;
  const send = (m: TrainerRequest<Config> | Request, transfer: Transferable[] = []) =>
    worker.postMessage(m, transfer);
  const state: ShellState = { ready: false, running: false, step: 0 };

  function updateControls() {
    const { ready, running, step } = state;
    const locked = running || step > 0;
    for (const id of options.locked) $<HTMLFieldSetElement>(id).disabled = locked;
    $('locked').hidden = !locked;
    buttons.train.disabled = !ready || running;
    buttons.train.textContent = step > 0 && !running ? 'Continue' : 'Train';
    buttons.stop.disabled = !running;
    buttons.reset.disabled = !ready;
    options.controls?.(state);
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (form.reportValidity())
      send({ type: 'train', config: readConfig(), backend: readBackend() });
  });
  buttons.stop.addEventListener('click', () => send({ type: 'stop' }));
  buttons.reset.addEventListener('click', () => {
    if (form.reportValidity())
      send({ type: 'reset', config: readConfig(), backend: readBackend() });
  });

  worker.onmessage = (e: MessageEvent<TrainerReport<Config, Chunk> | Report>) => {
    // a page's own reports never reuse the common types (TrainerReport's)
    const m = e.data as TrainerReport<Config, Chunk>;
    switch (m.type) {
      case 'status':
        return showStatus(m.text);
      case 'ready':
        state.ready = true;
        showStatus(options.readyText(m));
        return updateControls();
      case 'backend':
        return showBackend(m.name, m.note);
      case 'running':
        state.running = m.running;
        showStatus(
          m.running ? 'Training…' : state.step > 0 ? 'Stopped.' : $('status').textContent!,
        );
        return updateControls();
      case 'error':
        return showStatus(`Error: ${m.message}`, true);
      case 'model':
        state.step = 0;
        options.onReport(m);
        return updateControls();
      case 'progress':
        state.step = m.step;
        return options.onReport(m);
      default:
        return options.onReport(e.data as PageReport<Config, Chunk, Report>);
    }
  };
  worker.onerror = (e) => showStatus(`Error in the training worker: ${e.message}`, true);

  return {
    form,
    field,
    readBackend,
    send,
    state,
    updateControls,
    start() {
      send({
        type: 'init',
        dataUrl: new URL(options.data, document.baseURI).href,
        config: readConfig(),
        backend: readBackend(),
      });
      updateControls();
    },
  };
}
