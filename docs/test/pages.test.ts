// The pages hold no code of their own: every TypeScript or JavaScript block comes from a sample
// file (`<<< @/samples/x.ts#region`), which test/samples.test.ts runs. This test checks that rule,
// that every included file and region exists, and that every sample is shown on some page.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { regionOf, sampleContext } from '../.vitepress/sample-context.ts';

const docs = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// Generated or installed, not written by hand.
const SKIP = new Set(['node_modules', 'api', 'public', 'generated', 'dist', 'cache']);

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return SKIP.has(name) ? [] : markdownFiles(path);
    return name.endsWith('.md') ? [path] : [];
  });
}

const pages = markdownFiles(docs);
const CODE = /^(ts|typescript|tsx|js|javascript|mjs|cjs|jsx|vue)\b/i;
const FENCE = /^ {0,3}(```+|~~~+)\s*([^\s{[]*)/;
const SNIPPET = /^ {0,3}<<<\s*@\/(\S+?)(?:#([\w-]+))?(?:\s|$|\{)/;
const INCLUDE = /<!--\s*@include:\s*(.*?)\s*-->/g;

interface Snippet {
  page: string;
  file: string;
  region?: string;
}

const snippets: Snippet[] = [];
const inlineCode: string[] = [];
const includes: { page: string; path: string }[] = [];
for (const page of pages) {
  const name = relative(docs, page);
  let open: string | null = null;
  for (const [i, line] of readFileSync(page, 'utf8').split('\n').entries()) {
    const fence = FENCE.exec(line);
    if (fence) {
      if (open === null) {
        open = fence[1]!;
        if (CODE.test(fence[2]!)) inlineCode.push(`${name}:${i + 1} ${line.trim()}`);
      } else if (fence[1]!.startsWith(open) && !fence[2]) open = null;
      continue;
    }
    if (open !== null) continue;
    const snippet = SNIPPET.exec(line);
    if (snippet) snippets.push({ page: name, file: snippet[1]!, region: snippet[2] });
    for (const m of line.matchAll(INCLUDE)) includes.push({ page: name, path: m[1]! });
  }
}

describe('pages', () => {
  it('finds the pages and their samples', () => {
    expect(pages.length).toBeGreaterThan(10);
    expect(snippets.length).toBeGreaterThan(10);
  });

  it('have no TypeScript or JavaScript block that is not a sample file', () => {
    expect(inlineCode).toEqual([]);
  });

  it('include only samples, which exist, with the regions named', () => {
    const bad = snippets.flatMap(({ page, file, region }) => {
      const path = join(docs, file);
      if (!file.startsWith('samples/') || !existsSync(path))
        return [`${page}: ${file} is not a sample file`];
      if (!region) return [];
      const text = readFileSync(path, 'utf8');
      const ok =
        text.includes(`// #region ${region}\n`) && text.includes(`// #endregion ${region}\n`);
      return ok ? [] : [`${page}: ${file} has no region ${region}`];
    });
    expect(bad).toEqual([]);
  });

  it('include files that exist', () => {
    // generated/ is written by scripts/prepare.ts before the site is built
    const prepare = readFileSync(join(docs, 'scripts/prepare.ts'), 'utf8');
    const generated = includes.filter(({ path }) => path.includes('generated/'));
    for (const { path } of generated) expect(prepare).toContain(path.replace(/^.*generated\//, ''));
    const missing = includes.filter(
      ({ page, path }) =>
        !path.includes('generated/') &&
        !existsSync(
          resolve(dirname(join(docs, page)), path.replace(/(#[\w-]+)?(\{\d*,\d*\})?$/, '')),
        ),
    );
    expect(missing).toEqual([]);
  });

  it('show every sample', () => {
    const shown = new Set(snippets.map((s) => s.file));
    const samples = readdirSync(join(docs, 'samples'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => `samples/${f}`);
    expect(samples.filter((s) => !shown.has(s))).toEqual([]);
  });

  it('show the imports of every snippet: its own, or under it (.vitepress/sample-context.ts)', () => {
    const without = snippets.filter(({ file, region }) => {
      const text = readFileSync(join(docs, file), 'utf8');
      const own = region ? /^import\b/m.test(regionOf(text, region) ?? '') : true;
      return !own && !sampleContext(text, region)?.includes('import');
    });
    expect(without).toEqual([]);
    // most pages show parts of programs: the context is what makes them runnable
    expect(
      snippets.filter((s) => sampleContext(readFileSync(join(docs, s.file), 'utf8'), s.region))
        .length,
    ).toBeGreaterThan(20);
  });

  it("show the README's example as samples/readme.ts has it (which samples.test.ts runs)", () => {
    const sample = readFileSync(join(docs, 'samples/readme.ts'), 'utf8');
    const region = regionOf(sample, 'sample');
    expect(region).toBeTruthy();
    const readme = readFileSync(join(docs, '../README.md'), 'utf8');
    expect(readme).toContain('```ts\n' + region + '```\n');
  });
});
