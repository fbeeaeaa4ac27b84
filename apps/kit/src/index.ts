export { type BackendName, selectBackend } from './backend.js';
export {
  OPTIMIZER_PREFIX,
  type OptimizerScalars,
  type OptimizerState,
  packOptimizerState,
  unpackCheckpoint,
} from './checkpoint.js';
export { type Flag, parseFlags, type Parsed, usage, UsageError } from './flags.js';
export { escapeHtml, htmlPage, type HtmlPageOptions, htmlTable } from './html.js';
export { Progress, type ProgressSink } from './progress.js';
export {
  barChart,
  type BarChartOptions,
  type ChartOptions,
  type LegendPosition,
  lineChart,
  niceTicks,
  PALETTE,
  type Series,
} from './svg.js';
