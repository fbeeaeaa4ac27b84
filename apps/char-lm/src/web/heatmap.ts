// Attention weights as an SVG heatmap: row i is what the character at position i looks at, column j
// each character before it (and itself); the darker, the more weight. Above the diagonal, where the
// causal mask forbids looking, cells are hatched grey. Browser-safe, no DOM: a string of SVG.

const escapeXml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A character as a label: visible marks for the line break, the space and the tab. */
export function showChar(c: string): string {
  return c === '\n' ? '⏎' : c === ' ' ? '␣' : c === '\t' ? '⇥' : c;
}

export interface HeatmapOptions {
  tokens: readonly string[];
  /** Row-major [n, n]: weights[i·n + j]. */
  weights: ArrayLike<number>;
  title: string;
  /** The largest cell side in pixels (default 32). */
  cell?: number;
  /** The widest the grid may be, in pixels (default 520). */
  maxWidth?: number;
}

/** An SVG heatmap of `weights` with the tokens along both axes. */
export function attentionHeatmap(o: HeatmapOptions): string {
  const n = o.tokens.length;
  if (o.weights.length !== n * n)
    throw new RangeError(
      `attentionHeatmap: ${o.weights.length} weights for ${n} tokens (need ${n * n})`,
    );
  const s = Math.max(6, Math.min(o.cell ?? 32, Math.floor((o.maxWidth ?? 520) / Math.max(1, n))));
  const label = s >= 12;
  const left = 28;
  const top = 44;
  const size = n * s;
  const font = Math.min(13, s - 2);
  const cells: string[] = [];
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const x = left + j * s;
      const y = top + i * s;
      if (j > i) {
        cells.push(`<rect x="${x}" y="${y}" width="${s}" height="${s}" fill="url(#masked)"/>`);
        continue;
      }
      const w = o.weights[i * n + j]!;
      const tip = `${escapeXml(showChar(o.tokens[i]!))} (${i}) → ${escapeXml(showChar(o.tokens[j]!))} (${j}): ${w.toFixed(3)}`;
      cells.push(
        `<rect x="${x}" y="${y}" width="${s}" height="${s}" fill="#0072B2" fill-opacity="${Math.max(0, Math.min(1, w)).toFixed(3)}" data-w="${w}"><title>${tip}</title></rect>`,
      );
    }
  const axis = (i: number, row: boolean) => {
    const c = escapeXml(showChar(o.tokens[i]!));
    return row
      ? `<text x="${left - 6}" y="${top + i * s + s / 2}" text-anchor="end" dominant-baseline="central">${c}</text>`
      : `<text x="${left + i * s + s / 2}" y="${top - 6}" text-anchor="middle">${c}</text>`;
  };
  const labels = label ? o.tokens.flatMap((_, i) => [axis(i, true), axis(i, false)]) : [];
  // room for the title and the caption however few the tokens
  const width = Math.max(left + size + 8, 360);
  const height = top + size + 8;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(o.title)}" font-family="ui-monospace, monospace" font-size="${font}">`,
    '<defs><pattern id="masked" width="4" height="4" patternUnits="userSpaceOnUse"><rect width="4" height="4" fill="#f3f4f6"/><path d="M0 4L4 0" stroke="#d0d7de" stroke-width="1"/></pattern></defs>',
    `<text x="0" y="14" font-family="system-ui, sans-serif" font-size="13" font-weight="600">${escapeXml(o.title)}</text>`,
    `<text x="${left}" y="30" font-family="system-ui, sans-serif" font-size="11" fill="#57606a">each row: what that character attends to</text>`,
    ...cells,
    `<rect x="${left}" y="${top}" width="${size}" height="${size}" fill="none" stroke="#8c959f"/>`,
    ...labels,
    '</svg>',
  ].join('');
}
