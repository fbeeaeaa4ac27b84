import {
  barChart,
  escapeHtml,
  htmlPage,
  htmlTable,
  lineChart,
  PALETTE,
  type Series,
} from 'app-kit';
import type { Results } from './experiment.js';
import { INIT_LABELS, INIT_SHORT } from './model.js';
import type { Study } from './options.js';
import type { RunResult } from './train.js';

const DASHES = ['', '8 4', '2 3', '10 3 2 3', '4 2'];
const sci = (v: number) => (Number.isFinite(v) ? v.toExponential(2) : '–');
const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
const spread = (norms: readonly number[]) => Math.max(...norms) / Math.min(...norms);
const last = (r: RunResult) => r.history[r.history.length - 1]!;

/** The name of a run within a study: what that study varies. */
function variantName(study: Study, r: RunResult): string {
  if (study === 'depth') return `${r.depth} hidden layers`;
  if (study === 'activation') return `${r.activation} (${INIT_SHORT[r.init]})`;
  if (study === 'init') return INIT_SHORT[r.init];
  return r.pretrain ? 'pre-trained' : 'random init';
}

/** A run's name among every variant of the deepest net. */
const fullName = (r: RunResult) =>
  `${r.activation}, ${INIT_SHORT[r.init]}${r.pretrain ? ', pre-trained' : ''}`;

/** ‖∂C/∂b^l‖ against epoch for each hidden layer: colour = layer, dash = variant. */
function layerChart(title: string, runs: readonly { run: RunResult; name: string }[]): string {
  const series: Series[] = runs.flatMap(({ run, name }, v) =>
    run.history[0]!.gradNorms.map((_, l) => ({
      name: runs.length > 1 ? `layer ${l + 1} · ${name}` : `hidden layer ${l + 1}`,
      color: PALETTE[l % PALETTE.length]!,
      dash: DASHES[v % DASHES.length]!,
      points: run.history.map((h) => [h.epoch, h.gradNorms[l]!] as const),
    })),
  );
  return lineChart({
    title,
    xLabel: 'epoch (0 = at initialisation)',
    yLabel: '‖∂C/∂b^l‖',
    logY: true,
    integerX: true,
    series,
    width: 760,
    height: Math.max(420, 60 + 18 * series.length),
  });
}

export interface Rendered {
  /** File name → SVG text. */
  charts: Record<string, string>;
  html: string;
}

