// The page: the race's form, stats and charts (training runs in the worker), and the chain of
// σ′(a)·w with sliders, computed here on the CPU in float64.
import 'app-kit/web/page.css';
import './page.css';
import { cpu } from '@nablajs/backend-cpu';
import { useBackend } from '@nablajs/tensor';
import {
  $,
  appendPoint,
  barChart,
  chartSize,
  lineChart,
  oncePerFrame,
  onWidthChange,
  type PageReport,
  pageShell,
  PALETTE,
} from 'app-kit/web';
import { chainAt, type ChainResult, seededWeights } from '../chain.js';
import { DEFAULT_RACE, type RaceConfig, RUNNERS, type Runner } from './config.js';
import type { AppReport } from './protocol.js';
import type { RaceChunk } from './race.js';

const pct = (v: number) => `${(100 * v).toFixed(1)} %`;
const sci = (v: number) =>
  v === 0 ? '0' : Math.abs(v) >= 0.01 && Math.abs(v) < 1000 ? v.toPrecision(3) : v.toExponential(2);
const LABEL: Record<Runner, string> = { sigmoid: 'sigmoid', relu: 'ReLU' };

// ---- the form and the worker ----

const shell = pageShell<RaceConfig, RaceChunk, never, AppReport>({
  worker: new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }),
  defaults: DEFAULT_RACE,
  locked: ['network'],
  readConfig,
  data: 'mnist/',
  readyText: (m) =>
    `MNIST loaded: the networks train on the first 20,000 of ${m.train.toLocaleString('en')} training images.`,
  onReport,
});
const { field, state } = shell;
/** The hidden layers of the run shown. */
let depth = DEFAULT_RACE.depth;

function readConfig(): RaceConfig {
  const num = (name: string) => field(name).valueAsNumber;
  return {
    ...DEFAULT_RACE,
    depth: num('depth'),
    width: num('width'),
    lr: num('lr'),
    batchSize: num('batchSize'),
  };
}

// ---- the race's charts ----

/** Per network, per hidden layer: ‖∂C/∂b‖ against the step. */
const history: Record<Runner, [number, number][][]> = { sigmoid: [], relu: [] };
const accuracy: Record<Runner, [number, number][]> = { sigmoid: [], relu: [] };
let latest: Record<Runner, number[]> | undefined;
const layerName = (l: number) => `layer ${l + 1}`;

const drawCharts = oncePerFrame(() => {
  const groups = Array.from({ length: depth }, (_, l) => layerName(l));
  const bars = $('bars-chart');
  bars.innerHTML = barChart({
    title: latest ? `‖∂C/∂b‖ per hidden layer at step ${state.step}` : '‖∂C/∂b‖ per hidden layer',
    yLabel: '‖∂C/∂b‖',
    groups,
    series: RUNNERS.map((r, i) => ({
      name: LABEL[r],
      values: latest?.[r] ?? [],
      color: PALETTE[i === 0 ? 1 : 0],
    })),
    logY: true,
    ...chartSize(bars),
  });
  for (const r of RUNNERS) {
    const el = $(`${r}-chart`);
    el.innerHTML = lineChart({
      title: `${LABEL[r]}: ‖∂C/∂b‖ of each hidden layer`,
      xLabel: 'step (mini-batches)',
      yLabel: '‖∂C/∂b‖',
      series: history[r].map((points, l) => ({
        name: layerName(l),
        points,
        color: PALETTE[l % 8],
      })),
      logY: true,
      dots: false,
      ...chartSize(el),
    });
  }
  const acc = $('accuracy-chart');
  acc.innerHTML = lineChart({
    title: 'Test accuracy (1,000 images)',
    xLabel: 'step (mini-batches)',
    yLabel: 'accuracy (%)',
    series: RUNNERS.map((r, i) => ({
      name: LABEL[r],
      points: accuracy[r],
      color: PALETTE[i === 0 ? 1 : 0],
    })),
    yRange: [0, 100],
    ...chartSize(acc),
  });
});

const row = (r: Runner, cell: string) =>
  document.querySelector<HTMLElement>(`#summary tr[data-runner="${r}"] .${cell}`)!;

// ---- the worker's reports ----

