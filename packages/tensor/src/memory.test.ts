import { describe, expect, test } from 'vitest';
import { cpu } from '../../backend-cpu/src/index.js';
import {
  concat,
  DisposedError,
  memory,
  type MemoryStats,
  tensor,
  type Tensor,
  useBackend,
  where,
  zeros,
} from './index.js';

// A backend of its own name, so that this file's counts are not mixed with anything else's. It frees
// explicitly, as a GPU backend does (bytes are exact and go back at dispose); the CPU backend's own
// accounting by garbage-collected blocks is tested in backend-cpu's memory.test.ts.
const freed: unknown[] = [];
useBackend({ ...cpu(), name: 'mem-cpu', gcUnit: undefined, free: (s) => void freed.push(s) });
const statsOf = (name: string): MemoryStats => ({
  ...(memory().backends[name] ?? { tensors: 0, bytes: 0 }),
});
const stats = () => statsOf('mem-cpu');

const gc = (globalThis as { gc?: () => void }).gc;
const macrotask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
/** Collects garbage and lets FinalizationRegistry callbacks (which run in later tasks) happen. */
async function collect(until: () => boolean = () => false): Promise<void> {
  for (let i = 0; i < 10; i++) {
    gc!();
    await macrotask();
    await macrotask();
    if (until()) return;
  }
}

describe('dispose', () => {
  test('frees bytes at once; a second dispose is a no-op', () => {
    const before = stats();
    const t = zeros([1000]);
    expect(stats()).toEqual({ tensors: before.tensors + 1, bytes: before.bytes + 4000 });
    const n = freed.length;
    t.dispose();
    expect(freed.length).toBe(n + 1); // the backend's free ran at once
    expect(t.isDisposed).toBe(true);
    expect(stats()).toEqual(before);
    t.dispose();
    expect(stats()).toEqual(before);
    expect(memory().bytes).toBeGreaterThanOrEqual(0);
  });

  test('counts bytes per dtype', () => {
    const before = stats().bytes;
    const i = zeros([10], { dtype: 'int32' });
    const d = zeros([10], { dtype: 'float64' });
    expect(stats().bytes).toBe(before + 40 + 80);
    i.dispose();
    d.dispose();
    expect(stats().bytes).toBe(before);
  });

  test('`using` disposes at the end of the block', () => {
    const before = stats();
    {
      using t = zeros([25]);
      using u = t.add(1);
      expect(Array.from(u.dataSync())[0]).toBe(1);
      expect(stats()).toEqual({ tensors: before.tensors + 2, bytes: before.bytes + 200 });
    }
    expect(stats()).toEqual(before);
  });

  test('[Symbol.dispose]() is dispose()', () => {
    const before = stats();
    const t = zeros([3]);
    t[Symbol.dispose]();
    expect(t.isDisposed).toBe(true);
    expect(stats()).toEqual(before);
  });

  test('views keep the storage alive until every one is disposed', () => {
    const before = stats();
    const base = tensor([1, 2, 3, 4, 5, 6]);
    const m = base.reshape([2, 3]);
    const row = m.slice([1]);
    expect(stats()).toEqual({ tensors: before.tensors + 3, bytes: before.bytes + 24 });
    base.dispose();
    m.dispose();
    expect(stats()).toEqual({ tensors: before.tensors + 1, bytes: before.bytes + 24 });
    expect(Array.from(row.dataSync())).toEqual([4, 5, 6]);
    row.dispose();
    expect(stats()).toEqual(before);
  });

  test('ops do not leak their temporaries', () => {
    const a = tensor([1, 2, 3], { dtype: 'int32' });
    const before = stats();
    const r = where(a.gt(1), a, 0.5); // scalar, cast and comparison temporaries
    const s = a.mul(0.5).matmul(tensor([[1], [1], [1]]));
    const tmp = a.gt(1);
    tmp.dispose();
    expect(Array.from(r.dataSync())).toEqual([0.5, 2, 3]);
    expect(Array.from(s.dataSync())).toEqual([3]);
    // alive: a.gt(1), r, a.mul(0.5), the [3,1] literal and s (nothing was disposed but tmp)
    expect(stats().tensors).toBe(before.tensors + 5);
    expect(stats().bytes).toBe(before.bytes + 12 + 12 + 12 + 12 + 4);
  });
});

