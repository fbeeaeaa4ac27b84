/** Escapes text for HTML (and SVG) content and attribute values. */
export const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A table; cells are text (escaped) unless given as `{ html }`. */
export function htmlTable(
  head: readonly string[],
  rows: readonly (readonly (string | number | { html: string })[])[],
): string {
  const cell = (c: string | number | { html: string }, tag: 'td' | 'th') =>
    `<${tag}${typeof c === 'number' ? ' class="num"' : ''}>${typeof c === 'object' ? c.html : escapeHtml(String(c))}</${tag}>`;
  return [
    '<table>',
    `<thead><tr>${head.map((h) => cell(h, 'th')).join('')}</tr></thead>`,
    '<tbody>',
    ...rows.map((r) => `<tr>${r.map((c) => cell(c, 'td')).join('')}</tr>`),
    '</tbody>',
    '</table>',
  ].join('\n');
}

export interface HtmlPageOptions {
  title: string;
  /** The page's body, as HTML (charts inline as `<svg>`). */
  body: string;
  /** Extra CSS appended to the built-in style sheet. */
  style?: string;
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#222}
h1,h2,h3{line-height:1.2}figure{margin:1.5rem 0}figure svg{max-width:100%;height:auto}
figcaption{font-size:.9rem;color:#555}table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.25rem .6rem;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}
code{background:#f4f4f4;padding:0 .2rem}`;

/** A self-contained HTML page (no external resources): a report of an experiment. */
export function htmlPage(o: HtmlPageOptions): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(o.title)}</title>`,
    `<style>${STYLE}${o.style ?? ''}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(o.title)}</h1>`,
    o.body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
