// The page: the form, the learning curves, the samples and the attention heatmap. Training runs in
// the worker.
import 'app-kit/web/page.css';
import './page.css';
import {
  $,
  appendPoint,
  chartSize,
  lineChart,
  oncePerFrame,
  onWidthChange,
  PALETTE,
  showBackend,
  showStatus,
  type WebBackendName,
} from 'app-kit/web';
import { DEFAULT_CONFIG, type PageConfig, SIZES } from './config.js';
import { attentionHeatmap, showChar } from './heatmap.js';
import type { FromWorker, SampleRequest, ToWorker } from './protocol.js';

const form = $<HTMLFormElement>('settings');
const sampleForm = $<HTMLFormElement>('sample-form');
const attentionForm = $<HTMLFormElement>('attention-form');
const buttons = {
  train: $<HTMLButtonElement>('train'),
  stop: $<HTMLButtonElement>('stop'),
  reset: $<HTMLButtonElement>('reset'),
  write: $<HTMLButtonElement>('write'),
  attention: $<HTMLButtonElement>('show-attention'),
};

// ---- the forms ----

const field = (f: HTMLFormElement, name: string) => f.elements.namedItem(name) as HTMLInputElement;
for (const [k, v] of Object.entries(DEFAULT_CONFIG)) {
  const el = field(form, k) ?? field(sampleForm, k);
  if (el) el.value = String(v);
}
field(form, 'backend').value = 'webgpu';
field(sampleForm, 'temperature').value = '0.8';
field(sampleForm, 'topK').value = '0';

function readConfig(): PageConfig {
  const num = (name: string) => field(form, name).valueAsNumber;
  return {
    data: field(form, 'data').value as PageConfig['data'],
    model: field(form, 'model').value as PageConfig['model'],
    size: field(form, 'size').value as PageConfig['size'],
    lr: num('lr'),
    batchSize: num('batchSize'),
    steps: num('steps'),
    sampleLength: field(sampleForm, 'sampleLength').valueAsNumber || DEFAULT_CONFIG.sampleLength,
    seed: DEFAULT_CONFIG.seed,
  };
}
const readBackend = () => field(form, 'backend').value as WebBackendName;

/** The blocks and heads of the model in use, as the attention form's choices. */
function fillAttentionChoices(config: PageConfig) {
  const { layers, heads } = SIZES[config.size];
  const options = (n: number) =>
    Array.from({ length: n }, (_, i) => new Option(String(i + 1), String(i)));
  $<HTMLSelectElement>('layer').replaceChildren(...options(layers));
  $<HTMLSelectElement>('head').replaceChildren(...options(heads));
}

// ---- the worker ----

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const send = (m: ToWorker) => worker.postMessage(m);

const state = {
  ready: false,
  running: false,
  step: 0,
  model: DEFAULT_CONFIG.model,
  batchSize: DEFAULT_CONFIG.batchSize,
};

function updateControls() {
  const { ready, running, step } = state;
  const locked = running || step > 0;
  for (const id of ['model-fields', 'training-fields'])
    $<HTMLFieldSetElement>(id).disabled = locked;
  $('locked').hidden = !locked;
  buttons.train.disabled = !ready || running;
  buttons.train.textContent = step > 0 && !running ? 'Continue' : 'Train';
  buttons.stop.disabled = !running;
  buttons.reset.disabled = !ready;
  buttons.write.disabled = !ready;
  buttons.attention.disabled = !ready || state.model !== 'gpt';
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  if (!form.reportValidity()) return;
  send({ type: 'train', config: readConfig(), backend: readBackend() });
});
buttons.stop.addEventListener('click', () => send({ type: 'stop' }));
buttons.reset.addEventListener('click', () => {
  if (!form.reportValidity()) return;
  send({ type: 'reset', config: readConfig(), backend: readBackend() });
});
sampleForm.addEventListener('submit', (e) => {
  e.preventDefault();
  if (!sampleForm.reportValidity()) return;
  const num = (name: string) => field(sampleForm, name).valueAsNumber;
  send({
    type: 'sample',
    prompt: field(sampleForm, 'prompt').value,
    length: num('sampleLength'),
    temperature: num('temperature'),
    topK: num('topK'),
    seed: Math.floor(Math.random() * 2 ** 31),
  });
  $('sample').textContent = 'Writing…';
});
attentionForm.addEventListener('submit', (e) => {
  e.preventDefault();
  send({
    type: 'attention',
    prompt: field(attentionForm, 'attention-prompt').value,
    layer: Number(field(attentionForm, 'layer').value),
    head: Number(field(attentionForm, 'head').value),
  });
});