function onReport(m: PageReport<RaceConfig, RaceChunk, AppReport>) {
  switch (m.type) {
    case 'model':
      depth = m.config.depth;
      latest = undefined;
      for (const r of RUNNERS) {
        history[r] = Array.from({ length: m.config.depth }, () => []);
        accuracy[r] = [];
        for (const c of ['loss', 'accuracy', 'ratio']) row(r, c).textContent = '–';
      }
      $('step').textContent = '0';
      $('epoch').textContent = '0.00';
      $('speed').textContent = '–';
      document.body.dataset.updates = '0';
      return drawCharts();
    case 'progress':
      latest = m.norms;
      $('step').textContent = m.step.toLocaleString('en');
      $('epoch').textContent = m.epoch.toFixed(2);
      $('speed').textContent = Math.round(m.imagesPerSecond).toLocaleString('en');
      for (const r of RUNNERS) {
        const norms = m.norms[r];
        norms.forEach((v, l) => appendPoint(history[r][l]!, [m.step, v]));
        row(r, 'loss').textContent = m.loss[r].toFixed(3);
        const ratio = norms[norms.length - 1]! / norms[0]!;
        row(r, 'ratio').textContent = `${sci(ratio)}×`;
        row(r, 'ratio').dataset.value = String(ratio);
      }
      document.body.dataset.updates = String(Number(document.body.dataset.updates ?? 0) + 1);
      return drawCharts();
    case 'accuracy':
      for (const r of RUNNERS) {
        appendPoint(accuracy[r], [m.step, 100 * m.accuracy[r]]);
        row(r, 'accuracy').textContent = pct(m.accuracy[r]);
      }
      return drawCharts();
  }
}

// ---- the chain, on this page's thread (CPU, float64) ----

useBackend(cpu());
const chainForm = $<HTMLFormElement>('chain-form');
const [weightSet, biasSet] = Array.from(chainForm.querySelectorAll('fieldset'));
const sliders: Record<'w' | 'b', HTMLInputElement[]> = { w: [], b: [] };
for (const [kind, set] of [
  ['w', weightSet!],
  ['b', biasSet!],
] as const)
  for (let i = 1; i <= 4; i++) {
    const id = `${kind}${i}`;
    const wrap = document.createElement('div');
    wrap.className = 'slider';
    wrap.innerHTML = `<label for="${id}">${kind}<sub>${i}</sub></label><input type="range" id="${id}" min="-6" max="6" step="0.01"><output for="${id}"></output>`;
    set.append(wrap);
    sliders[kind].push(wrap.querySelector('input')!);
  }

/** The chain's weights and biases: exactly the values set (a slider shows them to 0.01). */
const chainValues = { w: [0, 0, 0, 0], b: [0, 0, 0, 0] };

function setChain(w: readonly number[], b: readonly number[]) {
  chainValues.w = [...w];
  chainValues.b = [...b];
  sliders.w.forEach((s, i) => (s.value = String(w[i])));
  sliders.b.forEach((s, i) => (s.value = String(b[i])));
  void showChain();
}

let chainRun = 0;
async function showChain() {
  const run = ++chainRun;
  for (const kind of ['w', 'b'] as const)
    sliders[kind].forEach(
      (s, i) => (s.nextElementSibling!.textContent = chainValues[kind][i]!.toFixed(2)),
    );
  const c: ChainResult = await chainAt(chainValues);
  if (run !== chainRun) return;
  const terms = $('chain-terms');
  terms.innerHTML = c.terms
    .map((t) => `<span class="term"><span class="name">${t.name}</span> ${sci(t.value)}</span>`)
    .join('<span class="times" aria-hidden="true">×</span>');
  const rel = Math.abs(c.product - c.autograd) / Math.max(Math.abs(c.autograd), 1e-300);
  const result = $('chain-result');
  result.dataset.product = String(c.product);
  result.dataset.autograd = String(c.autograd);
  result.textContent = `Product: ∂C/∂b1 = ${sci(c.product)}. Autograd: ${sci(c.autograd)} (relative difference ${rel.toExponential(0)}).`;
  const chart = $('chain-chart');
  chart.innerHTML = barChart({
    title: '|∂C/∂b| of each neuron: the gradient on its way back',
    yLabel: '|∂C/∂b|',
    groups: c.deltas.map((d) => `b${d.layer}`),
    series: [{ name: 'autograd, float64', values: c.deltas.map((d) => Math.abs(d.autograd)) }],
    logY: true,
    ...chartSize(chart, 0.5),
  });
}

for (const kind of ['w', 'b'] as const)
  sliders[kind].forEach((s, i) =>
    s.addEventListener('input', () => {
      chainValues[kind][i] = Number(s.value);
      void showChain();
    }),
  );
const seed = seededWeights(1);
$('chain-seed').addEventListener('click', () => setChain(seed.w, seed.b));
// weights of 5 with biases that hold every a at 0 (x = 1): σ′ = ¼, each factor σ′·w = 1.25
$('chain-large').addEventListener('click', () => setChain([5, 5, 5, 5], [-5, -2.5, -2.5, -2.5]));
setChain(seed.w, seed.b);
onWidthChange($('main'), () => {
  drawCharts();
  void showChain();
});

shell.start();
drawCharts();
