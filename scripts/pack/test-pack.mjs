// `pnpm test:pack` (after `pnpm build`): the packages as a user gets them. Packs every published
// package with `pnpm pack`, checks each tarball with @arethetypeswrong (attw), then installs the
// tarballs with npm into scratch projects in the system's temporary folder, outside the workspace:
//   - each package alone, with only what its package.json declares (its @nablajs dependencies from
//     their tarballs, the rest from the registry): loads from an ES module and from CommonJS with
//     the same exports, and its declarations type-check (tsc --strict, skipLibCheck false, nodenext);
//   - the umbrella `nablajs`: one program (autograd, a layer, SGD, MNIST's optional peer) from an
//     ES module and from CommonJS, its values checked; tsc under node16, nodenext and bundler; and a
//     Vite browser bundle, run in headless Chromium where there is one.
// Nothing is written into the workspace. Set NABLA_PACK_KEEP=1 to keep the scratch folder.
import { execFile as execFileCb } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { checkPackage, createPackageFromTarballData } from '@arethetypeswrong/core';
import { problemKindInfo } from '@arethetypeswrong/core/problems';

const execFile = promisify(execFileCb);
const here = fileURLToPath(new URL('.', import.meta.url));
const root = resolve(here, '../..');
const started = performance.now();
let passed = 0;
let failed = 0;

function check(what, ok, detail = '') {
  if (ok) passed++;
  else failed++;
  const at = ((performance.now() - started) / 1000).toFixed(0).padStart(4);
  console.log(`${at} s ${ok ? '✓' : '✗'} ${what}${ok || !detail ? '' : `\n    ${detail}`}`);
}

async function run(cmd, args, cwd, env = {}) {
  try {
    const { stdout } = await execFile(cmd, args, {
      cwd,
      env: { ...process.env, ...env },
      maxBuffer: 1 << 26,
    });
    return { ok: true, out: stdout.trim() };
  } catch (err) {
    return { ok: false, out: `${err.stdout ?? ''}${err.stderr ?? ''}`.trim() || err.message };
  }
}

/** Runs `fn` over `items`, `limit` at a time (2 cores: npm and tsc are mostly waiting or busy). */
async function pool(items, limit, fn) {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (queue.length) await fn(queue.shift());
    }),
  );
}

const scratch = await mkdtemp(join(tmpdir(), 'nabla-pack-'));
if (!relative(root, scratch).startsWith('..'))
  throw new Error(`the scratch folder ${scratch} is inside the workspace ${root}`);
const tarballs = join(scratch, 'tarballs');
await mkdir(tarballs);

// 1. Pack. pnpm writes the workspace:* ranges as the versions they stand for, as `pnpm publish` does.
const packages = [];
for (const dir of await readdir(join(root, 'packages'))) {
  const path = join(root, 'packages', dir);
  const pkg = JSON.parse(await readFile(join(path, 'package.json'), 'utf8'));
  if (pkg.private) continue;
  if (!existsSync(join(path, 'dist/cjs/index.js')))
    throw new Error(`${pkg.name} is not built (no dist/cjs/index.js): run pnpm build first`);
  const packed = await run('pnpm', ['pack', '--pack-destination', tarballs], path);
  if (!packed.ok) throw new Error(`pnpm pack ${pkg.name}: ${packed.out}`);
  const tarball = join(tarballs, basename(packed.out.split('\n').at(-1)));
  packages.push({ name: pkg.name, tarball, deps: Object.keys(pkg.dependencies ?? {}) });
}
const byName = new Map(packages.map((p) => [p.name, p]));
/** A package and the @nablajs packages it needs, transitively (from their package.json). */
function closure(name, seen = new Set()) {
  if (seen.has(name) || !byName.has(name)) return seen;
  seen.add(name);
  for (const dep of byName.get(name).deps) closure(dep, seen);
  return seen;
}

// 2. Are the types wrong? @arethetypeswrong's checks (what `attw <tarball>` runs) of every entry
// point under node10, node16 from CJS and from ESM, and bundler; in this process, so that its
// TypeScript loads once (`npx attw <tarball>` shows the same as a table).
for (const p of packages) {
  const result = await checkPackage(createPackageFromTarballData(await readFile(p.tarball)));
  const problems = result.types ? result.problems : [{ kind: 'NoTypes' }];
  check(
    `attw ${p.name}: ${problems.length} problems`,
    problems.length === 0,
    problems
      .map((x) => `${x.kind}: ${problemKindInfo[x.kind]?.description ?? ''} ${JSON.stringify(x)}`)
      .join('\n    '),
  );
}

// 3. Scratch projects, installed from the tarballs. npm, not pnpm: what most users have.
async function project(name, packageNames) {
  const dir = join(scratch, name);
  await mkdir(dir);
  // what `npm init -y` writes today: a CommonJS project
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({ name: `scratch-${name}`, version: '1.0.0', private: true, type: 'commonjs' }),
  );
  const specs = [...packageNames].map((n) => byName.get(n).tarball);
  const r = await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...specs],
    dir,
  );
  check(`npm install ${name} (${specs.length} tarball${specs.length > 1 ? 's' : ''})`, r.ok, r.out);
  return r.ok ? dir : undefined;
}

async function copyFixture(from, dir, to, pkg) {
  const text = await readFile(join(here, from), 'utf8');
  await writeFile(join(dir, to), pkg ? text.replaceAll('PACKAGE', pkg) : text);
}

