// The messages between the page and its training worker: app-kit's training worker's, and the
// accuracies this page's worker measures.
import type { TrainerReport, TrainerRequest } from 'app-kit/web';
import type { RaceConfig, Runner } from './config.js';
import type { RaceChunk } from './race.js';

export type ToWorker = TrainerRequest<RaceConfig>;

/** The page's own report: each network's accuracy on the first `count` test images. */
export type AppReport = {
  type: 'accuracy';
  step: number;
  count: number;
  accuracy: Record<Runner, number>;
};

export type FromWorker = TrainerReport<RaceConfig, RaceChunk> | AppReport;
