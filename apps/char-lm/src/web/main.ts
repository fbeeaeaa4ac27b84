// The page: the form, the learning curves, the samples and the attention heatmap. Training runs in
// the worker.
import 'app-kit/web/page.css';
import './page.css';
import {
  $,
  appendPoint,
  chartSize,
  formField,
  lineChart,
  oncePerFrame,
  onWidthChange,
  type PageReport,
  pageShell,
  PALETTE,
  showStatus,
} from 'app-kit/web';
import { DEFAULT_CONFIG, type PageConfig, SIZES } from './config.js';
import { attentionHeatmap, showChar } from './heatmap.js';
import type { AppReport, AppRequest, SampleRequest } from './protocol.js';
import type { ChunkResult } from './session.js';

const sampleForm = $<HTMLFormElement>('sample-form');
const attentionForm = $<HTMLFormElement>('attention-form');
const buttons = {
  write: $<HTMLButtonElement>('write'),
  attention: $<HTMLButtonElement>('show-attention'),
};

// ---- the forms and the worker ----

/** What the page shows of the run in use. */
const run = { model: DEFAULT_CONFIG.model, batchSize: DEFAULT_CONFIG.batchSize };

const shell = pageShell<PageConfig, ChunkResult, AppRequest, AppReport>({
  worker: new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }),
  defaults: DEFAULT_CONFIG,
  locked: ['model-fields', 'training-fields'],
  readConfig,
  data: 'corpus/',
  readyText: (m) =>
    `Corpora loaded: ${m.train.toLocaleString('en')} training and ${m.test.toLocaleString('en')} validation characters in all.`,
  controls: ({ ready }) => {
    buttons.write.disabled = !ready;
    buttons.attention.disabled = !ready || run.model !== 'gpt';
  },
  onReport,
});
const { field, send } = shell;
formField(sampleForm, 'sampleLength').value = String(DEFAULT_CONFIG.sampleLength);
formField(sampleForm, 'temperature').value = '0.8';
formField(sampleForm, 'topK').value = '0';

function readConfig(): PageConfig {
  const num = (name: string) => field(name).valueAsNumber;
  return {
    data: field('data').value as PageConfig['data'],
    model: field('model').value as PageConfig['model'],
    size: field('size').value as PageConfig['size'],
    lr: num('lr'),
    batchSize: num('batchSize'),
    steps: num('steps'),
    sampleLength:
      formField(sampleForm, 'sampleLength').valueAsNumber || DEFAULT_CONFIG.sampleLength,
    seed: DEFAULT_CONFIG.seed,
  };
}

/** The blocks and heads of the model in use, as the attention form's choices. */
function fillAttentionChoices(config: PageConfig) {
  const { layers, heads } = SIZES[config.size];
  const options = (n: number) =>
    Array.from({ length: n }, (_, i) => new Option(String(i + 1), String(i)));
  $<HTMLSelectElement>('layer').replaceChildren(...options(layers));
  $<HTMLSelectElement>('head').replaceChildren(...options(heads));
}

sampleForm.addEventListener('submit', (e) => {
  e.preventDefault();
  if (!sampleForm.reportValidity()) return;
  const num = (name: string) => formField(sampleForm, name).valueAsNumber;
  send({
    type: 'sample',
    prompt: formField(sampleForm, 'prompt').value,
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
    prompt: formField(attentionForm, 'attention-prompt').value,
    layer: Number(formField(attentionForm, 'layer').value),
    head: Number(formField(attentionForm, 'head').value),
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

// ---- the worker's reports ----

function onReport(m: PageReport<PageConfig, ChunkResult, AppReport>) {
  switch (m.type) {
    case 'model':
      run.model = m.config.model;
      run.batchSize = m.config.batchSize;
      curves.train.length = curves.validation.length = 0;
      for (const id of ['speed', 'loss', 'validation-loss']) $(id).textContent = '–';
      $('step').textContent = '0';
      $('validation-loss').dataset.step = '-1';
      $('history').replaceChildren();
      $('heatmap').replaceChildren();
      fillAttentionChoices(m.config);
      return drawChart();
    case 'progress':
      $('step').textContent = m.step.toLocaleString('en');
      // the worker counts windows per second; each window predicts tokensPerStep / batchSize characters
      $('speed').textContent = Math.round(
        (m.imagesPerSecond * m.tokensPerStep) / run.batchSize,
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
  }
}

shell.start();
drawChart();