// ---- the curves ----

const curves = { train: [] as [number, number][], validation: [] as [number, number][] };

const drawChart = oncePerFrame(() => {
  const el = $('loss-chart');
  el.innerHTML = lineChart({
    title: 'Loss per character',
    xLabel: 'step',
    yLabel: 'cross-entropy (nats)',
    series: [
      { name: 'training', points: curves.train, color: PALETTE[0] },
      { name: 'validation', points: curves.validation, color: PALETTE[1] },
    ],
    dots: false,
    ...chartSize(el),
  });
});
onWidthChange($('curves-title').parentElement!, drawChart);

// ---- samples ----

/** A sample on one line: names are separated by line breaks, shown as ⏎. */
const oneLine = (s: string) =>
  Array.from(s)
    .map((c) => (c === '\n' ? ' ⏎ ' : c))
    .join('');

function addToHistory(step: number, loss: number, text: string) {
  const li = document.createElement('li');
  li.value = step;
  li.dataset.step = String(step);
  li.dataset.loss = String(loss);
  const head = document.createElement('span');
  head.textContent = `step ${step.toLocaleString('en')}, validation ${loss.toFixed(3)}: `;
  const body = document.createElement('span');
  body.className = 'text';
  body.textContent = oneLine(text);
  li.append(head, body);
  $('history').prepend(li);
  const items = $('history').children;
  if (items.length > 30) items[items.length - 1]!.remove();
}

function showSample(text: string, request: SampleRequest, step: number) {
  const el = $('sample');
  el.textContent = request.prompt + text;
  el.dataset.length = String(Array.from(text).length);
  el.dataset.step = String(step);
}

// ---- messages from the worker ----

worker.onmessage = (e: MessageEvent<FromWorker>) => {
  const m = e.data;
  switch (m.type) {
    case 'status':
      return showStatus(m.text);
    case 'ready':
      state.ready = true;
      showStatus(
        `Corpora loaded: ${m.train.toLocaleString('en')} training and ${m.test.toLocaleString('en')} validation characters in all.`,
      );
      return updateControls();
    case 'backend':
      return showBackend(m.name, m.note);
    case 'model':
      state.step = 0;
      state.model = m.config.model;
      state.batchSize = m.config.batchSize;
      curves.train.length = curves.validation.length = 0;
      for (const id of ['speed', 'loss', 'validation-loss']) $(id).textContent = '–';
      $('step').textContent = '0';
      $('validation-loss').dataset.step = '-1';
      $('history').replaceChildren();
      $('heatmap').replaceChildren();
      fillAttentionChoices(m.config);
      updateControls();
      return drawChart();
    case 'running':
      state.running = m.running;
      showStatus(m.running ? 'Training…' : state.step > 0 ? 'Stopped.' : $('status').textContent!);
      return updateControls();
    case 'progress':
      state.step = m.step;
      $('step').textContent = m.step.toLocaleString('en');
      // the worker counts windows per second; each window predicts tokensPerStep / batchSize characters
      $('speed').textContent = Math.round(
        (m.imagesPerSecond * m.tokensPerStep) / state.batchSize,
      ).toLocaleString('en');
      $('loss').textContent = m.loss.toFixed(3);
      appendPoint(curves.train, [m.step, m.loss]);
      return drawChart();
    case 'evaluation': {
      const v = $('validation-loss');
      v.textContent = m.validationLoss.toFixed(3);
      v.dataset.step = String(m.step);
      v.dataset.loss = String(m.validationLoss);
      appendPoint(curves.validation, [m.step, m.validationLoss]);
      addToHistory(m.step, m.validationLoss, m.sample);
      return drawChart();
    }
    case 'sample':
      return showSample(m.text, m.request, m.step);
    case 'attention': {
      const n = m.tokens.length;
      $('heatmap').innerHTML = attentionHeatmap({
        tokens: m.tokens,
        weights: m.weights,
        title: `Block ${m.layer + 1}, head ${m.head + 1}: “${m.tokens.map(showChar).join('')}”`,
      });
      $('heatmap').dataset.tokens = String(n);
      if (m.dropped) showStatus(`Not in the vocabulary, left out: ${m.dropped}`);
      return;
    }
    case 'refused':
      return showStatus(m.message, true);
    case 'error':
      return showStatus(`Error: ${m.message}`, true);
  }
};
worker.onerror = (e) => showStatus(`Error in the training worker: ${e.message}`, true);

send({
  type: 'init',
  dataUrl: new URL('corpus/', document.baseURI).href,
  config: readConfig(),
  backend: readBackend(),
});
updateControls();
drawChart();