/** The charts and the self-contained HTML report of `r`. */
export function renderReport(r: Results): Rendered {
  const runsOf = (s: Study) => (r.studies[s] ?? []).map((k) => r.runs[k]!);
  const charts: Record<string, string> = {};
  const figures: Partial<Record<Study, string[]>> = {};
  const add = (study: Study, file: string, svg: string, caption: string) => {
    charts[file] = svg;
    (figures[study] ??= []).push(
      `<figure>${svg}<figcaption>${caption} (<code>${file}</code>)</figcaption></figure>`,
    );
  };

  for (const run of runsOf('depth'))
    add(
      'depth',
      `depth-${run.depth}.svg`,
      layerChart(`Sigmoid ${netName(run)}: speed of learning per hidden layer`, [
        { run, name: '' },
      ]),
      `‖∂C/∂b^l‖ of each hidden layer of the sigmoid net ${netName(run)}, on the fixed batch.`,
    );
  for (const study of ['activation', 'init', 'pretrain'] as const) {
    const runs = runsOf(study);
    if (!runs.length) continue;
    const title = {
      activation: 'Activation functions',
      init: 'Weight initialisations (sigmoid)',
      pretrain: 'Pre-training vs random init (sigmoid)',
    }[study];
    add(
      study,
      `${study}.svg`,
      layerChart(
        `${title}, ${netName(runs[0]!)}`,
        runs.map((run) => ({ run, name: variantName(study, run) })),
      ),
      `${title}: colour = hidden layer, dash pattern = variant.`,
    );
  }

  // every variant of the deepest net, at initialisation, side by side; and their test accuracy
  const variants = new Map<string, { run: RunResult; name: string }>();
  for (const study of ['activation', 'init', 'pretrain'] as const)
    for (const run of runsOf(study)) variants.set(run.key, { run, name: fullName(run) });
  const deep = [...variants.values()];
  if (deep.length) {
    const layers = deep[0]!.run.history[0]!.gradNorms.map((_, l) => `hidden layer ${l + 1}`);
    charts['norms-at-init.svg'] = barChart({
      title: `‖∂C/∂b^l‖ at initialisation, ${netName(deep[0]!.run)}`,
      yLabel: '‖∂C/∂b^l‖',
      logY: true,
      groups: layers,
      series: deep.map(({ run, name }) => ({ name, values: run.history[0]!.gradNorms })),
      width: 800,
    });
    charts['accuracy.svg'] = lineChart({
      title: `Test accuracy, ${netName(deep[0]!.run)}`,
      xLabel: 'epoch',
      yLabel: 'test accuracy',
      integerX: true,
      series: deep.map(({ run, name }) => ({
        name,
        points: run.history.map((h) => [h.epoch, h.testAccuracy] as const),
      })),
      width: 800,
    });
  }

  const s = r.setup;
  const fig = (study: Study) => (figures[study] ?? []).join('\n');
  const body = [
    section('Setup', setupText(r)),
    section('The chain of σ′·w factors', chainText(r)),
    r.studies.depth ? section('Deeper sigmoid nets: early layers learn slowest', depthText(r) + fig('depth')) : '',
    r.studies.activation ? section('Remedy: another activation', activationText(r) + fig('activation')) : '',
    r.studies.init ? section('Weight initialisation', initText(r) + fig('init')) : '',
    r.studies.pretrain ? section('Remedy: greedy layer-wise pre-training', pretrainText(r) + fig('pretrain')) : '',
    deep.length
      ? section(
          'All variants of the deepest net',
          `<figure>${charts['norms-at-init.svg']}<figcaption>The speed of learning of each hidden layer at initialisation, every variant (<code>norms-at-init.svg</code>).</figcaption></figure>
<figure>${charts['accuracy.svg']}<figcaption>Test accuracy (${s.testSize.toLocaleString('en-US')} test images) after each epoch (<code>accuracy.svg</code>).</figcaption></figure>`,
        )
      : '',
    section('How the gradients are read', readingText(r)),
  ].join('\n'); // prettier-ignore
  return {
    charts,
    html: htmlPage({ title: 'The vanishing gradient, measured with Nabla', body }),
  };
}

const section = (title: string, html: string) => `<h2>${escapeHtml(title)}</h2>\n${html}`;
const netName = (r: RunResult) => `[${r.sizes.join(',')}]`;
const p = (html: string) => `<p>${html}</p>`;

function setupText(r: Results): string {
  const s = r.setup;
  const steps = (50_000 * 30) / (s.trainSize * s.epochs);
  return p(
    `Fully connected networks on MNIST, trained as in chapter 5 of Nielsen's <i>Neural Networks and Deep Learning</i>: stochastic gradient descent with mini-batches of ${s.batchSize}, η = ${s.lr}, the cross-entropy cost on a softmax output, L2 regularisation λ = ${s.l2} (the weights shrink by ηλ/n per step), weights N(0, 1/fanIn) and biases N(0, 1) unless a study varies them. ` +
      `${s.quick ? '<b>This is a --quick run</b>: ' : ''}The networks train on the first ${s.trainSize.toLocaleString('en-US')} training images for ${s.epochs} epochs and are tested on ${s.testSize.toLocaleString('en-US')} test images${steps > 1.5 ? `: ${steps.toFixed(1)} times fewer SGD steps than the lecture's depth table (50,000 images × 30 epochs), so the accuracies here stay below its ≈96.5%` : ''}. ` +
      `The <i>speed of learning</i> of hidden layer l is ‖∂C/∂b^l‖, the length of the gradient of the cost with respect to that layer's biases, with C the mean cost over a fixed batch of the first ${s.probeSize.toLocaleString('en-US')} training images; it is measured at initialisation (epoch 0) and after every epoch. Seed ${s.seed}, backend ${escapeHtml(s.backend)}; the whole run took ${(r.seconds / 60).toFixed(1)} minutes.`,
  );
}

