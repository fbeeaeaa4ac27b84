import type { TensorRef, TypedArray } from '@nablajs/tensor';
import { describe, expect, it } from 'vitest';
import { cpu } from './cpu.js';
import { CHUNK } from './wasm/layout.js';

// A sum over the leading axes of dense float32 runs on the WebAssembly kernels (sumRows); it must
// give what the TypeScript fold gives (cpu({ wasm: false })), to the bit: the same additions in
// doubles, in the same order.

const [wasm, js] = [cpu(), cpu({ wasm: false })];
const edges = [0, -0, 1e-45, -3.4e38, 3.4e38, Infinity, -Infinity, NaN, 1, -1, 0.1];

function dense(shape: number[], at: (i: number) => number): TensorRef<TypedArray> {
  const n = shape.reduce((a, b) => a * b, 1);
  const storage = Float32Array.from({ length: n + 3 }, (_, i) => at(i));
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  return { storage, shape, strides, offset: 3, dtype: 'float32' };
}

describe('sum over leading axes on the WebAssembly kernels', () => {
  it.each([
    ['[64, 100], a bias gradient', [64, 100], [0]],
    ['[7, 13]: five columns past the last eight', [7, 13], [0]],
    ['[2, 3, 5] over its first two axes', [2, 3, 5], [0, 1]],
    [`[5, ${CHUNK + 3}]: a chunk of one row`, [5, CHUNK + 3], [0]],
    [`[${CHUNK}, 3]: several chunks of rows`, [CHUNK, 3], [0]],
  ])('%s: the fold, bit for bit', (_, shape, axes) => {
    const x = dense(shape, (i) => Math.sin(i * 12.9898) * 1e3 * (i % 5 === 0 ? 1e-7 : 1));
    const [got, want] = [wasm.reduce('sum', x, axes), js.reduce('sum', x, axes)];
    expect(Array.from(got, (v, i) => Object.is(v, want[i]))).not.toContain(false);
  });

  it('keeps NaN, infinities, ±0 and overflow as the fold does', () => {
    const x = dense([edges.length, edges.length], (i) => edges[i % edges.length]!);
    const y = dense([3, edges.length], (i) => edges[(i * 7) % edges.length]!);
    for (const t of [x, y]) {
      const [got, want] = [wasm.reduce('sum', t, [0]), js.reduce('sum', t, [0])];
      expect(Array.from(got, (v, i) => Object.is(v, want[i]))).not.toContain(false);
    }
  });
});
