// The messages between the page and its training worker: app-kit's training worker's, and this
// page's own (validation losses with a sample, samples on request, attention weights).
import type { TrainerReport, TrainerRequest } from 'app-kit/web';
import type { PageConfig } from './config.js';
import type { ChunkResult } from './session.js';

/** How to write a sample (sample.ts's options, and a prompt). */
export interface SampleRequest {
  prompt: string;
  length: number;
  temperature: number;
  topK: number;
  seed: number;
}

/** The page's own requests. */
export type AppRequest =
  | ({ type: 'sample' } & SampleRequest)
  /** The attention weights of one head of one block for `prompt` (GPT only). */
  | { type: 'attention'; prompt: string; layer: number; head: number };

export type ToWorker = TrainerRequest<PageConfig> | AppRequest;

/** The page's own reports. */
export type AppReport =
  /** Validation loss and a sample, at `step`. */
  | { type: 'evaluation'; step: number; validationLoss: number; sample: string }
  | { type: 'sample'; step: number; text: string; request: SampleRequest }
  /** weights[i·n + j]: how much position i attends to position j ≤ i; n = tokens.length. */
  | {
      type: 'attention';
      tokens: string[];
      weights: Float32Array;
      layer: number;
      head: number;
      dropped: string;
    }
  | { type: 'refused'; message: string };

export type FromWorker = TrainerReport<PageConfig, ChunkResult> | AppReport;
