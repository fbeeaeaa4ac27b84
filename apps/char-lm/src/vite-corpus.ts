// A Vite plugin that serves the app's corpora with the page: `corpus/names.json` and
// `corpus/moby-dick.json` ({ train, validation }, split exactly as on the command line), from memory
// in `vite dev` and as assets of the build, so any static host serves them. Node only.
import type { Plugin } from 'vite';
import { type DatasetName, DATASETS, loadCorpus } from './datasets.js';

/** The JSON the page fetches for one corpus. */
async function corpusJson(name: DatasetName): Promise<string> {
  const c = await loadCorpus(name);
  return JSON.stringify({ train: c.train, validation: c.validation });
}

export function corpusAssets(): Plugin {
  const files = new Map<DatasetName, Promise<string>>();
  const load = (name: DatasetName) => {
    if (!files.has(name)) files.set(name, corpusJson(name));
    return files.get(name)!;
  };
  return {
    name: 'char-lm-corpus-assets',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const name = /\/corpus\/([\w-]+)\.json(\?.*)?$/.exec(req.url ?? '')?.[1];
        if (!name || !(DATASETS as readonly string[]).includes(name)) return next();
        load(name as DatasetName).then(
          (json) => {
            res.setHeader('Content-Type', 'application/json');
            res.end(json);
          },
          (err: unknown) => next(err),
        );
      });
    },
    async generateBundle() {
      for (const name of DATASETS)
        this.emitFile({ type: 'asset', fileName: `corpus/${name}.json`, source: await load(name) });
    },
  };
}
