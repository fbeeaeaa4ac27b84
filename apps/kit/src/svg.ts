/** One line of a chart. */
export interface Series {
  name: string;
  points: readonly (readonly [number, number])[];
  /** CSS colour; default: the palette's next one. */
  color?: string;
  /** SVG stroke-dasharray, e.g. '6 3', to tell apart series that share a colour. */
  dash?: string;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  /** Logarithmic y axis (values must be positive). */
  logY?: boolean;
  /** Only whole numbers on the x axis (epochs, counts). */
  integerX?: boolean;
  /** A fixed y range (linear axes); points outside it are left out. Default: the data's range. */
  yRange?: readonly [number, number];
  width?: number;
  height?: number;
  /** Where the legend goes: at the right (default), or in rows under the plot (narrow screens). */
  legend?: LegendPosition;
  /** A dot on every point (default true); live charts with many points look better without. */
  dots?: boolean;
}

export type LegendPosition = 'right' | 'bottom';

// Okabe–Ito: distinguishable with colour-vision deficiencies.
const COLORS = [
  '#0072B2',
  '#D55E00',
  '#009E73',
  '#CC79A7',
  '#E69F00',
  '#56B4E9',
  '#000000',
  '#F0E442',
];

/** The default palette, in order; exported so callers can colour related series alike. */
export const PALETTE: readonly string[] = COLORS;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Room for the legend at the right: at least 170 px, more for long names (≈ 6.5 px a character). */
const legendWidth = (series: readonly { name: string }[]) =>
  Math.max(170, 54 + Math.ceil(6.5 * Math.max(0, ...series.map((s) => s.name.length))));

interface Legend {
  /** Margins of the plot. */
  m: { l: number; r: number; t: number; b: number };
  /** Where entry i's swatch starts (x) and its centre line (y). */
  at: (i: number) => { x: number; y: number };
}

/**
 * The plot's margins and the legend's entries: a column at the right, or rows that wrap under the
 * plot (below the x-axis label), so a chart a phone's width wide keeps most of its width for data.
 */
function legendLayout(
  series: readonly { name: string }[],
  W: number,
  H: number,
  position: LegendPosition = 'right',
): Legend {
  if (position === 'right') {
    const m = { l: 70, r: legendWidth(series), t: 40, b: 50 };
    const step = Math.min(20, (H - m.t - 10) / Math.max(1, series.length));
    return { m, at: (i) => ({ x: W - m.r + 12, y: m.t + 10 + i * step }) };
  }
  const places: { x: number; row: number }[] = [];
  let [x, row] = [12, 0];
  for (const s of series) {
    const w = 52 + Math.ceil(6.5 * s.name.length);
    if (x > 12 && x + w > W - 8) [x, row] = [12, row + 1];
    places.push({ x, row });
    x += w;
  }
  const rows = series.length ? row + 1 : 0;
  const m = { l: 66, r: 16, t: 40, b: 50 + 20 * rows };
  return { m, at: (i) => ({ x: places[i]!.x, y: H - 20 * rows + 20 * places[i]!.row + 4 }) };
}

/** About five round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** A tick's label: 4 significant digits at most, in exponent form when large or small (with the
 * digits it needs: 1.5e+5 and 2e+5, not 2e+5 twice). */
const fmt = (v: number) =>
  Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3)
    ? Number(v.toPrecision(4)).toExponential()
    : String(Number(v.toPrecision(4)));

/**
 * The opening of a chart: the svg element, a white background and the title, centred over the plot
 * where it fits (≈ 0.6 em a character), else moved and, down to 11 px, shrunk to fit the width.
 */