async function tsc(dir, label, moduleKind, resolution, files) {
  const config = {
    compilerOptions: {
      strict: true,
      skipLibCheck: false,
      noEmit: true,
      target: 'es2022',
      module: moduleKind,
      moduleResolution: resolution,
    },
    files,
  };
  const name = `tsconfig.${resolution}.json`;
  await writeFile(join(dir, name), JSON.stringify(config, null, 2));
  const r = await run(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', name],
    dir,
  );
  check(`tsc --strict, skipLibCheck false, ${resolution}: ${label}`, r.ok, r.out);
}

const json = (r) => {
  try {
    return JSON.parse(r.out.split('\n').at(-1));
  } catch {
    return undefined;
  }
};

// each package alone
await pool(packages, 3, async (p) => {
  const dir = await project(p.name.replace('@nablajs/', ''), closure(p.name));
  if (!dir) return;
  await copyFixture('solo.mjs', dir, 'solo.mjs', p.name);
  await copyFixture('solo.cjs', dir, 'solo.cjs', p.name);
  await copyFixture('solo.mts', dir, 'solo.mts', p.name);
  await copyFixture('solo.cts', dir, 'solo.cts', p.name);
  const esm = await run(process.execPath, ['solo.mjs'], dir);
  const cjs = await run(process.execPath, ['solo.cjs'], dir);
  const [e, c] = [json(esm), json(cjs)];
  check(`${p.name} loads from ESM (${e?.length ?? 0} exports)`, e?.length > 0, esm.out);
  check(
    `${p.name} loads from CommonJS, the same exports`,
    c?.length > 0 && JSON.stringify(c) === JSON.stringify(e),
    cjs.ok ? `ESM: ${JSON.stringify(e)}\n    CJS: ${JSON.stringify(c)}` : cjs.out,
  );
  await tsc(dir, p.name, 'nodenext', 'nodenext', ['solo.mts', 'solo.cts']);
});

// the umbrella, with every package
const umbrella = await project('umbrella', new Set(packages.map((p) => p.name)));
if (umbrella) {
  for (const f of ['umbrella.mjs', 'umbrella.cjs', 'program.mjs', 'umbrella.mts', 'umbrella.cts'])
    await copyFixture(f, umbrella, f);
  await copyFixture('umbrella.ts', umbrella, 'umbrella.ts');
  const expected = (r) => {
    const v = json(r);
    // d/dx Σx² = 2x; row means of [[1,2,3],[4,5,6]]; SGD lowers the loss; MNIST not installed
    return (
      JSON.stringify(v?.grad) === '[2,4,6]' &&
      JSON.stringify(v?.means) === '[2,5]' &&
      v.lastLoss < v.firstLoss / 10 &&
      v.mnist === 'ERR_MNIST_NOT_INSTALLED'
    );
  };
  for (const file of ['umbrella.mjs', 'umbrella.cjs']) {
    const r = await run(process.execPath, [file], umbrella);
    check(`nablajs from ${file.endsWith('.mjs') ? 'ESM' : 'CommonJS'}: ${r.out}`, expected(r));
  }
  await tsc(umbrella, 'nablajs', 'node16', 'node16', ['umbrella.mts', 'umbrella.cts']);
  await tsc(umbrella, 'nablajs', 'nodenext', 'nodenext', ['umbrella.mts', 'umbrella.cts']);
  await tsc(umbrella, 'nablajs', 'esnext', 'bundler', ['umbrella.ts']);
  await browserBundle(umbrella);
}

/** Builds browser/ with Vite against the installed tarballs, then loads it in Chromium. */
async function browserBundle(dir) {
  const app = join(dir, 'browser');
  await cp(join(here, 'browser'), app, { recursive: true });
  const build = await run(
    process.execPath,
    [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'error'],
    app,
  );
  check('nablajs in a Vite browser bundle: vite build', build.ok, build.out);
  if (!build.ok) return;
  const chromium = process.env.NABLA_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) {
    console.log(`- the bundle not run: no browser at ${chromium} (set NABLA_CHROMIUM)`);
    return;
  }
  const dist = join(app, 'dist');
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };
  const server = createServer(async (req, res) => {
    const path = join(dist, new URL(req.url, 'http://x').pathname.replace(/\/$/, '/index.html'));
    try {
      const body = await readFile(path);
      res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${server.address().port}/`;
  const flags = ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run'];
  const quiet = ['--disable-background-networking', '--disable-component-update', '--disable-sync'];
  const profile = join(dir, 'chromium-profile');
  const r = await run(chromium, [
    ...flags,
    ...quiet,
    `--user-data-dir=${profile}`,
    '--virtual-time-budget=10000',
    '--dump-dom',
    url,
  ]);
  server.close();
  const shown = /<pre id="out">([^<]*)<\/pre>/.exec(r.out)?.[1];
  check(
    `nablajs in a Vite browser bundle, run in Chromium: ${shown ?? '(no output)'}`,
    shown === JSON.stringify({ means: [2, 5] }),
    r.ok ? '' : r.out.slice(-2000),
  );
}

if (process.env.NABLA_PACK_KEEP === '1') console.log(`scratch projects kept in ${scratch}`);
else await rm(scratch, { recursive: true, force: true });
const seconds = ((performance.now() - started) / 1000).toFixed(0);
console.log(`\ntest:pack on Node ${process.version}, ${seconds} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
