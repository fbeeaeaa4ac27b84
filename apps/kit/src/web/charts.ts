import type { LegendPosition } from '../svg.js';

/**
 * The size of a chart drawn into `el`: its width, a height that suits it, and the legend below the
 * plot where the width is too small to give it a column (phones).
 */
export function chartSize(
  el: HTMLElement,
  aspect = 0.62,
): { width: number; height: number; legend: LegendPosition } {
  const width = Math.max(280, Math.min(900, Math.floor(el.clientWidth || 640)));
  const legend: LegendPosition = width < 560 ? 'bottom' : 'right';
  const height = Math.round(
    Math.max(240, Math.min(440, width * aspect)) + (legend === 'bottom' ? 40 : 0),
  );
  return { width, height, legend };
}

/**
 * Adds a point to a live curve; past `max` points, neighbours are averaged in pairs, so a long run
 * keeps its shape in a chart that stays light.
 */
export function appendPoint(points: [number, number][], p: [number, number], max = 800): void {
  points.push(p);
  if (points.length <= max) return;
  const merged: [number, number][] = [];
  for (let i = 0; i + 1 < points.length; i += 2) {
    const [a, b] = [points[i]!, points[i + 1]!];
    merged.push([(a[0] + b[0]) / 2, (a[1] + b[1]) / 2]);
  }
  if (points.length % 2) merged.push(points[points.length - 1]!);
  points.splice(0, points.length, ...merged);
}

/** Calls `redraw` when `el` changes width (charts take their width from their container). */
export function onWidthChange(el: HTMLElement, redraw: () => void): void {
  let width = el.clientWidth;
  new ResizeObserver(() => {
    if (el.clientWidth === width) return;
    width = el.clientWidth;
    redraw();
  }).observe(el);
}

/**
 * `draw`, called at most once per animation frame however often the result is called (a run's
 * messages come faster than the page can redraw its charts).
 */
export function oncePerFrame(draw: () => void): () => void {
  let queued = false;
  return () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      draw();
    });
  };
}
