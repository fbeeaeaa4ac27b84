// What the conformance suite cannot see: the WebGPU runtime's ordering of uploads against recorded
// kernels when pooled buffers are reused, reads of views, batches that submit themselves, errors
// found by the GPU, and the pool's size buckets.
import { cpu } from '@nablajs/backend-cpu';
import {
  BackendError,
  DTypeError,
  full,
  randn,
  IndexError,
  scatterAdd,
  type Tensor,
  type TensorRef,
  tensor,
  zeros,
} from '@nablajs/tensor';
import { describe, expect, test } from 'vitest';
import { bucket, type GpuStorage } from './runtime.js';
import { describeWithBackend } from '@nablajs/backend-tests';
import { gpuBackend } from './test-gpu.js';
import { webgpu, type WebGpuBackend } from './webgpu.js';

const host = cpu();

// A storage's range: its buffer (small tensors share slabs) and where in it the range starts.
const ids = new Map<object, number>();
const idOf = (o: object) => {
  if (!ids.has(o)) ids.set(o, ids.size + 1);
  return ids.get(o)!;
};
const bufferOf = (t: Tensor) => {
  const s = t.storage as GpuStorage;
  return `${idOf(s.buffer)}@${s.offset}`;
};
const values = async (t: Tensor) => Array.from(await t.data());
const filled = (n: number, v: number) => new Array<number>(n).fill(v);
/** Where two float32 arrays differ by more than a few ulps (at most five): [] when they agree. */
function misses(got: ArrayLike<number>, want: ArrayLike<number>): string[] {
  const out: string[] = [];
  for (let i = 0; i < want.length && out.length < 5; i++)
    if (!(Math.abs(got[i]! - want[i]!) <= 1e-6 * Math.max(1, Math.abs(want[i]!))))
      out.push(`[${i}] ${got[i]} vs ${want[i]}`);
  return out;
}

describe('bucket(): the pool’s buffer sizes', () => {
  const sizes = [1, 4, 255, 256, 257, 300, 511, 512, 513, 1000, 1023, 1024, 1025, 4097, 65_537];
  for (let p = 11; p <= 31; p++) sizes.push(2 ** p - 4, 2 ** p, 2 ** p + 4, 1.3 * 2 ** p);
  for (let i = 0; i < 2000; i++) sizes.push(4 * Math.floor(Math.exp(Math.random() * 20)) + 4);

  test('at least the request, at most 25 % more above 256 bytes, 256 below', () => {
    for (const n of sizes) {
      const b = bucket(n);
      expect(b, `bucket(${n})`).toBeGreaterThanOrEqual(n);
      if (n > 256) expect(b, `bucket(${n})`).toBeLessThanOrEqual(1.25 * n);
      else expect(b).toBe(256);
    }
  });

  test('multiples of 4 bytes (WebGPU copies need them), stable, monotone', () => {
    const sorted = [...new Set(sizes.map((n) => 4 * Math.ceil(n / 4)))].sort((a, b) => a - b);
    let last = 0;
    for (const n of sorted) {
      const b = bucket(n);
      expect(b % 4, `bucket(${n})`).toBe(0);
      expect(bucket(b), `bucket(bucket(${n}))`).toBe(b); // a pooled buffer fits its own size
      expect(b).toBeGreaterThanOrEqual(last);
      last = b;
    }
    // four buckets per power of two
    expect([1024, 1025, 1280, 1281, 1536, 1792, 2048].map(bucket)).toEqual([
      1024, 1280, 1280, 1536, 1536, 1792, 2048,
    ]);
  });
});