function frame(W: number, H: number, m: { l: number; r: number }, title: string): string[] {
  const size = Math.max(11, Math.min(15, (W - 16) / (0.6 * title.length)));
  const half = Math.min(0.3 * size * title.length, W / 2 - 8);
  const x = Math.min(Math.max(m.l + (W - m.l - m.r) / 2, half + 8), W - half - 8);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="system-ui, sans-serif" font-size="12" role="img" aria-label="${esc(title)}">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${Number(x.toFixed(1))}" y="22" text-anchor="middle" font-size="${Number(size.toFixed(1))}" font-weight="600">${esc(title)}</text>`,
  ];
}

/** y ticks: each power of ten on a log axis (y0, y1 are exponents there), round values otherwise. */
function yTicks(y0: number, y1: number, logY?: boolean): number[] {
  return logY ? Array.from({ length: y1 - y0 + 1 }, (_, i) => 10 ** (y0 + i)) : niceTicks(y0, y1);
}

/** A self-contained SVG line chart with axes, ticks and a legend. */
export function lineChart(o: ChartOptions): string {
  const W = o.width ?? 720;
  const H = o.height ?? 420;
  const legend = legendLayout(o.series, W, H, o.legend);
  const m = legend.m;
  const shown = ([, y]: readonly [number, number]) =>
    Number.isFinite(y) &&
    (!o.logY || y > 0) &&
    (!o.yRange || (y >= o.yRange[0] && y <= o.yRange[1]));
  const pts = o.series.flatMap((s) => s.points).filter(shown);
  const xs = pts.map(([x]) => x);
  const ty = (y: number) => (o.logY ? Math.log10(y) : y);
  const ys = pts.map(([, y]) => ty(y));
  let [x0, x1] = [Math.min(...xs, 0), Math.max(...xs, 1)];
  let [y0, y1] = o.yRange ?? (ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1]);
  if (o.logY) [y0, y1] = [Math.floor(y0), Math.ceil(y1)];
  if (y1 === y0) [y0, y1] = [y0 - 1, y1 + 1];
  if (x1 === x0) x1 = x0 + 1;
  const px = (x: number) => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const py = (y: number) => H - m.b - ((ty(y) - y0) / (y1 - y0)) * (H - m.t - m.b);
  const xt = niceTicks(x0, x1).filter((t) => !o.integerX || Number.isInteger(t));
  const yt = yTicks(y0, y1, o.logY);
  [x0, x1] = [Math.min(x0, xt[0]!), Math.max(x1, xt[xt.length - 1]!)];
  const out = frame(W, H, m, o.title);
  for (const t of xt)
    out.push(
      `<line x1="${px(t)}" x2="${px(t)}" y1="${m.t}" y2="${H - m.b}" stroke="#eee"/>`,
      `<text x="${px(t)}" y="${H - m.b + 16}" text-anchor="middle">${fmt(t)}</text>`,
    );
  for (const t of yt)
    out.push(
      `<line x1="${m.l}" x2="${W - m.r}" y1="${py(t)}" y2="${py(t)}" stroke="#eee"/>`,
      `<text x="${m.l - 6}" y="${py(t) + 4}" text-anchor="end">${fmt(t)}</text>`,
    );
  out.push(
    `<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#333"/>`,
    `<text x="${(m.l + W - m.r) / 2}" y="${H - m.b + 38}" text-anchor="middle">${esc(o.xLabel)}</text>`,
    `<text transform="translate(16 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}${o.logY ? ' (log scale)' : ''}</text>`,
  );
  o.series.forEach((s, i) => {
    const color = s.color ?? COLORS[i % COLORS.length]!;
    const dash = s.dash ? ` stroke-dasharray="${esc(s.dash)}"` : '';
    const valid = s.points.filter(shown);
    const d = valid
      .map(([x, y], k) => `${k ? 'L' : 'M'}${px(x).toFixed(1)},${py(y).toFixed(1)}`)
      .join('');
    if (d) out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`);
    if (o.dots ?? true)
      for (const [x, y] of valid)
        out.push(
          `<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="2.5" fill="${color}"/>`,
        );
    const { x: lx, y: ly } = legend.at(i);
    out.push(
      `<line x1="${lx}" x2="${lx + 24}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"${dash}/>`,
      `<text x="${lx + 30}" y="${ly + 4}">${esc(s.name)}</text>`,
    );
  });
  out.push('</svg>');
  return out.join('\n');
}

export interface BarChartOptions {
  title: string;
  yLabel: string;
  /** The x-axis categories, e.g. the layers. */
  groups: readonly string[];
  /** One bar per group for each series (the legend); `values[g]` is the bar in group g. */
  series: readonly { name: string; values: readonly number[]; color?: string }[];
  /** Logarithmic y axis (values must be positive; others are left out). */
  logY?: boolean;
  width?: number;
  height?: number;
  /** Where the legend goes: at the right (default), or in rows under the plot. */
  legend?: LegendPosition;
}

/** A self-contained SVG grouped bar chart with a y axis, category labels and a legend. */
export function barChart(o: BarChartOptions): string {
  const W = o.width ?? 720;
  const H = o.height ?? 420;
  const legend = legendLayout(o.series, W, H, o.legend);
  const m = legend.m;
  const ok = (v: number) => Number.isFinite(v) && (!o.logY || v > 0);
  const ty = (v: number) => (o.logY ? Math.log10(v) : v);
  const vals = o.series
    .flatMap((s) => s.values)
    .filter(ok)
    .map(ty);
  let [y0, y1] = vals.length ? [Math.min(...vals), Math.max(...vals)] : [0, 1];
  if (o.logY) [y0, y1] = [Math.floor(y0), Math.ceil(y1)];
  else [y0, y1] = [Math.min(0, y0), Math.max(0, y1)];
  if (y1 === y0) y1 = y0 + 1;
  const yt = yTicks(y0, y1, o.logY);
  if (!o.logY) [y0, y1] = [Math.min(y0, yt[0]!), Math.max(y1, yt[yt.length - 1]!)];
  const py = (v: number) => H - m.b - ((ty(v) - y0) / (y1 - y0)) * (H - m.t - m.b);
  const base = o.logY ? H - m.b : py(0);
  const groupW = (W - m.l - m.r) / Math.max(1, o.groups.length);
  const barW = (groupW * 0.8) / Math.max(1, o.series.length);
  const out = frame(W, H, m, o.title);
  for (const t of yt)
    out.push(
      `<line x1="${m.l}" x2="${W - m.r}" y1="${py(t)}" y2="${py(t)}" stroke="#eee"/>`,
      `<text x="${m.l - 6}" y="${py(t) + 4}" text-anchor="end">${fmt(t)}</text>`,
    );
  o.groups.forEach((g, gi) =>
    out.push(
      `<text x="${(m.l + (gi + 0.5) * groupW).toFixed(1)}" y="${H - m.b + 16}" text-anchor="middle">${esc(g)}</text>`,
    ),
  );
  o.series.forEach((s, si) => {
    const color = s.color ?? COLORS[si % COLORS.length]!;
    s.values.forEach((v, gi) => {
      if (gi >= o.groups.length || !ok(v)) return;
      const x = m.l + gi * groupW + groupW * 0.1 + si * barW;
      const top = Math.min(py(v), base);
      const h = Math.abs(base - py(v));
      out.push(
        `<rect x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${color}"><title>${esc(s.name)} · ${esc(o.groups[gi]!)}: ${fmt(v)}</title></rect>`,
      );
    });
    const { x: lx, y: ly } = legend.at(si);
    out.push(
      `<rect x="${lx}" y="${ly - 5}" width="24" height="10" fill="${color}"/>`,
      `<text x="${lx + 30}" y="${ly + 4}">${esc(s.name)}</text>`,
    );
  });
  out.push(
    `<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#333"/>`,
    `<text transform="translate(16 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}${o.logY ? ' (log scale)' : ''}</text>`,
    '</svg>',
  );
  return out.join('\n');
}
