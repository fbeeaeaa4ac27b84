// The CommonJS half of a package's dual build, run by each library's `build` after tsc has written
// the ES modules and their declarations to dist/. It writes dist/cjs/: the same modules converted to
// CommonJS by esbuild (one file per file, no bundling: tsc stays the only TypeScript compiler), a
// package.json saying {"type": "commonjs"}, and a copy of the declarations, which that package.json
// makes CommonJS declarations for TypeScript's node16/nodenext resolution.
//
// Why a CommonJS build at all: `require()` of an ES module works by default only from Node 20.19
// and 22.12 on; our engines say Node >= 20, and a fresh `npm init -y` project is CommonJS. The
// exports maps send `require` here and `import` to dist/. A process that loads the same package
// both ways gets two copies of it (the dual-package hazard): use one module system per program.
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { build } from 'esbuild';

const dist = 'dist';
const out = join(dist, 'cjs');

async function* walk(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (path !== out) yield* walk(path);
    } else yield path;
  }
}

if (!existsSync(dist)) throw new Error(`build-cjs: no ${dist}/ in ${process.cwd()}; run tsc first`);
await rm(out, { recursive: true, force: true });

const modules = [];
const usesImportMeta = [];
for await (const path of walk(dist)) {
  if (path.endsWith('.d.ts') || path.endsWith('.d.ts.map')) {
    // The declarations as they are; their maps point one folder further up.
    const target = join(out, relative(dist, path));
    await mkdir(join(target, '..'), { recursive: true });
    if (path.endsWith('.map')) {
      const map = JSON.parse(await readFile(path, 'utf8'));
      map.sources = map.sources.map((s) => '../' + s);
      await writeFile(target, JSON.stringify(map));
    } else await cp(path, target);
  } else if (path.endsWith('.js')) {
    ((await readFile(path, 'utf8')).includes('import.meta') ? usesImportMeta : modules).push(path);
  }
}

const common = {
  outdir: out,
  outbase: dist,
  format: 'cjs',
  platform: 'neutral',
  target: 'es2022',
  bundle: false,
  logLevel: 'warning',
  // Relative specifiers keep their .js: inside dist/cjs they name the CommonJS files.
};
await build({ ...common, entryPoints: modules });
// import.meta.url has no CommonJS form: these files get the file URL of their own CommonJS file.
if (usesImportMeta.length > 0)
  await build({
    ...common,
    entryPoints: usesImportMeta,
    define: { 'import.meta.url': '__nablaModuleUrl' },
    banner: {
      js: "'use strict';\nconst __nablaModuleUrl = require('node:url').pathToFileURL(__filename).href;",
    },
  });
await writeFile(join(out, 'package.json'), JSON.stringify({ type: 'commonjs' }, null, 2) + '\n');
