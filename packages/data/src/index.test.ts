import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import * as data from './index.js';

describe('@nablajs/data entry', () => {
  it('exports the public API', () => {
    for (const name of [
      'DataFormatError',
      'DataLoader',
      'decodeIdx',
      'encodeIdx',
      'isGzip',
      'loadMnist',
      'mnistDataDir',
      'normalizePixels',
      'oneHotEncode',
      'parseIdx',
      'permutation',
      'readIdxFile',
      'seededRandom',
    ]) {
      expect(typeof (data as Record<string, unknown>)[name], name).toBe('function');
    }
  });

  it('imports no Node built-in statically, so it loads in a browser', async () => {
    const dir = new URL('.', import.meta.url);
    const sources = (await readdir(dir)).filter(
      (f) => f.endsWith('.ts') && !f.endsWith('.test.ts'),
    );
    expect(sources.length).toBeGreaterThan(5);
    for (const file of sources) {
      const text = await readFile(new URL(file, dir), 'utf8');
      expect(text, file).not.toMatch(/^\s*import\s[^;]*from\s+['"](node:|fs|path|zlib|module)/m);
      expect(text, file).not.toMatch(/\brequire\(/);
    }
  });
});

describe('transforms', () => {
  it('normalizePixels maps 0…255 to 0…1', () => {
    const out = data.normalizePixels(Uint8Array.from([0, 51, 255]));
    expect(out).toBeInstanceOf(Float32Array);
    expect(Array.from(out)).toEqual([0, Math.fround(0.2), 1]);
    expect(Array.from(data.normalizePixels([0, 5, 10], 10))).toEqual([0, 0.5, 1]);
  });

  it('oneHotEncode makes [n, C] rows and rejects labels out of range', () => {
    expect(Array.from(data.oneHotEncode(Int32Array.from([2, 0]), 3))).toEqual([0, 0, 1, 1, 0, 0]);
    expect(() => data.oneHotEncode([3], 3)).toThrow(
      'label 3 at index 0 is not a class index in 0…2',
    );
    expect(() => data.oneHotEncode([0.5], 3)).toThrow(RangeError);
    expect(() => data.oneHotEncode([0], 0)).toThrow('numClasses must be a positive integer');
  });
});
