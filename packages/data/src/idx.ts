import { DataFormatError } from './errors.js';

/** Element types an IDX file can hold, named as in `@nablajs/tensor`. */
export type IdxDType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/** The typed array that holds each {@link IdxDType}. */
export interface IdxTypedArrays {
  /** Type code 0x08, unsigned bytes (MNIST's pixels and labels). */
  uint8: Uint8Array;
  /** Type code 0x09, signed bytes. */
  int8: Int8Array;
  /** Type code 0x0B, big-endian 16-bit integers. */
  int16: Int16Array;
  /** Type code 0x0C, big-endian 32-bit integers. */
  int32: Int32Array;
  /** Type code 0x0D, big-endian 32-bit floats. */
  float32: Float32Array;
  /** Type code 0x0E, big-endian 64-bit floats. */
  float64: Float64Array;
}

/** A decoded IDX file: a dense, row-major n-d array in native byte order. */
export interface IdxArray<D extends IdxDType = IdxDType> {
  /** The element type named by the file's type code. */
  dtype: D;
  /** Dimensions, outermost first, e.g. `[60000, 28, 28]` for MNIST training images. */
  shape: number[];
  /** The elements, row-major; its own copy, never a view of the input bytes. */
  data: IdxTypedArrays[D];
}

interface DTypeInfo {
  code: number;
  bytes: number;
  make: (n: number) => IdxTypedArrays[IdxDType];
  read: (view: DataView, byteOffset: number) => number;
}

// IDX type codes (LeCun's format description); multi-byte elements are big-endian.
const DTYPES: Record<IdxDType, DTypeInfo> = {
  uint8: { code: 0x08, bytes: 1, make: (n) => new Uint8Array(n), read: (v, o) => v.getUint8(o) },
  int8: { code: 0x09, bytes: 1, make: (n) => new Int8Array(n), read: (v, o) => v.getInt8(o) },
  int16: { code: 0x0b, bytes: 2, make: (n) => new Int16Array(n), read: (v, o) => v.getInt16(o) },
  int32: { code: 0x0c, bytes: 4, make: (n) => new Int32Array(n), read: (v, o) => v.getInt32(o) },
  float32: {
    code: 0x0d,
    bytes: 4,
    make: (n) => new Float32Array(n),
    read: (v, o) => v.getFloat32(o),
  },
  float64: {
    code: 0x0e,
    bytes: 8,
    make: (n) => new Float64Array(n),
    read: (v, o) => v.getFloat64(o),
  },
};

const BY_CODE = new Map<number, IdxDType>(
  (Object.keys(DTYPES) as IdxDType[]).map((d) => [DTYPES[d].code, d]),
);

const hex = (b: number): string => '0x' + b.toString(16).padStart(2, '0');

/** True when `bytes` start with the gzip magic number `1f 8b`. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decodes an uncompressed IDX file (the format of MNIST and its relatives).
 *
 * Pure and browser-safe. Validates the magic number (`00 00 <type> <ndims>`), the type code, and that
 * the data length is exactly the product of the dimensions; anything else throws a
 * {@link DataFormatError} naming `name`. Gzip-compressed bytes are rejected with a hint: use
 * {@link decodeIdx} (async, any runtime) or `readIdxFile` (Node) for those.
 *
 * @param bytes The whole file.
 * @param name Used in error messages, typically the file name.
 */