await describeWithBackend('WebGPU', gpuBackend, (gpu) => {
  const seven = () => new Float32Array(64).fill(7);

  describe('uploads never overtake the recorded kernels that use a freed range', () => {
    // Every tensor of 64 floats takes a 256-byte chunk, so a disposed one's range is the next one a
    // kernel's output gets. An upload (queue.writeBuffer runs before commands not yet submitted)
    // takes only a range the open batch does not use; after a read (a submit) it may reuse one.
    test('a kernel that still reads the buffer (assign, then dispose the source)', async () => {
      const t = zeros([64], { backend: gpu });
      const v = full([64], 3, { backend: gpu });
      const vb = bufferOf(v);
      t.assign(v);
      v.dispose();
      const u = tensor(seven(), { backend: gpu });
      expect(bufferOf(u)).not.toBe(vb);
      expect(await values(t)).toEqual(filled(64, 3));
      expect(await values(u)).toEqual(filled(64, 7));
      u.dispose();
      const after = tensor(seven(), { backend: gpu }); // the batch was submitted: a reuse is fine
      expect([vb, bufferOf(u)]).toContain(bufferOf(after));
      expect(await values(after)).toEqual(filled(64, 7));
    });

    test('a kernel that still writes the buffer (its output disposed before any read)', async () => {
      const a = full([64], 2, { backend: gpu });
      const k = a.mul(a); // recorded: writes k's buffer
      const kb = bufferOf(k);
      k.dispose();
      const u = tensor(seven(), { backend: gpu }); // must not land under that write
      expect(bufferOf(u)).not.toBe(kb);
      expect(await values(u)).toEqual(filled(64, 7));
      const z = zeros([64], { backend: gpu }); // the fill kernel too
      const zb = bufferOf(z);
      z.dispose();
      const w = tensor(seven(), { backend: gpu });
      expect(bufferOf(w)).not.toBe(zb);
      expect(await values(w)).toEqual(filled(64, 7));
    });

    test('a chain: both inputs freed while their readers are recorded, then reused twice', async () => {
      const a = full([64], 1, { backend: gpu });
      const b = a.add(a); // 2
      const c = b.mul(b); // 4, reads b
      const freed = [bufferOf(a), bufferOf(b)];
      a.dispose();
      b.dispose();
      const u = tensor(seven(), { backend: gpu });
      const u2 = tensor(new Float32Array(64).fill(9), { backend: gpu });
      expect(freed).not.toContain(bufferOf(u));
      expect(freed).not.toContain(bufferOf(u2));
      expect(await values(c)).toEqual(filled(64, 4));
      expect(await values(u)).toEqual(filled(64, 7));
      expect(await values(u2)).toEqual(filled(64, 9));
    });

    test('a kernel output in a reused buffer after the kernel that read it', async () => {
      const t = zeros([64], { backend: gpu });
      const v = full([64], 3, { backend: gpu });
      const src = full([64], -5, { backend: gpu });
      const vb = bufferOf(v);
      t.assign(v);
      v.dispose();
      const w = src.neg(); // its output takes v's buffer, behind the copy that reads it
      expect(bufferOf(w)).toBe(vb);
      expect(await values(t)).toEqual(filled(64, 3));
      expect(await values(w)).toEqual(filled(64, 5));
    });

    test('an in-place copy within one buffer, then its temporary reused by an upload', async () => {
      const x = tensor(
        Float32Array.from({ length: 64 }, (_, i) => i),
        { backend: gpu },
      );
      const want = await values(x);
      const sq = x.reshape([8, 8]);
      sq.assign(sq.transpose()); // copies through a temporary that is freed at once
      const u = tensor(seven(), { backend: gpu });
      const t = want.map((_, i) => want[(i % 8) * 8 + Math.floor(i / 8)]);
      expect(await values(x)).toEqual(t);
      expect(await values(u)).toEqual(filled(64, 7));
    });

    test('with no pool (poolLimit 0) freed buffers are destroyed only after their batch', async () => {
      // 2^19 floats (2 MiB): above the slab chunks' limit, so these tensors get buffers of their own
      const n = 1 << 19;
      const g: WebGpuBackend = await webgpu({ poolLimit: 0 });
      const t = zeros([n], { backend: g });
      const v = full([n], 3, { backend: g });
      t.assign(v);
      const vb = (v.storage as GpuStorage).buffer;
      v.dispose(); // destroyed later, not under the recorded copy
      const k = t.add(t);
      const u = tensor(new Float32Array(n).fill(7), { backend: g });
      expect((u.storage as GpuStorage).buffer).not.toBe(vb);
      expect(await values(k)).toEqual(filled(n, 6));
      expect(await values(t)).toEqual(filled(n, 3));
      expect(await values(u)).toEqual(filled(n, 7));
      g.device.destroy();
    }, 30_000);
  });

  describe('reads of views', () => {
    /** The same view on both backends reads the same numbers. */
    const same = async (make: (x: Tensor) => Tensor, dtype: 'float32' | 'int32' = 'float32') => {
      const raw = Int32Array.from({ length: 60 }, (_, i) => (i * 37) % 101);
      const data = dtype === 'int32' ? raw : Float32Array.from(raw, (v) => v / 4 - 7);
      const [c, g] = [host, gpu].map((b) => make(tensor(data, { backend: b, shape: [3, 4, 5] })));
      expect(g!.shape).toEqual(c!.shape);
      expect(await values(g!)).toEqual(await values(c!));
      return values(g!);
    };
    test.each<[string, (x: Tensor) => Tensor]>([
      ['transposed', (x) => x.transpose()],
      ['permuted', (x) => x.permute(2, 0, 1)],
      [
        'sliced with steps',
        (x) =>
          x.slice([
            [1, 3],
            [0, 4, 2],
            [1, 5, 3],
          ]),
      ],
      ['sliced, dense at an offset', (x) => x.slice([2])],
      ['a row at an offset, reshaped', (x) => x.slice([1, 2]).reshape([5, 1])],
      ['broadcast (stride 0)', (x) => x.slice([0, 0, [0, 1]]).expand([4, 3])],
      ['0-d at an offset', (x) => x.slice([2, 3, 4])],
      ['0-d of a transposed view', (x) => x.transpose(0, 2).slice([1, 2, 0])],
      ['empty', (x) => x.slice([[2, 2]])],
      ['empty at the end', (x) => x.slice([null, [4, 9]]).transpose()],
    ])('%s (float32 and int32)', async (_, make) => {
      await same(make);
      await same(make, 'int32');
    });

    test('0-d and empty tensors of their own', async () => {
      const s = tensor(2.5, { backend: gpu });
      expect(s.shape).toEqual([]);
      expect(await s.item()).toBe(2.5);
      expect(await values(tensor([], { backend: gpu }))).toEqual([]);
      expect(await values(zeros([3, 0, 2], { backend: gpu }))).toEqual([]);
      expect(await s.add(tensor(1, { backend: gpu })).item()).toBe(3.5);
      const v = await same((x) => x.slice([1, 2, 3]));
      expect(v).toEqual([((33 * 37) % 101) / 4 - 7]);
    });

    test('reads in flight together, some of views, resolve to their own values', async () => {
      const x = randn([50, 7], { seed: 3, backend: gpu });
      const reads = [x.data(), x.transpose().data(), x.slice([[10, 20]]).data(), x.sum().data()];
      const [all, t, part, sum] = await Promise.all(reads);
      const want = await randn([50, 7], { seed: 3, backend: host }).data();
      expect(misses(all!, want)).toEqual([]);
      expect(Array.from(t!)).toEqual(
        Array.from({ length: 350 }, (_, i) => all![(i % 50) * 7 + Math.floor(i / 50)]),
      );
      expect(Array.from(part!)).toEqual(Array.from(all!.slice(70, 140)));
      expect(sum![0]).toBeCloseTo(
        Array.from(all!).reduce((s, v) => s + v, 0),
        3,
      );
    });
  });

  describe('more than 512 dispatches between reads', { timeout: 30_000 }, () => {
    /** Counts queue submits while `fn` runs. */
    async function submits<T>(g: WebGpuBackend, fn: () => Promise<T>): Promise<[T, number]> {
      g.flush();
      const queue = g.device.queue;
      const submit = queue.submit;
      let n = 0;
      queue.submit = (buffers) => {
        n++;
        submit.call(queue, buffers);
      };
      try {
        return [await fn(), n];
      } finally {
        queue.submit = submit;
      }
    }

    test('1,300 chained adds, each result freeing the last, submit on their own', async () => {
      const [got, n] = await submits(gpu, async () => {
        const y = tensor([1, 2, 3, 0.5, -1], { backend: gpu });
        let x = zeros([5], { backend: gpu });
        for (let i = 0; i < 1300; i++) {
          const next = x.add(y);
          x.dispose();
          x = next;
        }
        return values(x);
      });
      expect(got).toEqual([1300, 2600, 3900, 650, -1300]);
      expect(n).toBeGreaterThanOrEqual(3); // two batches of 512 and the read's
    });

    test('600 in-place updates with uploads between them', async () => {
      const acc = zeros([300], { backend: gpu });
      const one = full([300], 1, { backend: gpu });
      const extra: Tensor[] = [];
      const [got, n] = await submits(gpu, async () => {
        for (let i = 0; i < 600; i++) {
          const t = acc.add(one);
          acc.assign(t);
          t.dispose();
          if (i % 97 === 0) extra.push(tensor(new Float32Array(300).fill(i), { backend: gpu }));
        }
        return values(acc);
      });
      expect(got).toEqual(filled(300, 600));
      expect(n).toBeGreaterThanOrEqual(3); // 1,200 dispatches
      for (const [k, t] of extra.entries()) expect(await values(t)).toEqual(filled(300, 97 * k));
    });
  });

  describe('errors', () => {
    test('float64 raises DTypeError naming the op, in tensor and in the backend', () => {
      const cases: [string, () => unknown][] = [
        ['tensor', () => tensor(new Float64Array([1, 2]), { backend: gpu })],
        ['zeros', () => zeros([2], { dtype: 'float64', backend: gpu })],
        ['cast', () => tensor([1, 2], { backend: gpu }).cast('float64')],
        ['tensor', () => gpu.upload(new Float64Array(2))],
        ['zeros', () => gpu.zeros('float64', 2)],
      ];
      const x = tensor([1, 2], { backend: gpu });
      const f64 = { ...x, storage: x.storage, dtype: 'float64' } as TensorRef<GpuStorage>;
      cases.push(
        ['exp', () => gpu.unary('exp', f64)],
        ['add', () => gpu.binary('add', f64, f64)],
        ['sum', () => gpu.reduce('sum', f64, [0])],
        [
          'matmul',
          () =>
            gpu.matmul(
              { ...f64, shape: [1, 2], strides: [2, 1] },
              { ...f64, shape: [2, 1], strides: [1, 1] },
            ),
        ],
        ['random', () => gpu.random('normal', 'float64', 4, 1, 0)],
      );
      for (const [op, fn] of cases) {
        let err: unknown;
        try {
          fn();
        } catch (e) {
          err = e;
        }
        expect(err, op).toBeInstanceOf(DTypeError);
        expect((err as DTypeError).op).toBe(op);
        expect((err as Error).message).toMatch(new RegExp(`^${op}: .*float64`));
      }
    });

    // An error found by a kernel belongs to the tensor it made and to what is computed from it:
    // reading those raises it (every time), reading anything else does not (see README, "Errors").
    const int = (v: number[][]) => tensor(v, { dtype: 'int32', backend: gpu });
    const rejection = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (e: unknown) => e as Error,
      );

    test('a bad gather index raises IndexError on reading that tensor, not on another', async () => {
      const x = tensor([[1, 2, 3], [4, 5, 6]], { backend: gpu }); // prettier-ignore
      const bad = x.gather(
        1,
        int([
          [0, 5],
          [2, 1],
        ]),
      );
      const ok = x.gather(1, int([[2], [0]]));
      const derived = bad.add(1).sum();
      // recorded after the bad kernel, in the same batch, and read first: unaffected
      expect(await values(ok)).toEqual([3, 4]);
      expect(await values(x.mul(2))).toEqual([2, 4, 6, 8, 10, 12]);
      const err = await rejection(bad.data());
      expect(err).toBeInstanceOf(IndexError);
      expect((err as IndexError).op).toBe('gather');
      expect(err!.message).toMatch(/^gather: index 5 is out of range for axis 1 of size 3/);
      // the same error again, never zeros; and on everything computed from it
      await expect(bad.data()).rejects.toThrow(IndexError);
      await expect(derived.data()).rejects.toThrow(/index 5 is out of range/);
      await expect(bad.mul(0).data()).rejects.toThrow(IndexError);
      await expect(bad.to(host)).rejects.toThrow(IndexError);
      // what is computed afterwards from clean tensors reads
      expect(await values(ok.add(1))).toEqual([4, 5]);
    });

    test('the same bad index raises the same error class on the CPU and on WebGPU', async () => {
      for (const b of [host, gpu]) {
        const x = tensor([[1, 2, 3]], { backend: b });
        const idx = tensor([[-1]], { dtype: 'int32', backend: b });
        const err = await rejection(Promise.resolve().then(() => x.gather(1, idx).data()));
        expect(err, b.name).toBeInstanceOf(IndexError);
        expect(err!.message, b.name).toMatch(
          /^gather: index -1 is out of range for axis 1 of size 3/,
        );
        const i7 = tensor([[0, 7]], { dtype: 'int32', backend: b });
        const s = rejection(
          Promise.resolve().then(() =>
            scatterAdd([1, 4], 1, i7, tensor([[1, 1]], { backend: b })).data(),
          ),
        );
        expect(await s, b.name).toBeInstanceOf(IndexError);
        expect((await s)!.message, b.name).toMatch(
          /^scatterAdd: index 7 is out of range for axis 1 of size 4/,
        );
      }
    });

    test('errors of several bad tensors stay apart; a read flushes them all', async () => {
      const x = tensor([[1, 2, 3]], { backend: gpu });
      const a = x.gather(1, int([[4]]));
      const b = x.gather(1, int([[9]]));
      const c = x.gather(1, int([[1]]));
      await expect(b.data()).rejects.toThrow(/index 9/);
      await expect(a.data()).rejects.toThrow(/index 4/);
      expect(await values(c)).toEqual([2]);
      // a tensor computed from both carries the first error
      await expect(a.add(b).add(c).data()).rejects.toThrow(/index 4/);
      expect(await values(c.add(c))).toEqual([4]);
    });

    test('dataSync() raises BackendError that points to await t.data()', () => {
      const x = tensor([1, 2], { backend: gpu });
      expect(() => x.dataSync()).toThrow(BackendError);
      expect(() => x.dataSync()).toThrow(/await t\.data\(\)/);
      expect(String(x)).toContain('backend=webgpu');
    });

    test('a lost device raises a BackendError that says so, at the next op and read', async () => {
      const own = await webgpu();
      const t = tensor([1, 2, 3], { backend: own });
      const pending = t.add(t).data(); // submitted before the loss: it may finish or fail clearly
      own.device.destroy();
      await own.device.lost;
      await pending.catch((e: unknown) => expect(e).toBeInstanceOf(BackendError));
      expect(() => t.mul(2)).toThrow(BackendError);
      expect(() => t.mul(2)).toThrow(/device was lost/);
      await expect(t.data()).rejects.toThrow(/device was lost/);
    });
  });
});
