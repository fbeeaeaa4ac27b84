// Workload C1 of /work/shared/BENCHMARKING.md: LeNet-5 on MNIST, Adam lr 1e-3, mini-batch 64, one
// epoch over the 60,000 training images in file order, PyTorch's default initialisation.

/** C1, in the shape the MNIST tables take (format.ts). */
export const C1 = {
  id: 'C1' as const,
  batchSize: 64,
  lr: 1e-3,
  /** One epoch in file order: 94.9–96.5 % for every peer here (PyTorch, shuffled: 97.2 %). */
  expectedAccuracy: [0.94, 0.98] as [number, number],
};

/** The one-line description in the results. */
export const DESCRIPTION =
  'LeNet-5: conv(1→6, 5×5, pad 2)–ReLU–maxpool 2–conv(6→16, 5×5)–ReLU–maxpool 2–400–120–84–10 (ReLU), Adam lr 0.001, batch 64';
