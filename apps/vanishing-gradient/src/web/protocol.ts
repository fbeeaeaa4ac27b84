// The messages between the page and its training worker.
import type { WebBackendName } from 'app-kit/web';
import type { RaceConfig, Runner } from './config.js';
import type { RaceChunk } from './race.js';

export type ToWorker =
  /** Load MNIST from `dataUrl` (the folder of the `.gz` files), then make the two networks. */
  | { type: 'init'; dataUrl: string; config: RaceConfig; backend: WebBackendName }
  /** Stop, and start over with new networks (and backend). */
  | { type: 'reset'; config: RaceConfig; backend: WebBackendName }
  /** Train until stopped; networks not yet trained are first rebuilt when `config` differs. */
  | { type: 'train'; config: RaceConfig; backend: WebBackendName }
  | { type: 'stop' };

export type FromWorker =
  | { type: 'status'; text: string }
  | { type: 'ready'; train: number; test: number }
  | { type: 'backend'; name: WebBackendName; note?: string }
  | { type: 'model'; config: RaceConfig }
  | { type: 'running'; running: boolean }
  | ({ type: 'progress'; imagesPerSecond: number } & RaceChunk)
  | { type: 'accuracy'; step: number; count: number; accuracy: Record<Runner, number> }
  | { type: 'error'; message: string };