export function parseIdx(bytes: Uint8Array, name = '<idx bytes>'): IdxArray {
  if (isGzip(bytes)) {
    throw new DataFormatError(
      'parseIdx',
      name,
      'is gzip-compressed (starts with 1f 8b); decompress it first, or use decodeIdx() / readIdxFile()',
    );
  }
  if (bytes.length < 4) {
    throw new DataFormatError(
      'parseIdx',
      name,
      `too short for an IDX header: expected at least 4 bytes, found ${bytes.length}`,
    );
  }
  const [z0, z1, code, ndims] = bytes as unknown as [number, number, number, number];
  if (z0 !== 0 || z1 !== 0) {
    throw new DataFormatError(
      'parseIdx',
      name,
      `bad IDX magic number: expected the first two bytes to be 0x00 0x00, found ${hex(z0)} ${hex(z1)}`,
    );
  }
  const dtype = BY_CODE.get(code);
  if (dtype === undefined) {
    throw new DataFormatError(
      'parseIdx',
      name,
      `unsupported IDX type code ${hex(code)}: expected one of ` +
        [...BY_CODE].map(([c, d]) => `${hex(c)} (${d})`).join(', '),
    );
  }
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw new DataFormatError(
      'parseIdx',
      name,
      `truncated header: ${ndims} dimensions need ${headerBytes} header bytes, found ${bytes.length}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < ndims; i++) shape.push(view.getUint32(4 + 4 * i));
  const info = DTYPES[dtype];
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = count * info.bytes;
  const found = bytes.length - headerBytes;
  if (found !== expected) {
    const dims = `${shape.join('×') || 'scalar'} ${dtype} = ${expected} data bytes`;
    throw new DataFormatError(
      'parseIdx',
      name,
      found < expected
        ? `truncated: header says ${dims}, found ${found}`
        : `length mismatch: header says ${dims}, found ${found} (${found - expected} trailing bytes)`,
    );
  }
  let data: IdxTypedArrays[IdxDType];
  if (info.bytes === 1) {
    const src = bytes.subarray(headerBytes);
    data = dtype === 'uint8' ? src.slice() : new Int8Array(src.slice().buffer);
  } else {
    data = info.make(count);
    for (let i = 0, o = headerBytes; i < count; i++, o += info.bytes) data[i] = info.read(view, o);
  }
  return { dtype, shape, data };
}

/**
 * Decodes an IDX file that may be gzip-compressed (detected by its magic bytes `1f 8b`), using the
 * standard `DecompressionStream`, so it works in browsers, Node ≥ 18, Deno and Bun.
 *
 * @example
 * const bytes = new Uint8Array(await (await fetch('/t10k-labels-idx1-ubyte.gz')).arrayBuffer());
 * const labels = await decodeIdx(bytes, 't10k-labels-idx1-ubyte.gz');
 */
export async function decodeIdx(bytes: Uint8Array, name = '<idx bytes>'): Promise<IdxArray> {
  if (!isGzip(bytes)) return parseIdx(bytes, name);
  return parseIdx(await inflateIdx(bytes, name, 'decodeIdx'), name);
}

/**
 * Decompresses gzip bytes that hold an IDX file, no further than the size its header declares:
 * inflation stops (with a {@link DataFormatError}) as soon as the output passes that size, so a
 * small file that would inflate to gigabytes costs about one chunk past the declared size. A bad
 * header stops it too (parseIdx then says what is wrong). `DecompressionStream`: any runtime.
 * @internal
 */
export async function inflateIdx(bytes: Uint8Array, name: string, op: string): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let limit = Infinity;
  let declared = '';
  const reader = new Blob([bytes as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new DecompressionStream('gzip'))
    .getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.length;
      if (limit === Infinity && total >= 4) {
        const head = concat(chunks, total);
        const [z0, z1, code, ndims] = head as unknown as number[];
        const dtype = BY_CODE.get(code!);
        if (z0 !== 0 || z1 !== 0 || dtype === undefined) break; // parseIdx names the problem
        const headerBytes = 4 + 4 * ndims!;
        if (total >= headerBytes) {
          const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
          const shape = Array.from({ length: ndims! }, (_, i) => view.getUint32(4 + 4 * i));
          limit = headerBytes + shape.reduce((x, d) => x * d, 1) * DTYPES[dtype].bytes;
          declared = `${shape.join('×') || 'scalar'} ${dtype}`;
        }
      }
      if (total > limit)
        throw new DataFormatError(
          op,
          name,
          `decompresses to more than it should: it holds more than the ${limit} bytes its header declares (${declared}); stopped after ${total} bytes`,
        );
    }
  } catch (cause) {
    if (cause instanceof DataFormatError) throw cause;
    throw new DataFormatError(
      op,
      name,
      `starts like gzip but does not decompress: ${String(cause)}`,
      {
        cause,
      },
    );
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return concat(chunks, total);
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * Encodes an array as an uncompressed IDX file (big-endian), the inverse of {@link parseIdx}.
 * Throws a `RangeError` when `data.length` is not the product of `shape`.
 */
export function encodeIdx(array: IdxArray): Uint8Array {
  const { dtype, shape, data } = array;
  const info = DTYPES[dtype];
  if (info === undefined) throw new RangeError(`encodeIdx: unknown dtype '${String(dtype)}'`);
  if (shape.length > 255)
    throw new RangeError(`encodeIdx: at most 255 dimensions, got ${shape.length}`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (data.length !== count) {
    throw new RangeError(
      `encodeIdx: shape [${shape.join(', ')}] holds ${count} elements, data has ${data.length}`,
    );
  }
  const header = 4 + 4 * shape.length;
  const out = new Uint8Array(header + count * info.bytes);
  const view = new DataView(out.buffer);
  out[2] = info.code;
  out[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  const o = header;
  switch (dtype) {
    case 'uint8':
    case 'int8':
      out.set(new Uint8Array(data.buffer, data.byteOffset, count), o);
      break;
    case 'int16':
      for (let i = 0; i < count; i++) view.setInt16(o + 2 * i, data[i]!);
      break;
    case 'int32':
      for (let i = 0; i < count; i++) view.setInt32(o + 4 * i, data[i]!);
      break;
    case 'float32':
      for (let i = 0; i < count; i++) view.setFloat32(o + 4 * i, data[i]!);
      break;
    case 'float64':
      for (let i = 0; i < count; i++) view.setFloat64(o + 8 * i, data[i]!);
      break;
  }
  return out;
}