describe('a disposed tensor', () => {
  test('raises DisposedError naming the op', async () => {
    const t = tensor([
      [1, 2],
      [3, 4],
    ]);
    const other = tensor([1, 2]);
    const cond = tensor([[1, 0], [0, 1]], { dtype: 'int32' }); // prettier-ignore
    const vec = tensor([5, 6]);
    t.dispose();
    vec.dispose();
    const cases: [string, () => unknown][] = [
      ['add', () => t.add(1)],
      ['add', () => other.add(t)],
      ['exp', () => t.exp()],
      ['sum', () => t.sum()],
      ['sum', () => t.mean()], // a composite names the primitive that refused
      ['argmax', () => t.argmax()],
      ['matmul', () => t.matmul(other)],
      ['matmul', () => other.matmul(t)],
      ['reshape', () => t.reshape([4])],
      ['transpose', () => t.transpose()],
      ['transpose', () => vec.transpose()],
      ['permute', () => t.permute(1, 0)],
      ['slice', () => t.slice([0])],
      ['expand', () => t.expand([2, 2, 2])],
      ['flatten', () => t.flatten()],
      ['cast', () => t.cast('float32')],
      ['cast', () => vec.cast('int32')],
      ['clone', () => t.clone()],
      ['assign', () => t.assign(0)],
      ['assign', () => cond.assign(t)],
      ['gather', () => t.gather(0, cond)],
      ['concat', () => concat([other.reshape([1, 2]), t])],
      ['where', () => where(cond.ne(0), t, 0)],
      ['dataSync', () => t.dataSync()],
    ];
    for (const [op, f] of cases) {
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(err, op).toBeInstanceOf(DisposedError);
      expect((err as DisposedError).op).toBe(op);
      expect((err as Error).message).toMatch(
        new RegExp(`^${op}: tensor \\[2(,2)?\\] float32 was disposed`),
      );
    }
    await expect(t.data()).rejects.toThrow(DisposedError);
    await expect(t.data()).rejects.toThrow(
      'data: tensor [2,2] float32 was disposed; dispose a tensor only after its last use, or clone() it first',
    );
    await expect(t.to(t.backend)).rejects.toThrow(/^to: /);
  });
});

describe('without dispose, the garbage collector reclaims tensors', () => {
  test('10,000 steps of a.add(b).mul(c) keep memory bounded', async () => {
    expect(typeof gc).toBe('function'); // vitest runs with --expose-gc
    const a = tensor([1, 2, 3, 4]);
    const b = tensor([10, 20, 30, 40]);
    const c = tensor([2, 2, 2, 2]);
    await collect();
    const start = stats();
    let peak = start.tensors;
    let peakBytes = start.bytes;
    let last: number[] = [];
    for (let i = 0; i < 10_000; i++) {
      const r: Tensor = a.add(b).mul(c);
      if (i % 1000 === 999) {
        last = Array.from(r.dataSync());
        gc!();
        await macrotask();
      }
      peak = Math.max(peak, stats().tensors);
      peakBytes = Math.max(peakBytes, stats().bytes);
    }
    expect(last).toEqual([22, 44, 66, 88]);
    // 20,000 tensors were made; only the last few windows of 1,000 steps (2,000 tensors each) may
    // wait for their finalizers (typically two)
    expect(peak - start.tensors).toBeLessThan(8000);
    expect(peakBytes - start.bytes).toBeLessThan(8000 * 16);
    await collect(() => stats().tensors <= start.tensors + 2);
    expect(stats().tensors).toBeLessThanOrEqual(start.tensors + 2);
    expect(stats().bytes).toBeLessThanOrEqual(start.bytes + 2 * 16);
    // the inputs were never reclaimed while referenced
    expect(Array.from(a.add(b).dataSync())).toEqual([11, 22, 33, 44]);
  });
});
