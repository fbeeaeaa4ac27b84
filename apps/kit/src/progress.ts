/** Where progress goes: a terminal gets a redrawn bar, anything else a line every quarter. */
export interface ProgressSink {
  isTTY?: boolean;
  write(s: string): unknown;
}

const fmtTime = (s: number) =>
  s >= 60
    ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`
    : `${s.toFixed(s < 10 ? 1 : 0)}s`;

/** A progress bar with rate and ETA: `train [#######.....] 58% 29,000/50,000 · 41,210 samples/s · ETA 0.5s`. */
export class Progress {
  private readonly start = performance.now();
  private lastDraw = 0;
  private lastQuarter = 0;
  private done = 0;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly sink: ProgressSink = process.stderr,
    private readonly unit = 'samples',
  ) {}

  /** The line as it would be drawn now. */
  line(): string {
    const elapsed = (performance.now() - this.start) / 1000;
    const frac = this.total ? Math.min(1, this.done / this.total) : 1;
    const width = 24;
    const filled = Math.round(frac * width);
    const rate = elapsed > 0 ? this.done / elapsed : 0;
    const eta = rate > 0 ? (this.total - this.done) / rate : 0;
    const n = (x: number) => Math.round(x).toLocaleString('en-US');
    return `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(frac * 100)).padStart(3)}% ${n(this.done)}/${n(this.total)} · ${n(rate)} ${this.unit}/s · ${frac < 1 ? `ETA ${fmtTime(eta)}` : `${fmtTime(elapsed)}`}`;
  }

  /** Advances by `n`; redraws at most 10 times a second. */
  tick(n = 1): void {
    this.done += n;
    const now = performance.now();
    if (this.sink.isTTY) {
      if (now - this.lastDraw > 100 || this.done >= this.total) {
        this.lastDraw = now;
        this.sink.write(`\r${this.line()}\x1b[K`);
      }
    } else {
      const quarter = Math.floor((4 * this.done) / Math.max(1, this.total));
      if (quarter > this.lastQuarter && quarter < 4) {
        this.lastQuarter = quarter;
        this.sink.write(`${this.line()}\n`);
      }
    }
  }

  /** Clears the bar on a terminal (the caller prints the epoch's summary line instead). */
  finish(): void {
    if (this.sink.isTTY) this.sink.write('\r\x1b[K');
  }
}
