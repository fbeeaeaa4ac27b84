// A corpus split once and for all into training and validation text, and its vocabulary. No
// imports: the command line, the page's worker and the page's Vite plugin (which Vite loads without
// the workspace's source condition) all use it.

/** A text split into training and validation parts, with the vocabulary of the whole. */
export interface Corpus {
  /** Where it came from: 'names', 'moby-dick' or a file name. */
  name: string;
  train: string;
  validation: string;
  vocab: Vocab;
}

/** The characters of a corpus (Unicode code points, sorted), each with an id. */
export class Vocab {
  /** The characters, in id order. */
  readonly chars: readonly string[];
  private readonly ids: Map<string, number>;

  constructor(text: string) {
    this.chars = [...new Set(Array.from(text))].sort();
    this.ids = new Map(this.chars.map((c, i) => [c, i]));
  }

  get size(): number {
    return this.chars.length;
  }

  /** The ids of `text`'s characters; a character outside the vocabulary is an error naming it. */
  encode(text: string): Int32Array {
    const chars = Array.from(text);
    const out = new Int32Array(chars.length);
    chars.forEach((c, i) => {
      const id = this.ids.get(c);
      if (id === undefined)
        throw new RangeError(
          `encode: the character ${JSON.stringify(c)} (U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}) is not in the corpus's vocabulary`,
        );
      out[i] = id;
    });
    return out;
  }

  decode(ids: ArrayLike<number>): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) s += this.chars[ids[i]!] ?? '';
    return s;
  }
}

/** FNV-1a, 32 bits, over the UTF-16 code units of `s`: a stable hash for the split. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** One item in ten goes to validation: those whose hash is 0 mod 10. */
export const VALIDATION_MODULUS = 10;

/**
 * Names, one a line: duplicates dropped, ordered by hash (then by name), so that neighbours are
 * unrelated; a name whose FNV-1a hash is 0 mod 10 validates, the others train. The text ends with a
 * newline: "\n" is the end-of-name token, and the start of the next.
 */
export function splitNames(names: readonly string[], name = 'names'): Corpus {
  const unique = [...new Set(names.map((n) => n.trim()).filter((n) => n !== ''))];
  const keyed = unique.map((n) => ({ n, h: fnv1a(n) }));
  keyed.sort((a, b) => a.h - b.h || (a.n < b.n ? -1 : a.n > b.n ? 1 : 0));
  const lines = (valid: boolean) =>
    keyed
      .filter((k) => (k.h % VALIDATION_MODULUS === 0) === valid)
      .map((k) => `${k.n}\n`)
      .join('');
  const train = lines(false);
  const validation = lines(true);
  return { name, train, validation, vocab: new Vocab(train + validation) };
}

/**
 * Sections of a book in reading order; every tenth (the 10th, 20th, …) validates, so that
 * validation text comes from all over the book. Sections are joined by a blank line.
 */
export function splitSections(sections: readonly string[], name: string): Corpus {
  const join = (valid: boolean) =>
    sections
      .filter((_, i) => (i % VALIDATION_MODULUS === VALIDATION_MODULUS - 1) === valid)
      .join('\n\n');
  const train = join(false);
  const validation = join(true);
  return { name, train, validation, vocab: new Vocab(train + validation) };
}

/** A user's text: the first 90 % trains, the rest validates, cut at a line break where there is one. */
export function splitText(text: string, name: string): Corpus {
  const chars = Array.from(text);
  let cut = Math.floor(chars.length * 0.9);
  const newline = chars.lastIndexOf('\n', cut);
  if (newline > chars.length * 0.8) cut = newline + 1;
  const train = chars.slice(0, cut).join('');
  const validation = chars.slice(cut).join('');
  return { name, train, validation, vocab: new Vocab(text) };
}