function chainText(r: Results): string {
  const c = r.chain;
  const rows: (string | { html: string })[][] = c.terms.map((t) => [
    t.name,
    t.value.toPrecision(6),
  ]);
  rows.push(
    [{ html: '<b>product of the factors</b>' }, c.product.toPrecision(17)],
    [{ html: '<b>autograd ∂C/∂b1</b>' }, c.autograd.toPrecision(17)],
  );
  return [
    p(
      `The lecture's simplest deep network has one sigmoid neuron per layer: a_i = w_i·y_{i−1} + b_i, y_i = σ(a_i). By the chain rule, ∂C/∂b1 = ∂C/∂y4 · σ′(a4)·w4 · σ′(a3)·w3 · σ′(a2)·w2 · σ′(a1). Since σ′(a) = σ(a)(1 − σ(a)) is at most 1/4 (at a = 0), and weights drawn around 0 mostly have |w| &lt; 1, each factor σ′(a)·w is usually below 1/4 in size: the gradient reaching the first layer shrinks geometrically with the number of layers behind it. ` +
        `Below, with w and b drawn from N(0, 1) (seed ${r.setup.seed}), x = ${c.x}, C = ½(y4 − ${c.target})², float64: the factors computed one by one from the forward values, and their product beside the gradient autograd puts in <code>b1.grad</code> after <code>C.backward()</code>. They differ by ${Math.abs(c.product - c.autograd).toExponential(1)}.`,
    ),
    htmlTable(['factor', 'value'], rows),
    p(
      `The same holds layer by layer: δ_i = ∂C/∂a_i, read from autograd with <code>retainGrad()</code>, is ${c.deltas
        .map((d) => `δ${d.layer} = ${d.autograd.toExponential(3)}`)
        .join(
          ', ',
        )}, equal to the products of the factors down to σ′(a_i). Going down the chain, |δ| shrinks by a factor of ${list(
        c.deltas
          .slice(1)
          .map(
            (d, i) =>
              `${Math.abs(d.autograd / c.deltas[i]!.autograd).toFixed(1)} from layer ${d.layer} to ${d.layer - 1}`,
          )
          .reverse(),
      )}.`,
    ),
  ].join('\n');
}

function normsRow(name: string, run: RunResult, extra: (string | number)[] = []) {
  const first = run.history[0]!;
  const end = last(run);
  return [
    name,
    first.gradNorms.map(sci).join(' · '),
    end.gradNorms.map(sci).join(' · '),
    spread(first.gradNorms).toFixed(1),
    spread(end.gradNorms).toFixed(1),
    ...extra,
    pct(end.testAccuracy),
  ];
}

const normsHead = (r: Results, extra: string[] = []) => [
  'network',
  '‖∂C/∂b^l‖ at init, l = 1…',
  `after ${r.setup.epochs} epochs`,
  'max/min at init',
  'max/min at end',
  ...extra,
  'test accuracy',
];

function studyRuns(r: Results, s: Study): RunResult[] {
  return (r.studies[s] ?? []).map((k) => r.runs[k]!);
}

/** The mean factor by which ‖∂C/∂b^l‖ grows from one hidden layer to the next (geometric). */
const perLayer = (g: readonly number[]) => (g[g.length - 1]! / g[0]!) ** (1 / (g.length - 1));
const list = (xs: readonly string[]) =>
  xs.length < 2 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
/** Epochs after which the net was still at chance level on the test set. */
const stuckEpochs = (run: RunResult) =>
  run.history.filter((h) => h.epoch > 0 && h.testAccuracy < 0.2).length;

