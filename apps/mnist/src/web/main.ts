// The page: the form, the charts, the drawing pad and the mistakes. Training runs in the worker.
import 'app-kit/web/page.css';
import './page.css';
import {
  $,
  appendPoint,
  chartSize,
  lineChart,
  oncePerFrame,
  onWidthChange,
  type PageReport,
  pageShell,
  PALETTE,
  type Series,
} from 'app-kit/web';
import { DEFAULT_CONFIG, DEFAULT_LR, type PageConfig } from './config.js';
import { DrawPad, paintDigit } from './draw.js';
import type { AppReport, AppRequest, MistakeImage } from './protocol.js';
import type { ChunkResult } from './session.js';

const buttons = {
  sample: $<HTMLButtonElement>('sample'),
  clear: $<HTMLButtonElement>('clear'),
};
const pct = (v: number) => `${(100 * v).toFixed(1)} %`;

// ---- the form and the worker ----

const shell = pageShell<PageConfig, ChunkResult, AppRequest, AppReport>({
  worker: new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }),
  defaults: DEFAULT_CONFIG,
  locked: ['network', 'training'],
  readConfig,
  data: 'mnist/',
  readyText: (m) =>
    `MNIST loaded: ${m.train.toLocaleString('en')} training and ${m.test.toLocaleString('en')} test images.`,
  controls: ({ ready }) => {
    buttons.sample.disabled = !ready;
  },
  onReport,
});
const { field, send } = shell;

function readConfig(): PageConfig {
  const num = (name: string) => field(name).valueAsNumber;
  return {
    model: field('model').value as PageConfig['model'],
    depth: num('depth'),
    width: num('width'),
    activation: field('activation').value as PageConfig['activation'],
    optimizer: field('optimizer').value as PageConfig['optimizer'],
    lr: num('lr'),
    l2: num('l2'),
    dropout: num('dropout'),
    batchSize: num('batchSize'),
    seed: DEFAULT_CONFIG.seed,
  };
}

// switching optimizer swaps a learning rate that was the other one's default
field('optimizer').addEventListener('change', () => {
  const opt = field('optimizer').value as PageConfig['optimizer'];
  const other = opt === 'sgd' ? 'adam' : 'sgd';
  if (field('lr').valueAsNumber === DEFAULT_LR[other]) field('lr').value = String(DEFAULT_LR[opt]);
});

// the perceptron's fields do not apply to a CNN; a CNN wants Adam rather than the lecture's SGD η = 0.5
const MLP_FIELDS = ['depth', 'width', 'activation'];
function onModelChange() {
  const cnn = field('model').value !== 'mlp';
  for (const name of MLP_FIELDS) field(name).disabled = cnn;
  if (cnn && field('optimizer').value === 'sgd' && field('lr').valueAsNumber === DEFAULT_LR.sgd) {
    field('optimizer').value = 'adam';
    field('lr').value = String(DEFAULT_LR.adam);
  }
}
field('model').addEventListener('change', onModelChange);
onModelChange();

// ---- the curves ----

const curves = {
  loss: [] as [number, number][],
  trainAccuracy: [] as [number, number][],
  testAccuracy: [] as [number, number][],
  epochAccuracy: [] as [number, number][],
};

const drawCharts = oncePerFrame(() => {
  const lossEl = $('loss-chart');
  lossEl.innerHTML = lineChart({
    title: 'Training loss',
    xLabel: 'step (mini-batches)',
    yLabel: 'cross-entropy',
    series: [{ name: 'training batches', points: curves.loss, color: PALETTE[0] }],
    dots: false,
    ...chartSize(lossEl),
  });
  const accEl = $('accuracy-chart');
  const series: Series[] = [
    { name: 'training batches', points: curves.trainAccuracy, color: PALETTE[0] },
    { name: 'test, 1,000 images', points: curves.testAccuracy, color: PALETTE[1] },
  ];
  if (curves.epochAccuracy.length)
    series.push({ name: 'test, all 10,000', points: curves.epochAccuracy, color: PALETTE[2] });
  accEl.innerHTML = lineChart({
    title: 'Accuracy',
    xLabel: 'step (mini-batches)',
    yLabel: 'accuracy (%)',
    series,
    yRange: [0, 100],
    dots: false,
    ...chartSize(accEl),
  });
});
onWidthChange($('curves-title').parentElement!, drawCharts);

// ---- the drawing pad and the probabilities ----

const probs = $<HTMLOListElement>('probs');
for (let d = 0; d < 10; d++) {
  const li = document.createElement('li');
  li.dataset.digit = String(d);
  li.innerHTML = `<span class="digit">${d}</span><span class="bar" aria-hidden="true"><span class="fill"></span></span><span class="pct">–</span>`;
  probs.append(li);
}

