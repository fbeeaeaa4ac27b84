// The messages between the page and its training worker.
import type { WebBackendName } from 'app-kit/web';
import type { PageConfig } from './config.js';
import type { ChunkResult, Evaluation } from './session.js';

export type ToWorker =
  /** Load MNIST from `dataUrl` (the folder of the `.gz` files), then make a model. */
  | { type: 'init'; dataUrl: string; config: PageConfig; backend: WebBackendName }
  /** Stop, and start over with a new model (and backend). */
  | { type: 'reset'; config: PageConfig; backend: WebBackendName }
  /** Train until stopped; a model not yet trained is first rebuilt when `config` differs. */
  | { type: 'train'; config: PageConfig; backend: WebBackendName }
  | { type: 'stop' }
  /** Probabilities for a 28 × 28 image (ink = 1). */
  | { type: 'predict'; id: number; pixels: Float32Array }
  /** A test image, for the drawing pad. */
  | { type: 'sample'; index: number };

/** A misclassified test digit, with its pixels (bytes, 0 = background). */
export interface MistakeImage {
  index: number;
  label: number;
  predicted: number;
  pixels: Uint8Array;
}

export type FromWorker =
  | { type: 'status'; text: string }
  | { type: 'ready'; train: number; test: number }
  | { type: 'backend'; name: WebBackendName; note?: string }
  /** A new model, not trained yet. */
  | { type: 'model'; config: PageConfig }
  | { type: 'running'; running: boolean }
  | ({ type: 'progress'; imagesPerSecond: number } & ChunkResult)
  | ({ type: 'evaluation'; full: boolean; images: MistakeImage[] } & Omit<Evaluation, 'mistakes'>)
  | { type: 'prediction'; id: number; probs: number[] }
  | { type: 'sample'; index: number; label: number; pixels: Uint8Array }
  | { type: 'error'; message: string };