function depthText(r: Results): string {
  const runs = studyRuns(r, 'depth');
  const E = r.setup.epochs;
  const grows = runs.every((run) =>
    run.history[0]!.gradNorms.every((v, l, a) => l === 0 || v > a[l - 1]!),
  );
  const deepest = runs[runs.length - 1]!;
  const g = deepest.history[0]!.gradNorms;
  const narrowed = runs.filter(
    (run) =>
      run.history[0]!.gradNorms.length > 1 &&
      spread(last(run).gradNorms) < spread(run.history[0]!.gradNorms) / 2 &&
      last(run).testAccuracy > 0.5,
  );
  const stuck = stuckEpochs(deepest);
  return [
    p(
      `At initialisation the hidden layers of every sigmoid net learn at very different speeds${grows ? ', the first hidden layer slowest and each later one faster' : ''}: going one layer towards the output multiplies ‖∂C/∂b^l‖ by about ${list(runs.filter((run) => run.depth > 1).map((run) => `${perLayer(run.history[0]!.gradNorms).toFixed(1)} in ${netName(run)}`))} (geometric means), so the last hidden layer of ${netName(deepest)} starts ${(g[g.length - 1]! / g[0]!).toFixed(0)} times faster than its first. This is the chain of σ′(a)·w factors at work: every layer between b^l and the cost adds one more factor, usually well below 1. ` +
        `After ${E} epochs the ratios of the fastest to the slowest layer are ${list(runs.map((run) => `${spread(last(run).gradNorms).toFixed(1)} (${netName(run)})`))}.` +
        (narrowed.length
          ? ` In ${list(narrowed.map(netName))}, which have learnt, the gap narrows during training, so the lecture's picture of stuck early layers describes above all the start of training, which is when the deeper nets lose their time.`
          : '') +
        (stuck >= 2
          ? ` The deepest net was still at chance level (below 20% test accuracy) after ${stuck} of its ${E} epochs: with its first layers barely moving, its later layers have nothing useful to build on. That plateau is the practical face of the vanishing gradient; how long it lasts depends on the random start.`
          : ''),
    ),
    htmlTable(
      normsHead(r),
      runs.map((run) => normsRow(netName(run), run)),
    ),
  ].join('\n');
}

function activationText(r: Results): string {
  const runs = studyRuns(r, 'activation');
  const relu = runs.find((x) => x.activation === 'relu');
  const sig = runs.find((x) => x.activation === 'sigmoid');
  const ratio =
    relu && sig
      ? ` At initialisation the fastest hidden layer of the sigmoid net learns ${spread(sig.history[0]!.gradNorms).toFixed(0)} times faster than the slowest; with ReLU the ratio is ${spread(relu.history[0]!.gradNorms).toFixed(1)}.`
      : '';
  let dead = '';
  if (relu) {
    const [d0, d1] = [relu.history[0]!.deadUnits, last(relu).deadUnits];
    const sum = (d: number[]) => d.reduce((a, b) => a + b, 0);
    dead =
      ` In this run ${sum(d0)} ReLUs were dead at initialisation (${d0.join(', ')} per layer) and ${sum(d1)} after training (${d1.join(', ')}).` +
      (d1[0]! >= d0[0]! && d0[0]! > 0
        ? ' A dead unit gets no gradient through its own weights: in the first hidden layer, whose inputs are the fixed images, the dead units stayed dead, while units of later layers can come back when the layers below them change their inputs.'
        : '');
  }
  return [
    p(
      `tanh′ is at most 1 and ReLU′ is exactly 1 for a unit that is on, so the factors of the chain no longer shrink by a quarter per layer.${ratio} ReLU pays with <i>dead units</i>: a unit whose input is negative for every image outputs 0 and passes no gradient. The table counts, per hidden layer, the units whose activation is 0 on all ${r.setup.probeSize.toLocaleString('en-US')} images of the fixed batch.${dead} The sigmoid and tanh nets use Nielsen's N(0, 1/fanIn) weights, the ReLU net He's N(0, 2/fanIn); all biases are N(0, 1), which is what leaves some ReLUs dead from the start.`,
    ),
    htmlTable(
      normsHead(r, ['dead units at init', 'dead units at end']),
      runs.map((run) =>
        normsRow(run.activation, run, [
          run.history[0]!.deadUnits.join(' · '),
          last(run).deadUnits.join(' · '),
        ]),
      ),
    ),
  ].join('\n');
}

