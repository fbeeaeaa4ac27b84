// Before the site is built: draws the computation graphs of the samples with Nabla's own toDot
// (rendered to SVG by Graphviz compiled to WebAssembly) into generated/graphs/, writes the table of
// the committed vanishing-gradient run from its results.json, copies that run's report into
// public/ so that the site can link to it, and writes the benchmark tables and the changelog into
// generated/. Everything it writes is ignored by git.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { instance } from '@viz-js/viz';

const docs = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The samples whose `dot` export is drawn, and the picture each becomes. */
export const GRAPHS = {
  'graph-single-layer': 'single-layer.svg',
  'graph-two-layer': 'two-layer.svg',
} as const;

const viz = await instance();
mkdirSync(join(docs, 'generated/graphs'), { recursive: true });
const log = console.log;
console.log = () => {}; // the samples print for their readers
for (const [sample, picture] of Object.entries(GRAPHS)) {
  const { dot } = (await import(`../samples/${sample}.ts`)) as { dot: string };
  // The samples draw left to right, which squeezes a long graph into the page's column (labels of
  // 7 px); top to bottom it fits at its own size, 14 pt labels.
  const svg = viz.renderString(dot.replace('rankdir=LR', 'rankdir=TB; ranksep=0.3'), {
    format: 'svg',
    engine: 'dot',
  });
  writeFileSync(join(docs, 'generated/graphs', picture), svg);
}
console.log = log;

// The vanishing-gradient run, as a Markdown table for lecture/vanishing-gradient.md.
interface Epoch {
  gradNorms: number[];
  testAccuracy: number;
}
const results = join(docs, '../apps/vanishing-gradient/results');
const { runs } = JSON.parse(readFileSync(join(results, 'results.json'), 'utf8')) as {
  runs: Record<string, { label: string; history: Epoch[] }>;
};
const norms = (e: Epoch) => e.gradNorms.map((g) => g.toPrecision(2)).join(' · ');
const percent = (a: number) => `${(100 * a).toFixed(2)} %`;
const rows = Object.values(runs).map(({ label, history }) => {
  const [init, first, last] = [history[0]!, history[1]!, history.at(-1)!];
  const spread = Math.max(...init.gradNorms) / Math.min(...init.gradNorms);
  return `| ${label} | ${norms(init)} | ${norms(last)} | ${spread >= 10 ? spread.toFixed(0) : spread.toFixed(1)} | ${percent(first.testAccuracy)} | ${percent(last.testAccuracy)} |`;
});
const epochs = Object.values(runs)[0]!.history.length - 1;
writeFileSync(
  join(docs, 'generated/vanishing-gradient-table.md'),
  [
    `| network | ‖∂C/∂bˡ‖ at initialisation, l = 1 … L | after ${epochs} epochs | max / min at init | test accuracy, epoch 1 | epoch ${epochs} |`,
    '|---|---|---|---:|---:|---:|',
    ...rows,
  ].join('\n') + '\n',
);

mkdirSync(join(docs, 'public/results/vanishing-gradient'), { recursive: true });
copyFileSync(
  join(results, 'report.html'),
  join(docs, 'public/results/vanishing-gradient/report.html'),
);
// The benchmark tables (bench/results/, written by `pnpm bench`) for guide/performance.md, each
// heading one level down so that they sit under the page's own.
const BENCH_TABLES = ['bench/matmul.md', 'bench/mnist.md', 'bench/gpu.md'];
mkdirSync(join(docs, 'generated/bench'), { recursive: true });
for (const table of BENCH_TABLES) {
  const text = readFileSync(join(docs, '..', table.replace('bench/', 'bench/results/')), 'utf8');
  writeFileSync(join(docs, 'generated', table), text.replace(/^(#+) /gm, '#$1 '));
}

// The changelog: each package's CHANGELOG.md (written by `changeset version` at a release), after
// the changes not released yet (.changeset/*.md).
writeFileSync(join(docs, 'generated/changelog.md'), changelog());

log(
  `prepare: ${Object.keys(GRAPHS).length} graphs drawn, a table written, a report copied, ` +
    `${BENCH_TABLES.length} benchmark tables and the changelog written`,
);

function changelog(): string {
  const root = join(docs, '..');
  const pending = readdirSync(join(root, '.changeset'))
    .filter((f) => f.endsWith('.md') && f !== 'README.md')
    .sort()
    .map((f) => {
      const text = readFileSync(join(root, '.changeset', f), 'utf8');
      const [, front = '', body = ''] = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text) ?? [];
      const bumps = front
        .split('\n')
        .map((line) => /^['"]?([^'":]+)['"]?:\s*(\w+)/.exec(line.trim()))
        .filter((m) => m !== null)
        .map((m) => `\`${m[1]}\` (${m[2]})`);
      return `- ${body.trim().replace(/\n/g, '\n  ')}\n\n  _${bumps.join(', ')}_`;
    });
  const released = readdirSync(join(root, 'packages'))
    .map((dir) => join(root, 'packages', dir, 'CHANGELOG.md'))
    .filter((path) => existsSync(path))
    .map((path) => readFileSync(path, 'utf8').replace(/^(#+) /gm, '#$1 '));
  return [
    '## Not released yet',
    '',
    pending.length ? pending.join('\n\n') : 'Nothing.',
    '',
    ...(released.length ? released : ['## Released', '', 'No release yet.', '']),
  ].join('\n');
}
