// The messages between the page and its training worker: app-kit's training worker's, and this
// page's own (evaluations, predictions, test images for the drawing pad).
import type { TrainerReport, TrainerRequest } from 'app-kit/web';
import type { PageConfig } from './config.js';
import type { ChunkResult, Evaluation } from './session.js';

/** The page's own requests. */
export type AppRequest =
  /** Probabilities for a 28 × 28 image (ink = 1). */
  | { type: 'predict'; id: number; pixels: Float32Array }
  /** A test image, for the drawing pad. */
  | { type: 'sample'; index: number };

export type ToWorker = TrainerRequest<PageConfig> | AppRequest;

/** A misclassified test digit, with its pixels (bytes, 0 = background). */
export interface MistakeImage {
  index: number;
  label: number;
  predicted: number;
  pixels: Uint8Array;
}

/** The page's own reports. */
export type AppReport =
  | ({ type: 'evaluation'; full: boolean; images: MistakeImage[] } & Omit<Evaluation, 'mistakes'>)
  | { type: 'prediction'; id: number; probs: number[] }
  | { type: 'sample'; index: number; label: number; pixels: Uint8Array };

export type FromWorker = TrainerReport<PageConfig, ChunkResult> | AppReport;
