import { describe, expect, test } from 'vitest';
import { attentionHeatmap, showChar } from './heatmap.js';

describe('attentionHeatmap', () => {
  const tokens = ['\n', 'A', 'n', 'n', 'a'];
  const n = tokens.length;
  // a causal matrix: row i spreads its weight evenly over 0…i
  const weights = Float32Array.from({ length: n * n }, (_, k) =>
    k % n <= Math.floor(k / n) ? 1 / (Math.floor(k / n) + 1) : 0,
  );

  test('one coloured cell per allowed pair, its opacity the weight; masked cells hatched', () => {
    const svg = attentionHeatmap({ tokens, weights, title: 'Block 1, head 1' });
    const shown = [...svg.matchAll(/data-w="([\d.e-]+)"/g)].map((m) => Number(m[1]));
    expect(shown).toHaveLength((n * (n + 1)) / 2);
    expect(shown.slice(0, 3)).toEqual([1, 0.5, 0.5]);
    expect(svg.match(/fill="url\(#masked\)"/g)).toHaveLength((n * (n - 1)) / 2);
    expect(svg).toContain('aria-label="Block 1, head 1"');
  });

  test('labels escape markup and show invisible characters', () => {
    const svg = attentionHeatmap({ tokens: ['<', ' '], weights: [1, 0, 0.5, 0.5], title: 't' });
    expect(svg).toContain('&#60;');
    expect(svg).not.toContain('><<');
    expect(showChar('\n')).toBe('⏎');
    expect(showChar(' ')).toBe('␣');
  });

  test('weights that do not fit the tokens are refused', () => {
    expect(() => attentionHeatmap({ tokens, weights: [1], title: 't' })).toThrow(
      /1 weights for 5 tokens/,
    );
  });
});
