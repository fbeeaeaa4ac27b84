// The WebGPU `Backend.fused` kernels (fused.ts, and the matmul tiles behind `linear`) against the CPU
// backend on the same inputs, and a short training run that must end where the CPU's ends.
import { cpu } from '@nablajs/backend-cpu';
import {
  type AdamStep,
  type Backend,
  fusedAdam,
  fusedSgd,
  IndexError,
  linear,
  manualSeed,
  randn,
  type SgdStep,
  softmaxCrossEntropy,
  softmaxCrossEntropyGrad,
  type Tensor,
  tensor,
  useBackend,
} from '@nablajs/tensor';
import { describe, expect, test } from 'vitest';
// Not dependencies of this package (nn → tensor only); the tests reach them by path, as
// tensor's memory test reaches the CPU backend.
import { Variable } from '../../autograd/src/index.js';
import { crossEntropy, Linear, Sequential, Sigmoid } from '../../nn/src/index.js';
import { Adam, type Optimizer, SGD } from '../../optim/src/index.js';
import { type Activation, matmul, pickTile, TILES, type TileName } from './matmul.js';
import { Runtime } from './runtime.js';
import { describeWithBackend } from '@nablajs/backend-tests';
import { gpuBackend } from './test-gpu.js';
import type { Ref } from './wgsl.js';

const host = cpu();

/** Row-major float32 numbers from the seeded generator (the same on every backend). */
const numbers = (n: number, seed: number, scale = 1) =>
  randn([n], { seed, backend: host }).mul(scale).dataSync() as Float32Array;

/** Indices where |got − want| > rtol·|want| + atol(i), at most five, with the values: [] when close. */
function misses(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  rtol: number,
  atol: (i: number) => number,
): string[] {
  expect(got.length).toBe(want.length);
  const out: string[] = [];
  for (let i = 0; i < want.length && out.length < 5; i++) {
    const [g, w] = [got[i]!, want[i]!];
    if (!(Math.abs(g - w) <= rtol * Math.abs(w) + atol(i))) out.push(`[${i}] ${g} vs ${w}`);
  }
  return out;
}

/** Expects two tensors (any backends) to hold the same float32 values, within float32 rounding. */
async function expectClose(got: Tensor, want: Tensor, rtol = 1e-5, atol = 1e-6): Promise<void> {
  expect(got.shape).toEqual(want.shape);
  expect(misses(await got.data(), await want.data(), rtol, () => atol)).toEqual([]);
}

