import { describe, expect, test } from 'vitest';
import { lineChart, niceTicks, parseFlags, Progress, usage, UsageError } from './index.js';

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
    });
  });
  test.each([
    [['--epochs', 'x'], '--epochs takes an integer'],
    [['--epochs', '0'], '--epochs must be at least 1'],
    [['--activation', 'elu'], '--activation must be one of sigmoid, relu'],
    [['--hidden', '30,-1'], '--hidden takes positive integers'],
    [['--nope'], "Unknown option '--nope'"],
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
});
