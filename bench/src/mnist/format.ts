// Pure helpers of mnist.bench.ts: summaries of measurements and the results table (tested in
// src/mnist.test.ts).
import { markdownTable, median } from '../lib.js';
import { type Measurement, type Workload, TRAIN_COUNT } from './workloads.js';

/** `x` to `digits` significant digits, without exponent: 0.823, 5.84, 13.2, 84.6, 1234. */
export function sig(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(Math.abs(x))));
  return x.toFixed(decimals);
}

/** Samples per second with thousands separators, to 3 significant digits: 73,200. */
export function rate(samplesPerSecond: number): string {
  if (!Number.isFinite(samplesPerSecond)) return String(samplesPerSecond);
  const magnitude = 10 ** Math.max(0, Math.floor(Math.log10(Math.abs(samplesPerSecond))) - 2);
  return (Math.round(samplesPerSecond / magnitude) * magnitude).toLocaleString('en-US');
}

export interface Summary {
  /** Median seconds per epoch. */
  seconds: number;
  samplesPerSecond: number;
  /** Lowest and highest test accuracy over the timed epochs (0–1). */
  accuracy: [number, number];
  /** Whether every accuracy lies in the workload's expected range. */
  accuracyOk: boolean;
  epochs: number;
}

export function summarize(
  m: Measurement,
  w: Pick<Workload, 'expectedAccuracy'>,
  count = TRAIN_COUNT,
): Summary {
  const seconds = median(m.epochSeconds);
  const lo = Math.min(...m.accuracies);
  const hi = Math.max(...m.accuracies);
  const [low, high] = w.expectedAccuracy;
  return {
    seconds,
    samplesPerSecond: count / seconds,
    accuracy: [lo, hi],
    accuracyOk: lo >= low && hi <= high,
    epochs: m.epochSeconds.length,
  };
}

/** The measurement with the lowest median time (e.g. the best thread count of one peer). */
export function fastest(ms: readonly Measurement[]): Measurement | undefined {
  let best: Measurement | undefined;
  for (const m of ms) if (!best || median(m.epochSeconds) < median(best.epochSeconds)) best = m;
  return best;
}

/** "93.6 %" or "93.6–93.9 %"; a ⚠ when outside the expected range. */
export function accuracyCell(s: Summary): string {
  const [lo, hi] = s.accuracy.map((a) => (a * 100).toFixed(1));
  return `${lo === hi ? lo : `${lo}–${hi}`} %${s.accuracyOk ? '' : ' ⚠'}`;
}

/** Peer time / Nabla time: "7.12×" (the peer is slower) or "0.14×" (faster). */
export function ratioCell(peerSeconds: number, nablaSeconds: number): string {
  return `${sig(peerSeconds / nablaSeconds, 3)}×`;
}

/** One row of the table: a peer's name and, per workload, its measurement (if it ran). */
export interface Row {
  name: string;
  cells: (Measurement | undefined)[];
  /** Appended to the time cell of each workload, e.g. "1 thread" for the best PyTorch setting. */
  notes?: (string | undefined)[];
}

/**
 * The results table: a row per peer; per workload, the median s/epoch with samples/s, the ratio to
 * Nabla's time (the row named `nabla`), and the test accuracy.
 */
export function resultsTable(
  workloads: readonly Pick<Workload, 'id' | 'expectedAccuracy'>[],
  rows: readonly Row[],
  nabla: string,
): string {
  const header = ['peer'];
  for (const w of workloads)
    header.push(`${w.id} s/epoch (samples/s)`, `${w.id} ÷ Nabla`, `${w.id} test acc.`);
  const base = rows.find((r) => r.name === nabla);
  const body = rows.map((r) => {
    const cells = [r.name];
    workloads.forEach((w, i) => {
      const m = r.cells[i];
      if (!m) {
        cells.push('—', '—', '—');
        return;
      }
      const s = summarize(m, w);
      const note = [r.notes?.[i], s.epochs === 1 ? '1 epoch' : undefined]
        .filter(Boolean)
        .join(', ');
      cells.push(`${sig(s.seconds)} (${rate(s.samplesPerSecond)})${note ? ` [${note}]` : ''}`);
      const b = base?.cells[i];
      cells.push(b ? ratioCell(s.seconds, median(b.epochSeconds)) : '—');
      cells.push(accuracyCell(s));
    });
    return cells;
  });
  return markdownTable(header, body);
}

/** Every measurement: each epoch's time and accuracy, and the warm-up. */
export function detailTable(ms: readonly Measurement[]): string {
  return markdownTable(
    [
      'peer',
      'workload',
      's per timed epoch',
      'median s',
      'test accuracy %',
      'warm-up s (50 batches)',
    ],
    ms.map((m) => [
      m.peer,
      m.workload,
      m.epochSeconds.map((s) => sig(s)).join(', '),
      sig(median(m.epochSeconds)),
      m.accuracies.map((a) => (a * 100).toFixed(2)).join(', '),
      sig(m.warmupSeconds),
    ]),
  );
}
