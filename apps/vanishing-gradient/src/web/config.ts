// What the page's form sets (no imports: the page's own bundle includes this, not the library).

/** The two networks the page trains side by side. */
export const RUNNERS = ['sigmoid', 'relu'] as const;
export type Runner = (typeof RUNNERS)[number];

export interface RaceConfig {
  /** Hidden layers, each `width` units wide. */
  depth: number;
  width: number;
  lr: number;
  batchSize: number;
  /** L2 λ in Nielsen's scaling (λ/n per example), on the weights. */
  l2: number;
  /** Train on the first this many training images. */
  trainImages: number;
  seed: number;
}

/**
 * Nielsen's chapter-5 setup, as the command-line experiment uses it: [784, 30, 30, 30, 30, 10],
 * SGD with mini-batches of 10, η = 0.1, L2 λ = 5, on the first 20,000 training images.
 */
export const DEFAULT_RACE: RaceConfig = {
  depth: 4,
  width: 30,
  lr: 0.1,
  batchSize: 10,
  l2: 5,
  trainImages: 20_000,
  seed: 1,
};
