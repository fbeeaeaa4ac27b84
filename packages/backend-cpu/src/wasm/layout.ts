// Where a matmul's operands, result and work areas go in the WebAssembly module's memory (float
// offsets), and the copies that put A and B there: shared by the one-thread and threaded runs of
// matmul.ts, and the layout constants by the window and optimizer kernels.

// Must match kernels/matmul.wat: K blocks of at most KC, M blocks of at most MC rows.
const KC = 512;
const MC = 128;
/**
 * Floats of slack after each region: partial tiles read up to 7 floats past an operand's last
 * element, and read and write up to 7 past the end of C.
 */
export const SLACK = 16;
/** Regions start on 64-byte lines, the first after 256 bytes (address 0 stays unused). */
export const FIRST = 64;
/**
 * Elements per chunk of the elementwise kernels' copies (optimizer updates, ReLU), so that an
 * operand's copy in, the kernel and the copy out meet in the core's cache (2026-12-06, one core of
 * this machine: Adam on 78,400 weights 150 → 117 µs, ReLU's gradient on 301,056 floats 303 → 172 µs;
 * 2,048 to 16,384 all about the same).
 */
export const CHUNK = 4096;

// Round up to a multiple of 16 (64-byte lines), 8 and 4 floats; arithmetic, as n may pass 2^31.
export const align = (n: number): number => Math.ceil(n / 16) * 16;
const align8 = (n: number): number => Math.ceil(n / 8) * 8;
const align4 = (n: number): number => Math.ceil(n / 4) * 4;

/**
 * Elements spanned by a 2-d view with non-negative strides, or -1 where the view must be gathered
 * first: a negative stride, or a span much larger than the view (a slice of something bigger).
 */
function spanOf(rows: number, sRow: number, cols: number, sCol: number): number {
  if (sRow < 0 || sCol < 0) return -1;
  const span = (rows - 1) * sRow + (cols - 1) * sCol + 1;
  return span <= 2 * rows * cols + 64 ? span : -1;
}

/** A RangeError naming the operand when a view reaches outside its array. */
export function checkView(
  name: string,
  x: ArrayLike<number>,
  off: number,
  rows: number,
  sRow: number,
  cols: number,
  sCol: number,
): void {
  const lo = off + Math.min(0, (rows - 1) * sRow) + Math.min(0, (cols - 1) * sCol);
  const hi = off + Math.max(0, (rows - 1) * sRow) + Math.max(0, (cols - 1) * sCol);
  if (!(lo >= 0 && hi < x.length)) {
    throw new RangeError(
      `matmulF32: ${name} view [${rows}, ${cols}] with strides [${sRow}, ${sCol}] at offset ${off} ` +
        `reaches elements ${lo}..${hi} of an array of ${x.length}`,
    );
  }
}

/** Copies a view's rows x cols elements, row-major, to heap[at..]. */
function gather(
  h: Float32Array,
  at: number,
  x: Float32Array,
  off: number,
  rows: number,
  sRow: number,
  cols: number,
  sCol: number,
): void {
  let d = at;
  for (let i = 0; i < rows; i++) {
    let s = off + i * sRow;
    for (let j = 0; j < cols; j++, s += sCol) h[d++] = x[s]!;
  }
}

/** Where A and B go in the module's memory, and the first float after them (`end`). */
export interface OperandLayout {
  /** Elements A spans (-1: gathered row-major first, see `spanOf`), and where it starts. */
  aSpan: number;
  aAt: number;
  bSpan: number;
  bAt: number;
  end: number;
  /** Whether A (B) is already at aAt (bAt), resident (matmul.ts): `place` leaves it. */
  aHere: boolean;
  bHere: boolean;
}

/** A at FIRST, then B, each region on a 64-byte line with SLACK after it. */
export function layOut(
  M: number,
  N: number,
  K: number,
  aStrideM: number,
  aStrideK: number,
  bStrideK: number,
  bStrideN: number,
): OperandLayout {
  const aSpan = spanOf(M, aStrideM, K, aStrideK);
  const bSpan = spanOf(K, bStrideK, N, bStrideN);
  const aAt = FIRST;
  const bAt = align(aAt + (aSpan < 0 ? M * K : aSpan) + SLACK);
  const end = align(bAt + (bSpan < 0 ? K * N : bSpan) + SLACK);
  return { aSpan, aAt, bSpan, bAt, end, aHere: false, bHere: false };
}

/** Takes A's region out of `lay` (A is read where it already lies): B moves down to FIRST. */
export function withoutA(lay: OperandLayout): void {
  const d = lay.bAt - FIRST;
  lay.bAt -= d;
  lay.end -= d;
  lay.aAt = -1;
}

/** The strides of the operands as placed in wasm memory by `place` (a gathered one is row-major). */
export const placed = [0, 0, 0, 0];

/** Copies A and B to where `lay` puts them (compact spans as they are, others gathered). */
export function place(
  h: Float32Array,
  lay: OperandLayout,
  M: number,
  N: number,
  K: number,
  a: Float32Array,
  aOffset: number,
  aStrideM: number,
  aStrideK: number,
  b: Float32Array,
  bOffset: number,
  bStrideK: number,
  bStrideN: number,
): void {
  const { aSpan, aAt, bSpan, bAt } = lay;
  if (aSpan < 0) {
    gather(h, aAt, a, aOffset, M, aStrideM, K, aStrideK);
    [aStrideM, aStrideK] = [K, 1];
  } else if (!lay.aHere) h.set(a.subarray(aOffset, aOffset + aSpan), aAt);
  if (bSpan < 0) {
    gather(h, bAt, b, bOffset, K, bStrideK, N, bStrideN);
    [bStrideK, bStrideN] = [N, 1];
  } else if (!lay.bHere) h.set(b.subarray(bOffset, bOffset + bSpan), bAt);
  placed[0] = aStrideM;
  placed[1] = aStrideK;
  placed[2] = bStrideK;
  placed[3] = bStrideN;
}

/** Floats of a thread's work area for `rows` rows: the scratch tile, then the packed panels. */
export const workFloats = (rows: number, N: number, K: number): number =>
  32 + (align8(N) + Math.min(align4(rows), MC)) * Math.min(K, KC) + SLACK;
