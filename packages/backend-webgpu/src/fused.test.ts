// What is particular to WebGPU in its `Backend.fused` kernels and the matmul tiles behind `linear`:
// each tile on odd shapes, vec4 loads, a bad label flagged on the device, and a short training run
// that must end where the CPU's ends. The kernels' values on every input are the shared suite's
// (FUSED_CASES in @nablajs/backend-tests, run by conformance.test.ts).
import { cpu } from '@nablajs/backend-cpu';
import {
  type Backend,
  linear,
  manualSeed,
  randn,
  softmaxCrossEntropy,
  softmaxCrossEntropyGrad,
  type Tensor,
  tensor,
  useBackend,
} from '@nablajs/tensor';
import { describe, expect, test } from 'vitest';
// Not dependencies of this package (nn → tensor only); the tests reach them by path, as
// tensor's memory test reaches the CPU backend.
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
  // a new kernel takes SwiftShader a second or more to compile
  // the shared suite runs WebGPU at small sizes: here the sizes that pick each tile
  describe('fused linear (x·wᵀ + b) against the CPU, per tile', { timeout: 60_000 }, () => {
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
      [130, 16, 129, 'medium'],
    ] as const)(
      '%i×%i → %i with bias (the %s tile, partial at the edges)',
      async (N, K, O, tile) => {
        expect(pickTile(N, O, 1)).toBe(tile);
        await check((b) => ({ x: from(b, [N, K], 1), w: from(b, [O, K], 2), b: from(b, [O], 3) }));
      },
    );
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

  describe('fused softmax cross-entropy: a bad label', { timeout: 30_000 }, () => {
    // the kernel flags a bad label as gather does; the CPU's nn.crossEntropy checks labels up front
    test('a label out of range rejects the next read with a ShapeError', async () => {
      const logits = tensor([[1, 2, 3], [4, 5, 6]], { backend: gpu }); // prettier-ignore
      const labels = tensor([0, 7], { dtype: 'int32', backend: gpu });
      const bad = /^softmaxCrossEntropy: index 7 is out of range for an axis of size 3/;
      await expect(softmaxCrossEntropy(logits, labels).data()).rejects.toThrow(bad);
      const g = tensor([1, 1], { backend: gpu });
      await expect(softmaxCrossEntropyGrad(logits, labels, g).data()).rejects.toThrow(bad);
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
