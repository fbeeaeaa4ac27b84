import { describe, expect, it } from 'vitest';
import { instance, reserve } from './instance.js';
import { homeOf, stateF32 } from './state.js';

describe('optimizer state on slabs (stateF32)', () => {
  it('gives zeroed, disjoint arrays that outlive the kernels memory growing', () => {
    const [m, v] = stateF32(10_001, 2)!;
    const [w] = stateF32(7, 1)!;
    for (const a of [m!, v!, w!]) expect(a.every((x) => x === 0)).toBe(true);
    m!.fill(1);
    v!.fill(2);
    w!.fill(3);
    // the shared kernels' memory grows (its arrays are detached); a slab never does
    const k = instance();
    reserve(k, k.memory.buffer.byteLength / 4 + (1 << 20));
    expect([m!.length, v!.length, w!.length]).toEqual([10_001, 10_001, 7]);
    expect([m!.every((x) => x === 1), v!.every((x) => x === 2), w!.every((x) => x === 3)]).toEqual([
      true,
      true,
      true,
    ]);
    expect(homeOf(m!, v!)).toBeDefined();
  });

  it('starts a new slab when one is full; moments on two slabs are not one home', () => {
    const [a] = stateF32(1 << 20, 1)!; // 4 MiB: past what is left of a 1–2 MiB slab
    const [b] = stateF32(1 << 20, 1)!;
    expect(a!.buffer).not.toBe(b!.buffer);
    expect(homeOf(a!, b!)).toBeUndefined();
    expect(homeOf(a!, new Float32Array(a!.length))).toBeUndefined();
  });
});
