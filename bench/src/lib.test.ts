import { describe, expect, it } from 'vitest';
import { machine, markdownTable, median, timeIt } from './lib.js';

describe('bench helpers', () => {
  it('median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('timeIt calls the function and reports positive times', () => {
    let calls = 0;
    const t = timeIt(() => void calls++, { minSampleMs: 1, samples: 3, budgetMs: 50 });
    expect(calls).toBeGreaterThan(3);
    expect(t.samplesMs.length).toBeGreaterThanOrEqual(3);
    expect(t.medianMs).toBeGreaterThanOrEqual(0);
  });

  it('markdownTable right-aligns all but the first column', () => {
    expect(markdownTable(['a', 'b'], [['x', '1']])).toBe('| a | b |\n| --- | ---: |\n| x | 1 |');
  });

  it('machine names the CPU and Node', () => {
    const m = machine();
    expect(m.node).toBe(process.version);
    expect(m.cores).toBeGreaterThan(0);
  });
});
