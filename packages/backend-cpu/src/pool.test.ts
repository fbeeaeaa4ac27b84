import { ShapeError, type TensorRef, type TypedArray, windowGeometry } from '@nablajs/tensor';
import { describe, expect, it } from 'vitest';
import { windowKernels } from './window.js';

// MaxPool2d(2)'s gradient on the WebAssembly kernel writes each element from its window's gradient
// and position instead of scattering into zeros; what the scatter does with positions that are not
// in their window, it must still do. The reference here is that scatter, written out plainly.

const wasm = windowKernels(true);

const ref = (storage: TypedArray, shape: number[]): TensorRef<TypedArray> => {
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  return {
    storage,
    shape,
    strides,
    offset: 0,
    dtype: storage instanceof Int32Array ? 'int32' : 'float32',
  };
};

/** zeros [nc, H·W], then g[i] added at idx[i] in its plane. */
function scatter(g: Float32Array, idx: Int32Array, nc: number, plane: number): Float32Array {
  const out = new Float32Array(nc * plane);
  const L = g.length / nc;
  for (let i = 0; i < g.length; i++) out[Math.floor(i / L) * plane + idx[i]!]! += g[i]!;
  return out;
}

/** The gradient of 2×2 pooling on [N, C, H, W] from gradients `g` and positions `idx`. */
function grad(g: Float32Array, idx: Int32Array, [N, C, H, W]: number[]) {
  const geo = windowGeometry('maxPool', [H!, W!], { kernelSize: 2, stride: 2 });
  const out = [N!, C!, H! >> 1, W! >> 1];
  return wasm.maxPoolGrad(ref(g, out), ref(idx, out), geo);
}

describe('maxPoolGrad of MaxPool2d(2) on the CPU kernel', () => {
  // 2 planes of 5×11: 2×5 windows each (4 at a time, then one), the last row and column in none
  const [N, C, H, W] = [1, 2, 5, 11];
  const L = (H >> 1) * (W >> 1);
  const g = Float32Array.from({ length: N * C * L }, (_, i) => (i % 7) - 2.5);

  // each window's position: its elements in turn
  const inWindows = Int32Array.from({ length: g.length }, (_, i) => {
    const [m, j] = [Math.floor((i % L) / (W >> 1)), (i % L) % (W >> 1)];
    return 2 * m * W + 2 * j + [0, 1, W, W + 1][(i * 5) % 4]!;
  });

  it('is the scatter for positions in their windows, −0 giving +0', () => {
    const g0 = g.slice();
    [g0[3], g0[4], g0[5]] = [-0, -0, -0]; // four windows at a time, then one alone
    const got = grad(g0, inWindows, [N, C, H, W]);
    const want = scatter(g0, inWindows, N * C, H * W);
    want.forEach((v, i) => expect(Object.is(got[i], v)).toBe(true));
  });

  it('adds positions outside their windows where they say', () => {
    for (const at of [1, 4]) {
      const idx = inWindows.slice();
      idx[at] = 0; // window 1 (or 4, alone) of the first row gives its gradient to element 0
      expect([...grad(g, idx, [N, C, H, W])]).toEqual([...scatter(g, idx, N * C, H * W)]);
    }
  });

  it('refuses a position outside the plane', () => {
    const idx = new Int32Array(g.length);
    idx[L + 6] = H * W;
    expect(() => grad(g, idx, [N, C, H, W])).toThrow(ShapeError);
    expect(() => grad(g, idx, [N, C, H, W])).toThrow(
      'maxPoolGrad: index 55 is out of range for an input plane of 55 elements',
    );
  });
});