function showProbabilities(p: number[] | null) {
  const best = p ? p.indexOf(Math.max(...p)) : -1;
  Array.from(probs.children).forEach((li, d) => {
    const el = li as HTMLLIElement;
    const v = p?.[d];
    el.dataset.p = v === undefined ? '' : String(v);
    el.classList.toggle('top', d === best);
    (el.querySelector('.fill') as HTMLElement).style.width = `${100 * (v ?? 0)}%`;
    el.querySelector('.pct')!.textContent = v === undefined ? '–' : pct(v);
  });
  $('verdict').textContent = p
    ? `The network reads a ${best} (${pct(p[best]!)}).`
    : 'Draw a digit to see what the network reads.';
}

const seen = $<HTMLCanvasElement>('seen');
paintDigit(seen, new Float32Array(784));
let predictId = 0;
let inFlight = false;
let pending = false;

function predict() {
  const image = pad.image();
  if (!image) {
    paintDigit(seen, new Float32Array(784));
    showProbabilities(null);
    return;
  }
  paintDigit(seen, image);
  if (inFlight) {
    pending = true;
    return;
  }
  inFlight = true;
  send({ type: 'predict', id: ++predictId, pixels: image }, [image.buffer]);
}

const pad = new DrawPad($<HTMLCanvasElement>('pad'), predict);
buttons.clear.addEventListener('click', () => {
  pad.clear();
  predict();
});
let sampleIndex = 0;
buttons.sample.addEventListener('click', () => send({ type: 'sample', index: sampleIndex++ }));

// ---- the mistakes ----

function showMistakes(images: MistakeImage[], count: number, step: number) {
  const list = $<HTMLUListElement>('mistakes');
  list.replaceChildren(
    ...images.map((m) => {
      const li = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.setAttribute(
        'aria-label',
        `Test image ${m.index}: a ${m.label}, read as ${m.predicted}`,
      );
      const canvas = document.createElement('canvas');
      paintDigit(canvas, m.pixels, 255);
      const caption = document.createElement('span');
      caption.textContent = `${m.label} → ${m.predicted}`;
      button.append(canvas, caption);
      button.addEventListener('click', () => {
        pad.show(m.pixels);
        predict();
      });
      li.append(button);
      return li;
    }),
  );
  $('mistakes-caption').textContent = images.length
    ? `The first ${images.length} of the test digits the network got wrong at step ${step} (of the first ${count.toLocaleString('en')}), as “true → read”. Choose one to put it on the drawing pad.`
    : `No mistakes among the first ${count.toLocaleString('en')} test images at step ${step}.`;
}

// ---- the worker's reports ----

function onReport(m: PageReport<PageConfig, ChunkResult, AppReport>) {
  switch (m.type) {
    case 'model':
      for (const c of Object.values(curves)) c.length = 0;
      for (const id of ['step', 'epoch', 'speed', 'loss', 'train-accuracy', 'test-accuracy'])
        $(id).textContent = id === 'step' ? '0' : id === 'epoch' ? '0.00' : '–';
      $('test-accuracy').dataset.step = '-1';
      drawCharts();
      return predict();
    case 'progress':
      $('step').textContent = m.step.toLocaleString('en');
      $('epoch').textContent = m.epoch.toFixed(2);
      $('speed').textContent = Math.round(m.imagesPerSecond).toLocaleString('en');
      $('loss').textContent = m.loss.toFixed(3);
      $('train-accuracy').textContent = pct(m.accuracy);
      appendPoint(curves.loss, [m.step, m.loss]);
      appendPoint(curves.trainAccuracy, [m.step, 100 * m.accuracy]);
      return drawCharts();
    case 'evaluation': {
      const acc = $('test-accuracy');
      acc.textContent = pct(m.accuracy);
      acc.dataset.step = String(m.step);
      acc.dataset.accuracy = String(m.accuracy);
      $('test-detail').textContent =
        `Test accuracy on the first ${m.count.toLocaleString('en')} test images, at step ${m.step}` +
        (m.full ? ` (epoch ${Math.round(m.epoch)}).` : '; all 10,000 at the end of each epoch.');
      appendPoint(m.full ? curves.epochAccuracy : curves.testAccuracy, [m.step, 100 * m.accuracy]);
      showMistakes(m.images, m.count, m.step);
      drawCharts();
      return predict(); // the drawing's probabilities follow the training
    }
    case 'prediction':
      inFlight = false;
      if (pending) {
        pending = false;
        return predict();
      }
      if (m.id === predictId && pad.image()) showProbabilities(m.probs);
      return;
    case 'sample':
      pad.show(m.pixels);
      return predict();
  }
}

shell.start();
drawCharts();
