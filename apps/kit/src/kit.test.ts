import { describe, expect, test } from 'vitest';
import { BackendError, getBackend, useBackend } from '@nablajs/tensor';
import {
  barChart,
  escapeHtml,
  htmlPage,
  htmlTable,
  lineChart,
  niceTicks,
  PALETTE,
  parseFlags,
  Progress,
  selectBackend,
  usage,
  UsageError,
} from './index.js';

const spec = {
  epochs: { kind: 'int', default: 30, help: 'epochs', min: 1 },
  lr: { kind: 'float', default: 0.5, help: 'learning rate' },
  hidden: { kind: 'list', default: [30], help: 'hidden sizes' },
  activation: {
    kind: 'string',
    default: 'sigmoid',
    choices: ['sigmoid', 'relu'],
    help: 'activation',
  },
  json: { kind: 'bool', help: 'json' },
  save: { kind: 'string', help: 'path' },
  studies: { kind: 'strings', default: ['a', 'b'], choices: ['a', 'b', 'c'], help: 'studies' },
} as const;

describe('flags', () => {
  test('parses each kind and applies defaults', () => {
    const f = parseFlags(['--epochs', '3', '--hidden', '30,20', '--json', '--lr=0.1'], spec);
    expect(f).toEqual({
      help: false,
      epochs: 3,
      lr: 0.1,
      hidden: [30, 20],
      activation: 'sigmoid',
      json: true,
      save: undefined,
      studies: ['a', 'b'],
    });
  });
  test('a list of names is checked against its choices', () => {
    expect(parseFlags(['--studies', 'c,a'], spec).studies).toEqual(['c', 'a']);
    expect(() => parseFlags(['--studies', 'a,d'], spec)).toThrow(
      "--studies takes some of a, b, c separated by commas, got 'a,d'",
    );
    expect(usage('x', 'y', spec)).toContain('--studies a,b,c');
  });
  test('a negative number is a value, not a flag', () => {
    expect(parseFlags(['--lr', '-0.5', '--epochs', '2'], spec)).toMatchObject({
      lr: -0.5,
      epochs: 2,
    });
    expect(parseFlags(['--lr=-1e-3'], spec).lr).toBe(-0.001);
  });
  test("a leading '--' (from `pnpm start -- --flag`) is ignored", () => {
    expect(parseFlags(['--', '--epochs', '2'], spec).epochs).toBe(2);
  });
  test.each([
    [['--epochs', 'x'], '--epochs takes an integer'],
    [['--epochs', '0'], '--epochs must be at least 1'],
    [['--activation', 'elu'], '--activation must be one of sigmoid, relu'],
    [['--hidden', '30,-1'], '--hidden takes positive integers'],
    [['--nope'], "Unknown option '--nope'"],
    [['--epochs', '-1'], '--epochs must be at least 1, got -1'],
    [['--epochs', '-1.5'], "--epochs takes an integer, got '-1.5'"],
    [['--hidden', '-3'], "--hidden takes positive integers separated by commas, got '-3'"],
    [['--epochs'], "Option '--epochs <value>' argument missing"],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseFlags(argv, spec)).toThrow(UsageError);
    expect(() => parseFlags(argv, spec)).toThrow(message);
  });
  test('usage lists every flag with its default', () => {
    const u = usage('mnist', 'Trains.', spec);
    for (const f of [
      '--epochs N',
      '--hidden N,N,…',
      '--activation sigmoid|relu',
      '--json',
      '--help',
    ])
      expect(u).toContain(f);
    expect(u).toContain('(default 30)');
    // a flag longer than the column widens it for every flag, leaving a gap before its help
    const long = usage('x', 'y', { ...spec, aVeryLongFlagNameIndeed: { kind: 'list', help: 'h' } });
    expect(long).toContain('  --a-very-long-flag-name-indeed N,N,…  h');
    expect(long).toContain(
      `${'  --epochs N'.padEnd('  --a-very-long-flag-name-indeed N,N,…'.length + 2)}epochs (default 30)`,
    );
  });
});

