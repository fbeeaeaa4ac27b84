import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { type Io, run } from './cli.js';
import type { Results } from './experiment.js';
import { parseOptions } from './options.js';

const capture = () => {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { stdout: (s) => out.push(s), stderr: (s) => err.push(s), progress: null };
  return { io, out, err };
};

describe('command line', () => {
  test('--quick fills the small sizes; explicit flags win', () => {
    const q = parseOptions(['--', '--quick', '--epochs', '3']);
    expect([q.quick, q.trainSize, q.testSize, q.epochs, q.probeSize]).toEqual([true, 1000, 1000, 3, 1000]);
    const full = parseOptions([]);
    expect([full.trainSize, full.epochs, full.depth, full.activation, full.backend]).toEqual([
      20_000, 10, [2, 3, 4], ['sigmoid', 'tanh', 'relu'], 'cpu',
    ]);
    expect(parseOptions(['--train-size', '300']).probeSize).toBe(300);
  }); // prettier-ignore

  test('bad flags are a usage error (exit 2); --help lists the flags', async () => {
    const bad = capture();
    expect(await run(['--activation', 'elu'], bad.io)).toBe(2);
    expect(bad.err.join('')).toContain('--activation takes some of sigmoid, tanh, relu');
    const help = capture();
    expect(await run(['--help'], help.io)).toBe(0);
    for (const f of ['--depth', '--activation', '--epochs', '--backend cpu|webgpu', '--seed', '--quick', '--out'])
      expect(help.out.join('')).toContain(f);
  }); // prettier-ignore

  test('--quick on a tiny subset writes the charts, the report and the JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vanishing-gradient-'));
    const { io, out } = capture();
    const argv = ['--quick', '--train-size', '100', '--test-size', '100', '--epochs', '1',
      '--depth', '2,3', '--out', dir]; // prettier-ignore
    expect(await run(argv, io)).toBe(0);
    const charts = [
      'depth-2',
      'depth-3',
      'activation',
      'init',
      'pretrain',
      'norms-at-init',
      'accuracy',
    ];
    for (const c of charts) {
      const svg = readFileSync(join(dir, `${c}.svg`), 'utf8');
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    }
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html.match(/<svg /g)).toHaveLength(charts.length);
    expect(html).toContain('σ′(a)');
    expect(html).not.toMatch(/<(link|script|img)[ >]/); // self-contained
    const r = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Results;
    expect(r.setup).toMatchObject({ trainSize: 100, testSize: 100, probeSize: 100, epochs: 1 });
    expect(Object.keys(r.runs).sort()).toEqual([
      'relu-3-he', 'sigmoid-2-nielsen', 'sigmoid-3-he', 'sigmoid-3-nielsen',
      'sigmoid-3-nielsen-pretrained', 'sigmoid-3-normal', 'sigmoid-3-xavier', 'tanh-3-nielsen',
    ]); // prettier-ignore
    const deep = r.runs['sigmoid-3-nielsen']!;
    expect(deep.history.map((h) => h.epoch)).toEqual([0, 1]);
    expect(deep.history[0]!.gradNorms).toHaveLength(3);
    expect(r.runs['sigmoid-3-nielsen-pretrained']!.pretrainLoss).toHaveLength(3);
    expect(Math.abs(r.chain.product - r.chain.autograd)).toBeLessThan(1e-15);
    expect(out.join('')).toContain(`wrote 7 charts, report.html and results.json to ${dir}`);
    expect(existsSync(join(dir, 'report.html.tmp'))).toBe(false);
  }, 60_000);
});
