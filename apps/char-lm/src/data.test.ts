import { cpu } from '@nablajs/backend-cpu';
import { useBackend } from '@nablajs/tensor';
import { beforeAll, describe, expect, test } from 'vitest';
import { fnv1a, splitNames, splitSections, splitText, Vocab } from './corpus.js';
import { Mulberry32, randomBatch, validationStarts, windows } from './data.js';
import { loadCorpus, loadNames } from './datasets.js';

describe('the generators the split and the batches come from', () => {
  test('FNV-1a gives the published 32-bit test vectors', () => {
    // from the FNV reference (isthe.com/chongo/tech/comp/fnv): "", "a", "foobar"
    expect([fnv1a(''), fnv1a('a'), fnv1a('foobar')]).toEqual([0x811c9dc5, 0xe40c292c, 0xbf9cf968]);
  });

  test("Mulberry32 gives the numbers of torch_gpt.py's Python port (the reference trains on the same windows)", () => {
    // printed by bench/src/charlm/torch_gpt.py's Mulberry32(1) and Mulberry32(0xdeadbeef)
    const a = new Mulberry32(1);
    expect(Array.from({ length: 5 }, () => a.nextUint32())).toEqual([
      2693262067, 11749833, 2265367787, 4213581821, 4159151403,
    ]);
    const b = new Mulberry32(0xdeadbeef);
    expect(Array.from({ length: 3 }, () => b.nextUint32())).toEqual([
      4043151706, 1147597007, 3315858022,
    ]);
    expect(new Mulberry32(7).below(1000)).toBe(11);
  });
});

describe('splits', () => {
  test('names: the same split whatever the order they come in; disjoint; one in ten validates', async () => {
    const names = await loadNames();
    const a = splitNames(names);
    const b = splitNames([...names].reverse());
    expect(b).toEqual(a);
    const train = a.train.split('\n').slice(0, -1);
    const validation = a.validation.split('\n').slice(0, -1);
    expect(new Set([...train, ...validation])).toEqual(new Set(names));
    expect(train.length + validation.length).toBe(new Set(names).size);
    for (const n of validation) expect(fnv1a(n) % 10).toBe(0);
    for (const n of train) expect(fnv1a(n) % 10).not.toBe(0);
    expect(validation.length / (train.length + validation.length)).toBeGreaterThan(0.08);
    expect(validation.length / (train.length + validation.length)).toBeLessThan(0.12);
    expect(a.vocab.chars[0]).toBe('\n');
  });

  test('a book: every tenth section validates, in reading order', () => {
    const sections = Array.from({ length: 25 }, (_, i) => `s${i}`);
    const c = splitSections(sections, 'book');
    expect(c.validation).toBe('s9\n\ns19');
    expect(c.train.startsWith('s0\n\ns1\n\n')).toBe(true);
    expect(c.train.includes('s9')).toBe(false);
  });

  test('Moby-Dick: 139 sections, the first chapter trains, the vocabulary covers both parts', async () => {
    const c = await loadCorpus('moby-dick');
    expect(c.train).toContain('CHAPTER 1. Loomings.\n\nCall me Ishmael.');
    expect(c.validation).toContain('CHAPTER 7. The Chapel.'); // the 10th section
    expect(c.validation.length / (c.train.length + c.validation.length)).toBeGreaterThan(0.05);
    expect(() => c.vocab.encode(c.train + c.validation)).not.toThrow();
  });

  test('a text of its own: 90 % trains, cut at a line break', () => {
    const text = Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n');
    const c = splitText(text, 'mine.txt');
    expect(c.train + c.validation).toBe(text);
    expect(c.train.endsWith('\n')).toBe(true);
    expect(c.validation.length).toBeGreaterThan(0);
    expect(c.validation.length).toBeLessThan(0.2 * text.length);
  });
});

describe('Vocab', () => {
  test('sorted characters; encode and decode are inverse; a stranger is named', () => {
    const v = new Vocab('hello, world');
    expect(v.chars).toEqual([' ', ',', 'd', 'e', 'h', 'l', 'o', 'r', 'w']);
    expect(v.decode(v.encode('world, hello'))).toBe('world, hello');
    expect(() => v.encode('hi!')).toThrow(/"i" \(U\+0069\) is not in the corpus's vocabulary/);
  });

  test('code points, not UTF-16 units: a character outside the BMP is one id', () => {
    const v = new Vocab('a𝄞b');
    expect(v.size).toBe(3);
    expect(Array.from(v.encode('𝄞'))).toEqual([v.chars.indexOf('𝄞')]);
  });
});

describe('batches', () => {
  beforeAll(() => useBackend(cpu()));
  const ids = Int32Array.from({ length: 100 }, (_, i) => i);

  test('each target is its input shifted by one character; positions from the seed', async () => {
    const { x, y } = randomBatch(ids, 8, 10, new Mulberry32(3));
    expect(x.shape).toEqual([8, 10]);
    const [xs, ys] = [await x.data(), await y.data()];
    for (let i = 0; i < xs.length; i++) expect(ys[i]).toBe(xs[i]! + 1);
    // the same seed, the same windows
    const again = randomBatch(ids, 8, 10, new Mulberry32(3));
    expect(Array.from(await again.x.data())).toEqual(Array.from(xs));
    // every window fits: its last target is at most the last id
    expect(Math.max(...ys)).toBeLessThanOrEqual(99);
  });

  test('validation windows tile the text without overlap; a text too short is an error', () => {
    expect(validationStarts(100, 10)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80]);
    expect(validationStarts(101, 10)).toHaveLength(10);
    expect(validationStarts(101, 10, 3)).toEqual([0, 10, 20]);
    expect(() => windows(ids.subarray(0, 5), [0], 5)).toThrow(/too short for a context of 5/);
  });
});