function initText(r: Results): string {
  const runs = studyRuns(r, 'init');
  const bySpread = [...runs].sort(
    (a, b) => spread(a.history[0]!.gradNorms) - spread(b.history[0]!.gradNorms),
  );
  return [
    p(
      `The gradient of an early layer is a product of σ′(a)·w factors, so the scale of the weights matters as much as σ′ ≤ 1/4. From the smallest gap between the layers to the largest, the fastest/slowest ratio at initialisation is ${list(bySpread.map((run) => `${spread(run.history[0]!.gradNorms).toFixed(0)} for ${INIT_SHORT[run.init]} (test accuracy ${pct(last(run).testAccuracy)} after ${r.setup.epochs} epochs)`))}. ` +
        `Larger weights offset σ′ ≤ 1/4 in the product, but they are no cure: a large w also makes a large, and σ′(a) then falls towards 0 (saturation), so σ′(a)·w can stay near 1 only in a narrow band. Nielsen (chapter 5) calls this the <i>unstable</i> gradient problem: the gradient of an early layer is a product of many terms and vanishes or explodes unless they happen to balance. The scaled initialisations (1/fanIn, Xavier, He) are designed to keep a near 0 and the signal's variance steady, which suits tanh and ReLU; with the sigmoid they leave the vanishing gradient in place.`,
    ),
    htmlTable(
      normsHead(r),
      runs.map((run) => normsRow(INIT_LABELS[run.init], run)),
    ),
  ].join('\n');
}

function pretrainText(r: Results): string {
  const runs = studyRuns(r, 'pretrain');
  const [random, pre] = [runs.find((x) => !x.pretrain), runs.find((x) => x.pretrain)];
  if (!random || !pre) return '';
  const diff = last(pre).testAccuracy - last(random).testAccuracy;
  const first = (run: RunResult) => run.history[1]?.testAccuracy ?? NaN;
  return [
    p(
      `When the early layers cannot escape their random start, start them somewhere better. Each hidden layer in turn is the encoder of an autoencoder (Linear + sigmoid, then a linear decoder) trained for ${r.setup.pretrainEpochs} epoch${r.setup.pretrainEpochs > 1 ? 's' : ''} with Adam to reconstruct its input (the images, then the previous layer's codes) under the mean squared error; its weights and biases are copied into the deep net, whose output layer stays random, and the whole net is then fine-tuned exactly like the random one, for the same ${r.setup.epochs} epochs. ` +
        `After one epoch the pre-trained net reaches ${pct(first(pre))} against ${pct(first(random))}; after ${r.setup.epochs} epochs ${pct(last(pre).testAccuracy)} against ${pct(last(random).testAccuracy)} (${diff >= 0 ? '+' : '−'}${(100 * Math.abs(diff)).toFixed(2)} points). The autoencoders' final reconstruction errors were ${(pre.pretrainLoss ?? []).map((v) => v.toFixed(4)).join(', ')}; pre-training took ${(pre.pretrainSeconds ?? 0).toFixed(1)} s. Epoch 0 of the pre-trained net is measured after pre-training, before fine-tuning.`,
    ),
    htmlTable(normsHead(r), [normsRow('random init', random), normsRow('pre-trained', pre)]),
  ].join('\n');
}

function readingText(r: Results): string {
  const worst = Math.max(
    ...Object.values(r.runs).flatMap((run) => run.history.map((h) => h.deltaMismatch)),
  );
  return p(
    `Nothing here re-derives back-propagation. After <code>loss.backward()</code> on the fixed batch, each Linear layer's <code>bias.grad</code> is ∂C/∂b^l. As a cross-check, each pre-activation a^l keeps its gradient δ^l = ∂C/∂a^l with <code>retainGrad()</code>, and a hook registered with <code>registerHook</code> records it too; since b^l is added to every row of the batch, ∂C/∂b^l = Σ over the batch of δ^l. Over every measurement of this run the largest difference between the bias gradient and either sum, relative to ‖∂C/∂b^l‖, was ${worst.toExponential(1)}. The raw numbers are in <code>results.json</code>.`,
  );
}
