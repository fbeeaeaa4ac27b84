// What the web pages share. Browser-safe: no Node built-ins.
export { chooseBackend, type ChosenBackend, type WebBackendName } from './backend.js';
export { appendPoint, chartSize, oncePerFrame, onWidthChange } from './charts.js';
export { $, showBackend, showStatus } from './dom.js';
export {
  batchArrays,
  batchTensors,
  type DigitSet,
  fetchMnist,
  MNIST_FILES,
  type MnistBytes,
  PIXELS,
  range,
} from './mnist.js';
export { nextTask, Pacer } from './pace.js';
export {
  formField,
  type PageReport,
  type PageShell,
  pageShell,
  type PageShellOptions,
  type ShellState,
} from './shell.js';
export {
  type ChunkBase,
  type DataSource,
  MNIST_SOURCE,
  type Post,
  sameConfig,
  serveTrainingWorker,
  type TrainerApp,
  type TrainerReport,
  type TrainerRequest,
  trainingWorker,
  type TrainingRun,
} from './training-worker.js';
export {
  barChart,
  type BarChartOptions,
  type ChartOptions,
  type LegendPosition,
  lineChart,
  PALETTE,
  type Series,
} from '../svg.js';
