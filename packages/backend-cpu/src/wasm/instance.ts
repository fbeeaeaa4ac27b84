// The kernels' WebAssembly instance and its memory: every wrapper in this folder lays its operands
// out from FIRST (layout.ts) and calls `reserve` for what it uses; above that, one large matmul
// operand may stay from one call to the next (`Resident`).
import { kernelBuild, kernelBytes } from './builds.js';
import { SLACK, align } from './layout.js';

export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  sgd(p: number, g: number, n: number, lr: number, wd: number, sign: number): void;
  adam(
    p: number, g: number, m: number, v: number, n: number, sign: number, l2: number, c1: number,
    b2: number, c2: number, shrink: number, stepSize: number, bias2Sqrt: number, eps: number,
  ): void; // prettier-ignore
  relu(x: number, n: number): void;
  sigmoid(x: number, n: number): void;
  softmaxCrossEntropy(x: number, N: number, C: number, l: number, g: number, out: number): void;
  addTo(p: number, g: number, n: number): void;
  addRows(c: number, M: number, N: number, bias: number): void;
  sumRows(x: number, R: number, C: number, out: number): void;
  padRows(plain: number, padded: number, planes: number, D: number, H: number, W: number, pd: number, ph: number, pw: number, into: number): void; // prettier-ignore
  reluGrad(y: number, g: number, n: number): void;
  activationGrad(y: number, g: number, n: number, tanh: number): void;
  im2col(x: number, plane: number, nc: number, out: number, plan: number, K: number, M: number, Wo: number, step: number): void; // prettier-ignore
  maxPool(x: number, plane: number, nc: number, vals: number, idx: number, plan: number, K: number, M: number, Wo: number, step: number): void; // prettier-ignore
  maxPool2x2(x: number, H: number, W: number, nc: number, vals: number, idx: number): void;
  maxPoolGrad2x2(g: number, idx: number, H: number, W: number, nc: number, out: number): number;
  col2im(cols: number, plane: number, nc: number, out: number, plan: number, K: number, M: number, Wo: number, step: number): void; // prettier-ignore
  matmul(
    M: number,
    N: number,
    K: number,
    a: number,
    aStrideM: number,
    aStrideK: number,
    b: number,
    bStrideK: number,
    bStrideN: number,
    c: number,
    work: number,
  ): void;
}

let kernels: KernelExports | undefined;
/** A view of the instance's memory (replaced when it grows). */
export let heap = new Float32Array(0);

let compiled: WebAssembly.Module | undefined;

/** A new instance of the kernels, with a memory of its own (one page). */
export function newInstance(): KernelExports {
  compiled ??= new WebAssembly.Module(kernelBytes(kernelBuild(), false));
  return new WebAssembly.Instance(compiled, {}).exports as unknown as KernelExports;
}

/** The kernels' instance, made on first use. */
export function instance(): KernelExports {
  if (kernels === undefined) {
    kernels = newInstance();
    heap = new Float32Array(kernels.memory.buffer);
  }
  return kernels;
}

/** Makes the module's memory at least `floats` long; returns the current view. */
function grow(k: KernelExports, floats: number): Float32Array {
  if (heap.length < floats) {
    const pages = Math.ceil((floats * 4 - k.memory.buffer.byteLength) / 65536);
    k.memory.grow(pages);
    heap = new Float32Array(k.memory.buffer);
  }
  return heap;
}

/**
 * Makes the module's memory at least `floats` long for a call that uses its first `floats` (every
 * kernel's regions start at FIRST); returns the current view. A resident operand lying there is
 * dropped.
 */
export function reserve(k: KernelExports, floats: number): Float32Array {
  if (floats > highWater) {
    highWater = floats;
    if (resident && floats > resident.at) resident = undefined;
  }
  return grow(k, floats);
}

// ---- a large operand kept in the module's memory from one matmul to the next ----

/**
 * The last large A operand (a compact span of RESIDENT_MIN floats or more) that the backend's matmul
 * (`matmulOwned`) copied in, kept above every region a call has reserved (`highWater`, so the memory
 * grows to the most any call took plus this copy): a later matmul that reads elements of the same
 * array within that span takes them from there instead of copying them again. A linear layer's
 * input x is A of its forward (x·Wᵀ) and B of its weight's gradient (gᵀ·x): W2 of the MNIST bench
 * copies 128×784 floats one time less a step (its epoch ~0.23 → ~0.21 s). The copy is dropped when
 * a call reserves the memory it lies in, when another operand takes its place, and when its array
 * is written in place or given back (`written`: copy, the optimizer updates, recycle), the only ways
 * the backend changes an array it did not just make. The array is known by an id in a WeakMap,
 * which does not keep it alive: a strong reference could hold a whole training set (a batch is a
 * view of it) after the program let it go, and a WeakRef would keep every array it ever saw alive
 * to the end of a synchronous loop.
 */
interface Resident {
  /** The array's id (`ids`). */
  src: number;
  offset: number;
  span: number;
  at: number;
}
let resident: Resident | undefined;
/** The most floats any call has reserved (the resident copy aside). */
let highWater = 0;
/** Floats from which an A operand stays resident (smaller copies cost little). */
export const RESIDENT_MIN = 1 << 14;

/** An id for each array a resident copy came from, held weakly. */
const ids = new WeakMap<object, number>();
let lastId = 0;

/** Drops the resident copy of `array`: about to be changed in place, or given back. */
export function written(array: ArrayLike<number> | undefined): void {
  if (resident && array && ids.get(array) === resident.src) resident = undefined;
}

/** Where x[offset .. offset + span) lies in the module's memory (in floats), or -1 if not there. */
export function residentAt(x: Float32Array, offset: number, span: number): number {
  const r = resident;
  if (
    !r ||
    ids.get(x) !== r.src ||
    span < 0 ||
    offset < r.offset ||
    offset + span > r.offset + r.span
  )
    return -1;
  return r.at + offset - r.offset;
}

/**
 * Copies x[offset .. offset + span) above every reserved region, as the resident operand; returns
 * where it lies, or -1 if the memory cannot grow to hold it (nothing is resident then).
 */
export function makeResident(
  k: KernelExports,
  x: Float32Array,
  offset: number,
  span: number,
): number {
  resident = undefined;
  const at = align(highWater);
  try {
    grow(k, at + span + SLACK).set(x.subarray(offset, offset + span), at);
  } catch {
    return -1;
  }
  let src = ids.get(x);
  if (src === undefined) ids.set(x, (src = ++lastId));
  resident = { src, offset, span, at };
  return at;
}
