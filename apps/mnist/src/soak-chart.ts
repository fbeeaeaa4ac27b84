import { lineChart } from 'app-kit';

/** What scripts/soak.ts records after each epoch (the fields the chart reads). */
export interface SoakRecord {
  epoch: number;
  steps: number;
  rssMB: number;
  heapMB: number;
  tensorMB: number;
}

/** The process's RSS, V8's heap and the backend's live tensor bytes after each epoch of a soak. */
export function soakChart(backend: string, records: readonly SoakRecord[]): string {
  const perEpoch = records[0]?.steps ?? 0;
  const series = (name: string, f: (r: SoakRecord) => number) => ({
    name,
    points: records.map((r) => [r.epoch, f(r)] as const),
  });
  return lineChart({
    title: `Memory of a long training run on ${backend} (no dispose, after each epoch)`,
    integerX: true,
    xLabel: `epoch (${perEpoch} mini-batch steps each)`,
    yLabel: 'MB',
    series: [
      series('RSS', (r) => r.rssMB),
      series('V8 heap', (r) => r.heapMB),
      series('live tensors (memory())', (r) => r.tensorMB),
    ],
  });
}