describe('progress', () => {
  test('draws rate and ETA, and a line per quarter when not a terminal', () => {
    const lines: string[] = [];
    const p = new Progress('train', 100, { isTTY: false, write: (s) => lines.push(s) });
    for (let i = 0; i < 100; i++) p.tick();
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^train \[#{6}\.{18}\] {2}25% 25\/100 · [\d,]+ samples\/s · ETA /);
    expect(p.line()).toMatch(/100% 100\/100/);
  });
});

describe('svg', () => {
  test('nice ticks are round and cover the range', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 30)).toEqual([0, 10, 20, 30]);
  });
  test('a chart has a path per series, a legend and escaped text', () => {
    const svg = lineChart({
      title: 'a < b',
      xLabel: 'epoch',
      yLabel: 'norm',
      logY: true,
      series: [
        {
          name: 'layer 1',
          points: [
            [0, 0.001],
            [1, 0.01],
          ],
        },
        {
          name: 'layer 2',
          points: [
            [0, 0.1],
            [1, 1],
          ],
        },
      ],
    });
    expect(svg.match(/<path /g)).toHaveLength(2);
    expect(svg).toContain('a &lt; b');
    expect(svg).toContain('>layer 2</text>');
    expect(svg).toContain('(log scale)');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  });
  test('series may set their colour and dash pattern', () => {
    const svg = lineChart({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        { name: 'a', color: '#123456', dash: '6 3', points: [[0, 1], [1, 2]] },
        { name: 'b', points: [[0, 2], [1, 3]] },
      ],
    }); // prettier-ignore
    expect(svg).toContain(
      '<path d="M70.0,370.0L550.0,205.0" fill="none" stroke="#123456" stroke-width="2" stroke-dasharray="6 3"/>',
    );
    // the legend line repeats the dash; the second series takes the palette's second colour
    expect(svg.match(/stroke-dasharray="6 3"/g)).toHaveLength(2);
    expect(svg).toContain(`stroke="${PALETTE[1]}"`);
  });
  test('integer x ticks, and a legend wide enough for long names', () => {
    const name = 'a rather long name for a series, 46 characters';
    const svg = lineChart({
      title: 't',
      xLabel: 'epoch',
      yLabel: 'y',
      integerX: true,
      series: [{ name, points: [[0, 1], [2, 2]] }],
    }); // prettier-ignore
    const xTicks = [...svg.matchAll(/y="386" text-anchor="middle">([^<]+)</g)].map((m) => m[1]);
    expect(xTicks).toEqual(['0', '1', '2']);
    expect(svg).toContain(
      '<rect x="70" y="40" width="297" height="330" fill="none" stroke="#333"/>',
    );
  });
  test('large ticks keep the digits that tell them apart (1.5e+5, not 2e+5 twice)', () => {
    const svg = lineChart({
      title: 't',
      xLabel: 'steps',
      yLabel: 'y',
      series: [{ name: 's', points: [[0, 1], [250_000, 2]] }],
    }); // prettier-ignore
    const xTicks = [...svg.matchAll(/y="386" text-anchor="middle">([^<]+)</g)].map((m) => m[1]);
    expect(xTicks).toEqual(['0', '5e+4', '1e+5', '1.5e+5', '2e+5', '2.5e+5']);
  });

  test('a grouped bar chart has one bar per series and group, on a log axis', () => {
    const svg = barChart({
      title: 'norms',
      yLabel: '‖g‖',
      logY: true,
      groups: ['layer 1', 'layer 2'],
      series: [
        { name: 'sigmoid', values: [0.01, 0.1] },
        { name: 'relu', values: [1, 0] }, // 0 cannot be drawn on a log axis
      ],
    });
    expect(
      svg.match(/<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="[\d.]+" fill="[^"]+"><title>/g),
    ).toHaveLength(3);
    expect(svg).toContain('<title>relu · layer 1: 1</title>');
    expect(svg).toContain('>layer 2</text>');
    // ticks at each power of ten from 1e-2 to 1e0; the 0.01 bar is empty, the 1 bar full height
    for (const t of ['>0.01</text>', '>0.1</text>', '>1</text>']) expect(svg).toContain(t);
    expect(svg).toMatch(/height="330\.0" fill="#D55E00"><title>relu · layer 1/);
  });
});

