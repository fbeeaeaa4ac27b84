export { type Flag, parseFlags, type Parsed, usage, UsageError } from './flags.js';
export { Progress, type ProgressSink } from './progress.js';
export { type ChartOptions, lineChart, niceTicks, type Series } from './svg.js';
