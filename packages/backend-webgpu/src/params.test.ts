// The parameter layout without a GPU: the words `pack` writes are the ones the WGSL reads.
import { BackendError } from '@nablajs/tensor';
import { describe, expect, test } from 'vitest';
import { Params, strided, words } from './params.js';
import { GROUPS_WORD, coalesce } from './wgsl.js';

/** The word index a WGSL read such as `wi(5u)` names. */
const slot = (wgsl: string) => Number(/\((\d+)u\)/.exec(wgsl)![1]);

describe('Params', () => {
  const P = new Params({
    n: 'u32',
    offset: 'i32',
    scale: 'f32',
    dims: words('u32', 3),
    layout: strided(2, 1),
  });

  test('fields take consecutive words in declaration order', () => {
    expect([P.at('n'), P.at('offset'), P.at('scale'), P.at('dims'), P.at('layout')]).toEqual([
      0, 1, 2, 3, 6,
    ]);
    expect(P.size).toBe(6 + 2 + 1 * 3);
  });

  test('pack writes each value where the WGSL reads it', () => {
    const view = {
      storage: null!,
      dtype: 'float32' as const,
      shape: [2, 3],
      strides: [1, 2],
      offset: 5,
    };
    const layout = coalesce([2, 3], [view]);
    const packed = P.pack({ n: 6, offset: -3, scale: 0.5, dims: [7, 8], layout });
    expect(packed[slot(P.get('n'))]).toBe(6);
    expect(packed[slot(P.get('offset'))]).toBe(-3);
    expect(packed[slot(P.get('scale'))]).toBe(0x3f000000); // 0.5's float32 bits
    expect([slot(P.get('dims', 0)), slot(P.get('dims', 1))].map((i) => packed[i])).toEqual([7, 8]);
    expect(packed[slot(P.get('dims', 2))]).toBe(0); // a shorter run is padded with zeros
    // the layout: shape [2, 3], then the view's offset and strides
    expect(packed.slice(P.at('layout'))).toEqual([2, 3, 5, 1, 2]);
  });

  test('the WGSL reads each type with its own accessor; lets name the words', () => {
    expect(P.get('offset')).toBe('wi(1u)');
    expect(P.get('scale')).toBe('wf(2u)');
    expect(P.get('dims', 2)).toBe('w(5u)');
    expect(P.lets('n', 'scale')).toBe('let n = w(0u); let scale = wf(2u);');
    expect(() => P.get('dims', 3)).toThrow(RangeError);
    expect(() => P.get('layout')).toThrow(RangeError);
  });

  test('a layout of another rank, or a run too long, is refused', () => {
    const layout = { shape: [4, 4], views: [[0, 4, 1]] };
    expect(() => P.pack({ n: 1, offset: 0, scale: 0, dims: [], layout })).not.toThrow();
    const flat = { shape: [16], views: [[0, 1]] };
    expect(() => P.pack({ n: 1, offset: 0, scale: 0, dims: [], layout: flat })).toThrow(/rank 2/);
    expect(() => P.pack({ n: 1, offset: 0, scale: 0, dims: [1, 2, 3, 4], layout })).toThrow(
      /takes 3 words/,
    );
  });

  test('more words than a dispatch has is a BackendError, not a silent overlap', () => {
    expect(() => new Params({ n: 'u32', many: words('u32', GROUPS_WORD) })).toThrow(BackendError);
    expect(new Params({ many: words('u32', GROUPS_WORD) }).size).toBe(GROUPS_WORD);
  });
});