describe('html', () => {
  test('a page is self-contained and escapes its title; tables escape text cells', () => {
    const page = htmlPage({ title: 'a < b', body: '<p>hi</p>' });
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toContain('<title>a &lt; b</title>');
    expect(page).toContain('<p>hi</p>');
    expect(page).not.toMatch(/<(link|script)[ >]/);
    const table = htmlTable(['x', 'y'], [['<1>', 2, { html: '<b>3</b>' }]]);
    expect(table).toContain('<td>&lt;1&gt;</td><td class="num">2</td><td><b>3</b></td>');
    expect(escapeHtml('"&"')).toBe('&quot;&amp;&quot;');
  });
});

describe('backend', () => {
  test('cpu is selected; webgpu is selected where an adapter starts, else a BackendError says why', async () => {
    const b = await selectBackend('cpu');
    expect(getBackend()).toBe(b);
    expect(b.name).toBe('cpu');
    try {
      const gpu = await selectBackend('webgpu');
      expect(getBackend()).toBe(gpu);
      expect(gpu.name).toBe('webgpu');
    } catch (err) {
      // CI has SwiftShader and says so (NABLA_REQUIRE_WEBGPU=1): there, no adapter is a failure
      if (process.env.NABLA_REQUIRE_WEBGPU === '1') throw err;
      expect(err).toBeInstanceOf(BackendError);
      expect((err as Error).message).toContain('no WebGPU adapter was found');
    } finally {
      useBackend(b);
    }
  });
});

describe('svg y range', () => {
  test('a fixed y range leaves out the points outside it', () => {
    const series = [
      {
        name: 'a',
        points: [
          [0, 10],
          [1, 95],
          [2, 96],
        ] as [number, number][],
      },
    ];
    const zoomed = lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series, yRange: [90, 100] });
    expect(zoomed.match(/<circle /g)).toHaveLength(2);
    expect(zoomed).toContain('>90</text>');
    expect(
      lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series }).match(/<circle /g),
    ).toHaveLength(3);
  });
});

describe('svg legend below the plot', () => {
  test('narrow charts put the legend in rows under the plot, leaving the width to the data', () => {
    const series = ['first layer', 'second layer', 'third layer'].map((name, i) => ({
      name,
      points: [
        [0, i],
        [1, i + 1],
      ] as [number, number][],
    }));
    const right = lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series, width: 360 });
    const below = lineChart({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      series,
      width: 360,
      height: 300,
      legend: 'bottom',
      dots: false,
    });
    // the plot's frame: 360 − 70 − 170 = 120 wide with the legend at the right, 360 − 66 − 16 below
    expect(right).toMatch(/<rect x="70" y="40" width="120" /);
    expect(below).toMatch(/<rect x="66" y="40" width="278" /);
    expect(below).not.toContain('<circle ');
    // two entries fit on the first row (52 + 6.5·11 ≈ 124 px and 52 + 6.5·12 = 130 px), the third wraps
    const ys = [...below.matchAll(/<text x="[\d.]+" y="([\d.]+)">(\w+) layer<\/text>/g)].map((m) =>
      Number(m[1]),
    );
    expect(ys).toEqual([268, 268, 288]);
    const bars = barChart({
      title: 't',
      yLabel: 'y',
      groups: ['a'],
      series: series.map((s) => ({ name: s.name, values: [1] })),
      width: 360,
      legend: 'bottom',
    });
    expect(bars).toMatch(/<rect x="12" y="[\d.]+" width="24" height="10"/);
    // a title too long for the width is shrunk (to no less than 11 px) and kept inside it
    const title = '‖∂C/∂b‖ per hidden layer at step 12,345';
    const narrow = lineChart({
      title,
      xLabel: 'x',
      yLabel: 'y',
      series,
      width: 300,
      legend: 'bottom',
    });
    const [, x, size] = /<text x="([\d.]+)" y="22" text-anchor="middle" font-size="([\d.]+)"/.exec(
      narrow,
    )!;
    expect(Number(size)).toBeGreaterThanOrEqual(11);
    expect(Number(size)).toBeLessThan(15);
    expect(Number(x) - 0.3 * Number(size) * title.length).toBeGreaterThanOrEqual(7.9);
    expect(Number(x) + 0.3 * Number(size) * title.length).toBeLessThanOrEqual(292.1);
  });
});
