// The host-side bookkeeping of flags.ts without a GPU: which storages an error belongs to, how
// windows of slots wrap, and that a loop that never reads keeps its bookkeeping small.
import { IndexError } from '@nablajs/tensor';
import { describe, expect, test } from 'vitest';
import { FlagTracker, type FlagWindow, SLOT_WORDS, SLOTS } from './flags.js';

/** The words a read would copy for window `w` when the ids in `bad` flagged (index 9 of size 3). */
function words(w: FlagWindow, bad: readonly number[]): Int32Array {
  const out = new Int32Array(FlagTracker.words(w));
  let at = 0;
  for (const [first, count] of w.ranges)
    for (let j = 0; j < count; j++, at += SLOT_WORDS)
      if (bad.some((id) => id % SLOTS === first + j)) out.set([1, 9, 3], at);
  return out;
}

async function read(f: FlagTracker, bad: readonly number[] = []): Promise<void> {
  const w = f.window();
  await f.resolve(w, words(w, bad));
}

const gather = { op: 'gather', axis: 1 };

describe('FlagTracker', () => {
  test('an error belongs to the output of the kernel that flagged and what is computed from it', async () => {
    const f = new FlagTracker();
    const [x, bad, ok, sum, other] = [{}, {}, {}, {}, {}];
    const id = f.open(gather);
    f.propagate([x], [bad], id);
    f.propagate([x], [ok], f.open(gather));
    f.propagate([bad, ok], [sum]);
    f.propagate([ok], [other]);
    await read(f, [id]);
    expect(f.errorOf(bad)).toBeInstanceOf(IndexError);
    expect(f.errorOf(bad)!.message).toBe(
      'gather: index 9 is out of range for axis 1 of size 3 (found by the GPU); indices must be in 0..2',
    );
    expect(f.errorOf(sum)).toBe(f.errorOf(bad));
    for (const s of [x, ok, other]) expect(f.errorOf(s)).toBeUndefined();
    // later reads raise it again; an in-place update of a clean storage with it inherits it
    await read(f);
    expect(f.errorOf(bad)).toBeInstanceOf(IndexError);
    f.propagate([sum], [ok]);
    expect(f.errorOf(ok)).toBeInstanceOf(IndexError);
  });

  test('class labels say so', async () => {
    const f = new FlagTracker();
    const loss = {};
    const id = f.open({ op: 'softmaxCrossEntropy', axis: -1 });
    f.propagate([], [loss], id);
    await read(f, [id]);
    expect(f.errorOf(loss)!.message).toMatch(
      /^softmaxCrossEntropy: target label 9 is out of range for 3 classes/,
    );
  });

  test('a window copies the slots of the ids since the last read, wrapping around', () => {
    const f = new FlagTracker();
    expect(f.window().ranges).toEqual([]);
    for (let i = 0; i < SLOTS - 2; i++) f.open(gather);
    expect(f.window().ranges).toEqual([[0, SLOTS - 2]]);
    for (let i = 0; i < 5; i++) f.open(gather);
    expect(f.window().ranges).toEqual([
      [SLOTS - 2, 2],
      [0, 3],
    ]);
    for (let i = 0; i < SLOTS + 1; i++) f.open(gather);
    expect(f.window().ranges).toEqual([[0, SLOTS]]);
  });

  test('a parameter updated by many unread steps keeps a small taint, and errors only when one failed', async () => {
    const f = new FlagTracker();
    const param = {};
    const ids: number[] = [];
    for (let step = 0; step < 1000; step++) {
      const grad = {};
      const id = f.open({ op: 'softmaxCrossEntropy', axis: -1 });
      ids.push(id);
      f.propagate([param], [grad], id);
      f.propagate([grad], [param]);
    }
    const taint = (f as unknown as { taints: WeakMap<object, { ids: number[] }> }).taints.get(
      param,
    )!;
    expect(taint.ids.length).toBeLessThanOrEqual(16);
    await read(f);
    expect(f.errorOf(param)).toBeUndefined();
    // resolved clean ids are dropped: nothing is left to check
    expect(
      (f as unknown as { taints: WeakMap<object, unknown> }).taints.get(param),
    ).toBeUndefined();
    const id = f.open({ op: 'softmaxCrossEntropy', axis: -1 });
    const grad = {};
    f.propagate([param], [grad], id);
    f.propagate([grad], [param]);
    await read(f, [id]);
    expect(f.errorOf(param)).toBeInstanceOf(IndexError);
  });

  test('windows resolve in order even when their reads finish out of order', async () => {
    const f = new FlagTracker();
    const a = {};
    const id = f.open(gather);
    f.propagate([], [a], id);
    const first = f.window();
    const second = f.window();
    const late = f.resolve(second, new Int32Array(0));
    expect(f.errorOf(a)).toBeUndefined(); // not resolved yet
    await f.resolve(first, words(first, [id]));
    await late;
    expect(f.errorOf(a)).toBeInstanceOf(IndexError);
  });
});
