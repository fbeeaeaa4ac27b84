// TypeDoc: the API reference of every published package, as Markdown under api/ for VitePress.
// Entry points are found, not listed: each non-private package with a src/index.ts, so a new package
// is documented (and its undocumented exports fail the build) as soon as it has an entry point.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../packages/', import.meta.url));
const packages = readdirSync(root)
  .map((dir) => ({ dir: join(root, dir), json: join(root, dir, 'package.json') }))
  .filter(({ dir, json }) => existsSync(json) && existsSync(join(dir, 'src/index.ts')))
  .map(({ dir, json }) => ({ dir, ...JSON.parse(readFileSync(json, 'utf8')) }))
  .filter((pkg) => !pkg.private);

// A symbol is documented under the first entry point that exports it, so a package comes after
// those it depends on: `tensor` owns `Tensor`, and the umbrella `nablajs`, which re-exports, is last.
const ordered = [];
const visit = (pkg) => {
  if (ordered.includes(pkg)) return;
  for (const dep of Object.keys(pkg.dependencies ?? {}))
    for (const p of packages) if (p.name === dep) visit(p);
  ordered.push(pkg);
};
packages.forEach(visit);

/** @type {Partial<import('typedoc').TypeDocOptions & import('typedoc-plugin-markdown').PluginOptions>} */
export default {
  entryPoints: ordered.map((pkg) => join(pkg.dir, 'src/index.ts')),
  tsconfig: './tsconfig.typedoc.json',
  // `pnpm typecheck` checks the types; TypeDoc only reads them.
  skipErrorChecking: true,
  plugin: ['typedoc-plugin-markdown', 'typedoc-vitepress-theme', './typedoc-plugin.js'],
  out: './api',
  docsRoot: '.',
  readme: 'none',
  name: 'API reference',
  excludeInternal: true,
  excludePrivate: true,
  excludeExternals: true,
  // Every export, and every member of an exported class or interface, has a TSDoc comment.
  validation: { notExported: true, invalidLink: true, notDocumented: true },
  packagesRequiringDocumentation: ordered.map((pkg) => pkg.name),
  treatValidationWarningsAsErrors: true,
  hideGenerator: true,
  // Lists as tables with each item's summary: the packages on /api/, the exports on each package's page.
  indexFormat: 'table',
  // No public git remote to link sources to yet.
  disableSources: true,
};