await describeWithBackend('WebGPU', gpuBackend, (gpu) => {
  const onGpu = (t: Tensor) => t.to(gpu);

  // a new kernel takes SwiftShader a second or more to compile
  describe('fused linear (x·wᵀ + b) against the CPU', { timeout: 60_000 }, () => {
    /** linear on both backends; the error bound scales with Σₖ|x||w| + |b| of each output. */
    const check = async (
      make: (b: Backend) => { x: Tensor; w: Tensor; b?: Tensor },
      rtol = 1e-5,
    ): Promise<void> => {
      const c = make(host);
      const g = make(gpu);
      const want = linear(c.x, c.w, c.b);
      const got = linear(g.x, g.w, g.b);
      expect(got.shape).toEqual(want.shape);
      const mag = linear(c.x.abs(), c.w.abs(), c.b?.abs()).dataSync();
      expect(misses(await got.data(), want.dataSync(), rtol, (i) => 1e-6 * mag[i]!)).toEqual([]);
    };
    // the data of every case comes from fixed seeds, uploaded to each backend
    const from = (b: Backend, shape: number[], seed: number) =>
      tensor(
        numbers(
          shape.reduce((s, d) => s * d, 1),
          seed,
        ),
        { shape, backend: b },
      );

    test.each([
      [10, 784, 30, 'small'],
      [33, 70, 45, 'small'],
      [130, 16, 129, 'medium'],
    ] as const)(
      '%i×%i → %i with bias (the %s tile, partial at the edges)',
      async (N, K, O, tile) => {
        expect(pickTile(N, O, 1)).toBe(tile);
        await check((b) => ({ x: from(b, [N, K], 1), w: from(b, [O, K], 2), b: from(b, [O], 3) }));
      },
    );

    test('without bias, and with K = 1', async () => {
      await check((b) => ({ x: from(b, [33, 70], 4), w: from(b, [45, 70], 5) }));
      await check((b) => ({ x: from(b, [7, 1], 6), w: from(b, [5, 1], 7), b: from(b, [5], 8) }));
    });

    test('x a transposed view, x a sliced view, w transposed back, a strided bias', async () => {
      // x = xᵀᵀ: column-major [33, 70]
      await check((b) => ({
        x: from(b, [70, 33], 9).transpose(),
        w: from(b, [45, 70], 10),
        b: from(b, [45], 11),
      }));
      // x = big[3:13, 5:789], an offset view with row stride 800; bias = every other element
      await check((b) => ({
        x: from(b, [16, 800], 12).slice([
          [3, 13],
          [5, 789],
        ]),
        w: from(b, [30, 784], 13),
        b: from(b, [60], 14).slice([[0, 60, 2]]),
      }));
      // w itself a transposed view ([K, O] stored, [O, K] seen)
      await check((b) => ({ x: from(b, [9, 40], 15), w: from(b, [40, 20], 16).transpose() }));
    });

    test('empty shapes: no rows, and no inputs (the bias alone)', async () => {
      const x0 = tensor([], { shape: [0, 5], backend: gpu });
      const y0 = linear(x0, await onGpu(from(host, [3, 5], 17)));
      expect(y0.shape).toEqual([0, 3]);
      expect(Array.from(await y0.data())).toEqual([]);
      const bias = from(host, [4], 18);
      const y = linear(
        tensor([], { shape: [2, 0], backend: gpu }),
        tensor([], { shape: [4, 0], backend: gpu }),
        await onGpu(bias),
      );
      expect(Array.from(await y.data())).toEqual([...bias.dataSync(), ...bias.dataSync()]);
    });
  });

  test(
    'vec4 tile loads: sizes and strides in multiples of 4, every layout of A and B',
    { timeout: 60_000 },
    async () => {
      // [68, 128]·[128, 36]: every operand's contiguous axis is a multiple of 4 long, so both tiles
      // load a vec4 at a time (k-major or m/n-major); 68 and 36 leave partial tiles at the edges
      const [M, K, N] = [68, 128, 36];
      const make = (b: Backend, rows: number, cols: number, seed: number) =>
        tensor(numbers(rows * cols, seed), { shape: [rows, cols], backend: b });
      for (const [ta, tb] of [
        [false, false],
        [true, false],
        [false, true],
        [true, true],
      ] as const) {
        const [a, b] = [host, gpu].map((be) => {
          const x = ta ? make(be, K, M, 31).transpose() : make(be, M, K, 31);
          const y = tb ? make(be, N, K, 32).transpose() : make(be, K, N, 32);
          return x.matmul(y);
        });
        // normal entries: each product is a few units at most, a sum of K of them ≲ 4K in magnitude
        const atol = () => 1e-6 * 4 * K;
        expect(misses(await b!.data(), a!.dataSync(), 1e-5, atol), `Aᵀ ${ta}, Bᵀ ${tb}`).toEqual(
          [],
        );
      }
    },
  );

  describe('the matmul kernel with each tile named explicitly', { timeout: 60_000 }, () => {
    // matmul() chooses a tile by size; here every tile runs on odd shapes (partial tiles at every
    // edge), column-major A, a strided bias and the activation epilogues.
    const rt = new Runtime(gpu.device);
    const upload = (data: Float32Array, shape: number[], strides: number[], offset = 0): Ref => {
      const storage = rt.alloc(data.length, 'test');
      rt.write(storage, data);
      return { storage, dtype: 'float32', shape, strides, offset };
    };
    const [M, K, N] = [37, 70, 45];
    const a = numbers(K * M, 20); // stored [K, M]: A = its transpose
    const b = numbers(K * N, 21); // [K, N]
    const bias = numbers(2 * N + 1, 22, 3); // every other element from 1
    /** The float64 reference of act(A·B + bias), and its Σ|A||B| + |bias| for the tolerance. */
    function reference(act: Activation): [number[], number[]] {
      const want: number[] = [];
      const mag: number[] = [];
      for (let m = 0; m < M; m++)
        for (let n = 0; n < N; n++) {
          let s = bias[1 + 2 * n]!;
          let t = Math.abs(s);
          for (let k = 0; k < K; k++) {
            s += a[k * M + m]! * b[k * N + n]!;
            t += Math.abs(a[k * M + m]! * b[k * N + n]!);
          }
          const f = {
            none: s,
            relu: Math.max(s, 0),
            sigmoid: 1 / (1 + Math.exp(-s)),
            tanh: Math.tanh(s),
          };
          want.push(f[act]);
          mag.push(t);
        }
      return [want, mag];
    }

    test.each(Object.keys(TILES) as TileName[])('%s tile', async (tile) => {
      const A = upload(a, [M, K], [1, M]);
      const B = upload(b, [K, N], [N, 1]);
      const bias0 = upload(bias, [N], [2], 1);
      const out = matmul(rt, A, B, bias0, 'none', tile);
      const got = new Float32Array(await rt.read(out, 0, M * N, 'test'));
      const [want, mag] = reference('none');
      expect(misses(got, want, 1e-5, (i) => 1e-6 * mag[i]!)).toEqual([]);
      for (const s of [A.storage, B.storage, bias0.storage, out]) rt.free(s);
    });

    test('relu, sigmoid and tanh epilogues (|v| up to ~30)', async () => {
      const A = upload(a, [M, K], [1, M]);
      const B = upload(b, [K, N], [N, 1]);
      const bias0 = upload(bias, [N], [2], 1);
      for (const act of ['relu', 'sigmoid', 'tanh'] as const) {
        const out = matmul(rt, A, B, bias0, act, 'small');
        const got = new Float32Array(await rt.read(out, 0, M * N, 'test'));
        const [want, mag] = reference(act);
        expect(
          misses(got, want, 1e-5, (i) => 1e-6 * mag[i]!),
          act,
        ).toEqual([]);
        rt.free(out);
      }
    });
  });

  describe('fused SGD and Adam against the CPU', { timeout: 30_000 }, () => {
    const n = 1000; // four workgroups, the last one partial
    /** Dense views at an offset into a larger buffer, as a flattened parameter would be. */
    const state = (b: Backend, seed: number, k: number, positive = false) =>
      Array.from({ length: k }, (_, j) => {
        const raw = numbers(n + 8, seed + j);
        if (positive) raw.forEach((v, i) => (raw[i] = v * v));
        return tensor(raw, { backend: b }).slice([[3 + j, 3 + j + n]]);
      });
    const base: SgdStep = {
      lr: 0.1,
      momentum: 0,
      dampening: 0,
      nesterov: false,
      weightDecay: 0,
      maximize: false,
      init: false,
    };

    // run in order on one backend: each variant must get its own kernel, not a cached other one
    test.each<[string, Partial<SgdStep>]>([
      ['plain', {}],
      ['plain, weight decay, maximize', { weightDecay: 0.1, maximize: true }],
      ['momentum', { momentum: 0.9 }],
      ['momentum, dampening 0.3', { momentum: 0.9, dampening: 0.3 }],
      ['nesterov', { momentum: 0.9, nesterov: true }],
      ['momentum, weight decay, maximize', { momentum: 0.8, weightDecay: 0.05, maximize: true }],
      ['nesterov, maximize', { momentum: 0.9, nesterov: true, maximize: true }],
    ])('SGD %s: 3 steps (the first with init when there is momentum)', async (_, o) => {
      const opts = { ...base, ...o };
      const run = (b: Backend) => {
        const [p, g] = state(b, 100, 2);
        const buf = opts.momentum ? state(b, 200, 1)[0]! : null;
        for (let step = 0; step < 3; step++)
          expect(fusedSgd(p!, g!, buf, { ...opts, init: step === 0 })).toBe(true);
        return [p!, buf];
      };
      const [pc, bc] = run(host);
      const [pg, bg] = run(gpu);
      await expectClose(pg!, pc!);
      if (bc) await expectClose(bg!, bc);
    });

    test('SGD equals the documented formula (float64, by hand)', async () => {
      const opts = { ...base, momentum: 0.9, dampening: 0.1, weightDecay: 0.01, maximize: true };
      const [p, g] = state(gpu, 300, 2);
      const buf = state(gpu, 400, 1)[0]!;
      const [p0, g0, b0] = [await p!.data(), await g!.data(), await buf.data()];
      fusedSgd(p!, g!, buf, opts);
      const d = Array.from(p0, (x, i) => -g0[i]! + 0.01 * x);
      const bb = d.map((x, i) => 0.9 * b0[i]! + 0.9 * x);
      const pp = bb.map((x, i) => p0[i]! - 0.1 * x);
      expect(misses(await buf.data(), bb, 1e-5, () => 1e-6)).toEqual([]);
      expect(misses(await p!.data(), pp, 1e-5, () => 1e-6)).toEqual([]);
    });

    const adam: AdamStep = {
      lr: 0.01,
      beta1: 0.9,
      beta2: 0.999,
      eps: 1e-8,
      weightDecay: 0,
      decoupled: false,
      maximize: false,
      step: 1,
    };
    test.each<[string, Partial<AdamStep>, boolean]>([
      ['Adam', {}, false],
      ['Adam, L2 weight decay', { weightDecay: 0.1 }, false],
      ['AdamW (decoupled)', { weightDecay: 0.05, decoupled: true }, false],
      ['Adam amsgrad', {}, true],
      ['Adam maximize', { maximize: true }, false],
      ['AdamW amsgrad maximize', { weightDecay: 0.05, decoupled: true, maximize: true }, true],
    ])('%s: steps 1–3 with m, v (and vmax) carried', async (_, o, amsgrad) => {
      const run = (b: Backend) => {
        const [p, g, m] = state(b, 500, 3);
        const [v, vmax] = state(b, 600, 2, true);
        const vm = amsgrad ? vmax! : null;
        // vmax starts below v in some places and above it in others
        for (let step = 1; step <= 3; step++)
          expect(fusedAdam(p!, g!, m!, v!, vm, { ...adam, ...o, step })).toBe(true);
        return [p!, m!, v!, vm];
      };
      const c = run(host);
      const g = run(gpu);
      for (let k = 0; k < 4; k++) if (c[k]) await expectClose(g[k]!, c[k]!);
    });
  });

  describe('fused softmax cross-entropy against the CPU', { timeout: 30_000 }, () => {
    /** logits [N, C] seen through a transpose, with rows of ±80 (and ±1000), labels and g strided. */
    function inputs(b: Backend, N: number, C: number, seed: number) {
      const raw = numbers(N * C, seed, 3);
      for (let c = 0; c < C; c++) {
        raw[c * N] = c % 2 ? 80 : -80; // row 0: ±80
        if (N > 1) raw[c * N + 1] = c === 1 % C ? 1000 : -1000; // row 1: one huge logit
      }
      const logits = tensor(raw, { shape: [C, N], backend: b }).transpose();
      const lab = Array.from({ length: 2 * N }, (_, i) => (i * 7 + 3) % C);
      const labels = tensor(lab, { dtype: 'int32', backend: b }).slice([[1, 2 * N, 2]]);
      const g = tensor(numbers(2 * N, seed + 1), { backend: b }).slice([[0, 2 * N, 2]]);
      return { logits, labels, g };
    }
    test.each([
      [4, 5],
      [300, 10],
      [3, 1],
    ])('N=%i, C=%i: loss and gradient', async (N, C) => {
      const c = inputs(host, N, C, 30);
      const g = inputs(gpu, N, C, 30);
      const lc = softmaxCrossEntropy(c.logits, c.labels);
      const lg = softmaxCrossEntropy(g.logits, g.labels);
      const loss = await lg.data();
      expect(loss.every(Number.isFinite)).toBe(true);
      await expectClose(lg, lc, 1e-5, 1e-5);
      const gc = softmaxCrossEntropyGrad(c.logits, c.labels, c.g);
      const gg = softmaxCrossEntropyGrad(g.logits, g.labels, g.g);
      expect((await gg.data()).every(Number.isFinite)).toBe(true);
      await expectClose(gg, gc, 1e-5, 1e-6);
    });

    test('known values: uniform logits give log C; ±80 gives 160 and 0', async () => {
      const logits = tensor(
        [
          [0, 0, 0, 0],
          [-80, 80, -80, 80],
          [-80, 80, -80, 80],
        ],
        { backend: gpu },
      );
      const labels = tensor([2, 0, 1], { dtype: 'int32', backend: gpu });
      const loss = await softmaxCrossEntropy(logits, labels).data();
      expect(loss[0]).toBeCloseTo(Math.log(4), 6);
      expect(loss[1]).toBeCloseTo(160 + Math.log(2), 3);
      expect(loss[2]).toBeCloseTo(Math.log(2), 6);
    });
    // the kernel flags a bad label as gather does; the CPU's nn.crossEntropy checks labels up front:
    // both raise an IndexError, on the CPU at once, on the GPU when the loss (or its gradient) is read
    test('a label out of range is an IndexError on both backends, raised by the tensors it made', async () => {
      const logits = tensor([[1, 2, 3], [4, 5, 6]], { backend: gpu }); // prettier-ignore
      const labels = tensor([0, 7], { dtype: 'int32', backend: gpu });
      const bad = /^softmaxCrossEntropy: target label 7 is out of range for 3 classes/;
      const loss = softmaxCrossEntropy(logits, labels);
      const g = softmaxCrossEntropyGrad(logits, labels, tensor([1, 1], { backend: gpu }));
      expect(Array.from(await logits.data())).toEqual([1, 2, 3, 4, 5, 6]);
      await expect(loss.data()).rejects.toThrow(IndexError);
      await expect(loss.data()).rejects.toThrow(bad);
      await expect(g.data()).rejects.toThrow(bad);
      for (const b of [host, gpu]) {
        const x = new Variable(tensor([[1, 2, 3]], { backend: b }), true);
        const run = Promise.resolve().then(async () => {
          const l = crossEntropy(x, tensor([3], { dtype: 'int32', backend: b }));
          l.backward();
          return [await l.data.data(), await x.grad!.data()];
        });
        await expect(run, b.name).rejects.toThrow(IndexError);
      }
    });
  });

  describe('end to end: the same training on both backends', { timeout: 60_000 }, () => {
    test.each<[string, (m: Sequential) => Optimizer]>([
      ['SGD with momentum', (m) => new SGD(m.parameters(), { lr: 0.5, momentum: 0.9 })],
      ['Adam', (m) => new Adam(m.parameters(), { lr: 0.02 })],
    ])(
      'Linear + Sigmoid + Linear, crossEntropy, %s: 20 steps from one seed',
      async (_, makeOpt) => {
        const x0 = numbers(32 * 20, 40);
        const y0 = Int32Array.from({ length: 32 }, (_, i) => (i * 5 + (x0[i]! > 0 ? 1 : 0)) % 6);
        const train = (b: Backend) => {
          useBackend(b);
          manualSeed(7);
          const model = new Sequential(new Linear(20, 16), new Sigmoid(), new Linear(16, 6));
          const opt = makeOpt(model);
          const x = tensor(x0, { shape: [32, 20] });
          const y = tensor(y0);
          const first = model.parameters().map((p) => p.data.clone());
          for (let step = 0; step < 20; step++) {
            const loss = crossEntropy(model.forward(x), y);
            opt.zeroGrad();
            loss.backward();
            opt.step();
          }
          return { model, first, loss: crossEntropy(model.forward(x), y) };
        };
        const c = train(host);
        const g = train(gpu);
        // the initial weights agree (the same Philox stream), then the trained ones
        for (const [k, t] of g.first.entries()) await expectClose(t, c.first[k]!, 1e-6, 1e-7);
        const pc = c.model.parameters();
        const pg = g.model.parameters();
        for (const [k, p] of pg.entries()) await expectClose(p.data, pc[k]!.data, 0, 1e-4);
        const [lc, lg] = [await c.loss.data.item(), await g.loss.data.item()];
        expect(Math.abs(lg - lc)).toBeLessThan(1e-4);
        expect(lc).toBeLessThan(Math.log(6)); // it learned something
      },
    );
  });
});
