// Before the site is built: draws the computation graphs of the samples with Nabla's own toDot
// (rendered to SVG by Graphviz compiled to WebAssembly) into generated/graphs/, with the attention
// sample's toMermaid text beside them, writes the table of the committed vanishing-gradient run from
// its results.json, and copies that run's report into public/ so that the site can link to it.
// Everything it writes is ignored by git.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { instance } from '@viz-js/viz';

const docs = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The samples whose `dot` export is drawn, and the picture each becomes. */
export const GRAPHS = {
  'graph-single-layer': 'single-layer.svg',
  'graph-two-layer': 'two-layer.svg',
  'sequence-attention': 'attention.svg',
} as const;

const viz = await instance();
mkdirSync(join(docs, 'generated/graphs'), { recursive: true });
const log = console.log;
console.log = () => {}; // the samples print for their readers
for (const [sample, picture] of Object.entries(GRAPHS)) {
  const { dot } = (await import(`../samples/${sample}.ts`)) as { dot: string };
  const svg = viz.renderString(dot, { format: 'svg', engine: 'dot' });
  writeFileSync(join(docs, 'generated/graphs', picture), svg);
}
// the attention graph as toMermaid writes it, for the Sequence models guide to show
const { mermaid } = (await import('../samples/sequence-attention.ts')) as { mermaid: string };
writeFileSync(
  join(docs, 'generated/graphs/attention-mermaid.md'),
  `\`\`\`mermaid\n${mermaid}\n\`\`\`\n`,
);
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
log(`prepare: ${Object.keys(GRAPHS).length} graphs drawn, a table written, a report copied`);
