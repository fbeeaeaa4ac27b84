// What the page's form sets (no imports: the page's own bundle includes this, not the library).

/** Model sizes the page offers: Transformer blocks (or LSTM layers), heads, width, context. */
export const SIZES = {
  tiny: { layers: 1, heads: 2, dim: 32, context: 16 },
  small: { layers: 2, heads: 4, dim: 64, context: 32 },
  medium: { layers: 4, heads: 4, dim: 128, context: 64 },
} as const;

export interface PageConfig {
  data: 'names' | 'moby-dick';
  model: 'gpt' | 'lstm';
  size: keyof typeof SIZES;
  /** Peak learning rate of AdamW. */
  lr: number;
  /** Windows per step. */
  batchSize: number;
  /** Steps of the schedule: warm-up, then a cosine to a tenth of `lr` at this step. */
  steps: number;
  /** Characters in each sample. */
  sampleLength: number;
  seed: number;
}

export const DEFAULT_CONFIG: PageConfig = {
  data: 'names',
  model: 'gpt',
  size: 'small',
  lr: 3e-3,
  batchSize: 32,
  steps: 3000,
  sampleLength: 200,
  seed: 1,
};
