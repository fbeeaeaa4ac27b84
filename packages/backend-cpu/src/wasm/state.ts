// Optimizer state that the WebAssembly kernels update where it lies. Adam's moments are read and
// written every step; kept in ordinary arrays, each step copies both into the kernels' memory and
// back. Here they live in a memory the kernels address directly: blocks ("slabs") of an instance of
// the kernels of their own, so that only the parameter and its gradient are copied, in chunks, into
// the slab's scratch area (W3 of the MNIST bench, interleaved runs: its second epoch 1.44–1.51 s
// with the copies, 1.36–1.39 s without).
//
// A slab's memory never grows once it holds state (growing would detach the arrays on it), so each
// is sized when made: at least what is asked, and twice the last one's size (from 1 MiB to 64 MiB),
// so that a model's moments take few slabs and few instances. A slab is collected with the last
// array on it, except the one being filled, which is kept for the next state; memory accounting
// sees each as one block (`gcUnit`: the slab's buffer).
import { CHUNK, FIRST, SLACK, align } from './layout.js';
import { type KernelExports, newInstance } from './instance.js';

/** A slab: its kernels, a view of its memory, the scratch for a chunk of p and g, the next free float. */
interface Slab {
  k: KernelExports;
  h: Float32Array;
  pAt: number;
  gAt: number;
  used: number;
}

const MIN_BYTES = 1 << 20;
const MAX_BYTES = 64 << 20;
let slab: Slab | undefined;
let nextBytes = MIN_BYTES;

/** Each slab by its memory's buffer (which never changes: a slab's memory never grows once made). */
const slabs = new WeakMap<ArrayBufferLike, Slab>();

function newSlab(floats: number): Slab | undefined {
  const pAt = FIRST;
  const gAt = align(pAt + CHUNK + SLACK);
  const first = align(gAt + CHUNK + SLACK);
  const bytes = Math.max(nextBytes, (first + floats) * 4);
  if (bytes > 0xffff0000) return undefined;
  let k: KernelExports;
  try {
    k = newInstance();
    k.memory.grow(Math.ceil(bytes / 65536) - k.memory.buffer.byteLength / 65536);
  } catch {
    return undefined; // the engine refused the memory: plain arrays instead
  }
  nextBytes = Math.min(MAX_BYTES, 2 * nextBytes);
  const made = { k, h: new Float32Array(k.memory.buffer), pAt, gAt, used: first };
  slabs.set(made.h.buffer, made);
  return made;
}

/**
 * `count` zeroed float32 arrays of `n` elements in one slab, or undefined where no slab can hold
 * them (the caller then makes plain arrays).
 */
export function stateF32(n: number, count: number): Float32Array[] | undefined {
  const floats = count * align(n + SLACK);
  if (!slab || slab.used + floats > slab.h.length) slab = newSlab(floats);
  if (!slab) return undefined;
  const s = slab;
  return Array.from({ length: count }, () => {
    const at = s.used;
    s.used = align(at + n + SLACK);
    return new Float32Array(s.h.buffer, at * 4, n);
  });
}

/**
 * Where Adam's moments `m` and `v` (whole state arrays, from `stateF32`) lie: their slab and
 * addresses in floats, or undefined when they are not both on one slab.
 */
export function homeOf(
  m: Float32Array,
  v: Float32Array,
): { slab: Slab; mAt: number; vAt: number } | undefined {
  const slab = slabs.get(m.buffer);
  if (!slab || slabs.get(v.buffer) !== slab) return undefined;
  return { slab, mAt: m.byteOffset / 4, vAt: v.byteOffset / 4 };
}
