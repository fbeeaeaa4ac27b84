// ReLU and its gradient on dense float32, branch-free: on a network's activations the sign of each
// element is a coin toss, and the branches of `x > 0 ? x : …` mispredicted about every other element
// (relu and its gradient were 14 % of a LeNet training step). Both keep an element's bits where the
// mask below is all ones, and write +0 elsewhere, so they agree with the scalar definitions
// (tables.ts, fused.ts): NaN passes through relu, and ReLU's gradient passes g where y is NaN.

// The mask, all ones where the float32 with bits b is above +0 or NaN, else 0 (sign clear and
// b ≠ 0, or the magnitude past +Infinity's bits), with m = b & 0x7fffffff:
//   (~(b >> 31) & (-m >> 31)) | ((0x7f800000 - m) >> 31)
// It is written out in each loop: as a helper function it ran at half the speed.

/** Elements from which relu and its gradient go to WebAssembly (wasm/activation.ts), copies and all. */
export const RELU_WASM_MIN = 4096;

const bits = (a: Float32Array, offset: number, n: number): Int32Array =>
  new Int32Array(a.buffer, a.byteOffset + offset * 4, n);

/** out[i] = relu(x[xo + i]) for i < n: x where x > 0 or NaN, else +0. */
export function reluF32(x: Float32Array, xo: number, out: Float32Array, n: number): void {
  const [xi, oi] = [bits(x, xo, n), bits(out, 0, n)];
  for (let i = 0; i < n; i++) {
    const b = xi[i]!;
    const m = b & 0x7fffffff;
    oi[i] = b & ((~(b >> 31) & (-m >> 31)) | ((0x7f800000 - m) >> 31));
  }
}

/** out[i] = g[i] where y[i] > 0 or y[i] is NaN, else +0 (threshold_backward), for i < n. */
export function reluGradF32(y: Float32Array, g: Float32Array, out: Float32Array, n: number): void {
  const [yi, gi, oi] = [bits(y, 0, n), bits(g, 0, n), bits(out, 0, n)];
  for (let i = 0; i < n; i++) {
    const b = yi[i]!;
    const m = b & 0x7fffffff;
    oi[i] = gi[i]! & ((~(b >> 31) & (-m >> 31)) | ((0x7f800000 - m) >> 31));
  }
}
