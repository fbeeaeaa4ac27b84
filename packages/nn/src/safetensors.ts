import {
  type Backend,
  type DType,
  NablaError,
  Tensor,
  UNSAFE_KEYS,
  type DataArray,
  type TypedArray,
  fmtShape,
  getBackend,
  sizeOf,
  tensor,
} from '@nablajs/tensor';
import { Module } from './module.js';

/**
 * safetensors (https://github.com/huggingface/safetensors), the weight format PyTorch users exchange:
 * an 8-byte little-endian header length N, N bytes of JSON
 * `{"name": {"dtype": "F32", "shape": [30, 784], "data_offsets": [begin, end]}, "__metadata__": {…}}`
 * (padded with spaces to a multiple of 8), then the tensors' bytes, little-endian, row-major.
 */

/** A file or buffer that is not valid safetensors: truncated, corrupt, or of a dtype we cannot read. */
export class SafetensorsError extends NablaError {}

/** The free-form string → string metadata a safetensors file carries in its header. */
export type Metadata = Record<string, string>;
/** Tensors by name, as `Module.stateDict()` returns them. */
export type StateDict = Record<string, Tensor>;

/** What `deserialize` and `load` return: the tensors and the metadata of a safetensors file. */
export interface Safetensors {
  /** The tensors, by name, in the file's order. */
  tensors: StateDict;
  /** The header's `__metadata__` (empty when the file has none). */
  metadata: Metadata;
}

const WRITE: Record<DType, string> = { float32: 'F32', float64: 'F64', int32: 'I32', bool: 'BOOL' };

/** Every dtype the format defines: bytes per element, and what it is read as (null: not supported). */
const READ: Record<string, { size: number; as: DType | null }> = {
  F64: { size: 8, as: 'float64' },
  F32: { size: 4, as: 'float32' },
  F16: { size: 2, as: 'float32' },
  BF16: { size: 2, as: 'float32' },
  I64: { size: 8, as: 'int32' },
  I32: { size: 4, as: 'int32' },
  I16: { size: 2, as: 'int32' },
  I8: { size: 1, as: 'int32' },
  U64: { size: 8, as: 'int32' },
  U32: { size: 4, as: 'int32' },
  U16: { size: 2, as: 'int32' },
  U8: { size: 1, as: 'int32' },
  BOOL: { size: 1, as: 'bool' },
  F8_E5M2: { size: 1, as: null },
  F8_E4M3: { size: 1, as: null },
};

/** Larger headers are refused (the reference implementation's limit), so garbage cannot ask for gigabytes. */
const MAX_HEADER = 100_000_000;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function bytesOf(t: Tensor, values: DataArray): Uint8Array {
  // bool reads as a Uint8Array of 0/1: BOOL's bytes
  if (littleEndian || values instanceof Uint8Array)
    return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new Uint8Array(values.length * values.BYTES_PER_ELEMENT);
  const view = new DataView(out.buffer);
  if (t.dtype === 'float32') values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  else if (t.dtype === 'float64') values.forEach((v, i) => view.setFloat64(i * 8, v, true));
  else values.forEach((v, i) => view.setInt32(i * 4, v, true));
  return out;
}

function stateDictOf(op: string, source: Module | StateDict): StateDict {
  const sd = source instanceof Module ? source.stateDict() : source;
  if (!isPlainObject(sd))
    throw new SafetensorsError(op, 'expects a Module or a state dict (name → Tensor)');
  for (const [name, t] of Object.entries(sd)) {
    if (!(t instanceof Tensor)) throw new SafetensorsError(op, `'${name}' is not a Tensor`);
    checkName(op, name);
    t.assertLive(op);
  }
  return sd;
}

/** A tensor's name: not `__metadata__`, nor a key that would reach `Object.prototype`. */
function checkName(op: string, name: string): void {
  if (name === '__metadata__')
    throw new SafetensorsError(
      op,
      "'__metadata__' is reserved for metadata and cannot name a tensor",
    );
  if (UNSAFE_KEYS.has(name))
    throw new SafetensorsError(
      op,
      `'${name}' cannot name a tensor`,
      'names that reach Object.prototype are refused (rename the tensor)',
    );
}

/** Metadata: strings to strings, no key that would reach `Object.prototype`. */
function checkMetadata(op: string, metadata: unknown, label = 'metadata'): void {
  if (metadata === undefined) return;
  if (!isPlainObject(metadata) || Object.values(metadata).some((v) => typeof v !== 'string'))
    throw new SafetensorsError(
      op,
      `${label} must map strings to strings`,
      'use JSON.stringify for other values',
    );
  for (const key of Object.keys(metadata))
    if (UNSAFE_KEYS.has(key))
      throw new SafetensorsError(
        op,
        `${label}: key '${key}' is not allowed`,
        'keys that reach Object.prototype are refused',
      );
}

/** An empty object without a prototype: a key read from a file can only ever be an own entry. */
function record<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

function assemble(
  entries: [string, Tensor, Uint8Array][],
  metadata: Metadata | undefined,
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t, bytes] of entries) {
    header[name] = {
      dtype: WRITE[t.dtype],
      shape: [...t.shape],
      data_offsets: [offset, offset + bytes.length],
    };
    offset += bytes.length;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const [, , bytes] of entries) {
    out.set(bytes, at);
    at += bytes.length;
  }
  return out;
}

/**
 * A state dict (or a module's) as safetensors bytes, tensors in the dict's order. Reads tensors
 * synchronously, so it needs a synchronous backend (the CPU); elsewhere use `serializeAsync`.
 */
export function serialize(source: Module | StateDict, metadata?: Metadata): Uint8Array {
  const op = 'serialize';
  const sd = stateDictOf(op, source);
  checkMetadata(op, metadata);
  const entries = Object.entries(sd).map(([name, t]): [string, Tensor, Uint8Array] => {
    if (!t.backend.readSync)
      throw new SafetensorsError(
        op,
        `'${name}' lives on backend '${t.backend.name}', which cannot be read synchronously`,
        'use `await serializeAsync(…)`',
      );
    return [name, t, bytesOf(t, t.dataSync())];
  });
  return assemble(entries, metadata);
}

/** `serialize` for any backend: reads the tensors with `await t.data()`. */
export async function serializeAsync(
  source: Module | StateDict,
  metadata?: Metadata,
): Promise<Uint8Array> {
  const op = 'serializeAsync';
  const sd = stateDictOf(op, source);
  checkMetadata(op, metadata);
  const entries: [string, Tensor, Uint8Array][] = [];
  for (const [name, t] of Object.entries(sd)) entries.push([name, t, bytesOf(t, await t.data())]);
  return assemble(entries, metadata);
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Decodes `n` elements of safetensors dtype `dtype` from `view` at `at`. */
function decode(
  op: string,
  name: string,
  dtype: string,
  view: DataView,
  at: number,
  n: number,
): TypedArray {
  const intRange = (v: bigint | number, i: number): number => {
    if (v < -2147483648 || v > 2147483647)
      throw new SafetensorsError(
        op,
        `'${name}' (${dtype}) holds ${v} at index ${i}, outside int32`,
        'Nabla stores integers as int32',
      );
    return Number(v);
  };
  const read: Record<string, (i: number) => number> = {
    F64: (i) => view.getFloat64(at + 8 * i, true),
    F32: (i) => view.getFloat32(at + 4 * i, true),
    F16: (i) => halfToFloat(view.getUint16(at + 2 * i, true)),
    BF16: (i) => {
      const b = new DataView(new ArrayBuffer(4));
      b.setUint32(0, view.getUint16(at + 2 * i, true) << 16);
      return b.getFloat32(0);
    },
    I64: (i) => intRange(view.getBigInt64(at + 8 * i, true), i),
    U64: (i) => intRange(view.getBigUint64(at + 8 * i, true), i),
    I32: (i) => view.getInt32(at + 4 * i, true),
    U32: (i) => intRange(view.getUint32(at + 4 * i, true), i),
    I16: (i) => view.getInt16(at + 2 * i, true),
    U16: (i) => view.getUint16(at + 2 * i, true),
    I8: (i) => view.getInt8(at + i),
    U8: (i) => view.getUint8(at + i),
    BOOL: (i) => (view.getUint8(at + i) ? 1 : 0),
  };
  const as = READ[dtype]!.as!;
  if (littleEndian && (dtype === 'F32' || dtype === 'F64' || dtype === 'I32')) {
    const copy = new Uint8Array(
      view.buffer.slice(view.byteOffset + at, view.byteOffset + at + n * READ[dtype]!.size),
    );
    return dtype === 'F32'
      ? new Float32Array(copy.buffer)
      : dtype === 'F64'
        ? new Float64Array(copy.buffer)
        : new Int32Array(copy.buffer);
  }
  const out =
    as === 'float64'
      ? new Float64Array(n)
      : as === 'float32'
        ? new Float32Array(n)
        : new Int32Array(n);
  const f = read[dtype]!;
  for (let i = 0; i < n; i++) out[i] = f(i);
  return out;
}

/**
 * Parses safetensors bytes into tensors (on `backend`, by default the current one) and metadata.
 * Validates everything first: the header length against the size, the JSON, every dtype, shape and
 * offset (in range, matching shape × item size, neither overlapping nor leaving gaps), so a truncated
 * or corrupt file raises a SafetensorsError that says what is wrong. F16/BF16 are read as float32,
 * other integer dtypes as int32 (values outside int32 raise), BOOL as bool.
 */
export function deserialize(
  bytes: Uint8Array,
  opts: { backend?: Backend; name?: string } = {},
): Safetensors {
  const op = opts.name ? `deserialize(${opts.name})` : 'deserialize';
  const fail = (message: string, hint?: string): never => {
    throw new SafetensorsError(op, message, hint);
  };
  if (!(bytes instanceof Uint8Array)) fail('expects a Uint8Array');
  if (bytes.length < 8)
    fail(
      `${bytes.length} bytes is too short: a safetensors file starts with an 8-byte header length`,
      'the file is empty or truncated',
    );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(bytes.length - 8))
    fail(
      `header length ${n} exceeds the ${bytes.length - 8} bytes after it`,
      'the file is truncated, or not safetensors',
    );
  if (n > BigInt(MAX_HEADER)) fail(`header length ${n} is over the ${MAX_HEADER}-byte limit`);
  const headerLen = Number(n);
  let header: unknown;
  try {
    header = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen)),
    );
  } catch (e) {
    fail(
      `the ${headerLen}-byte header is not UTF-8 JSON (${(e as Error).message})`,
      'the file is corrupt, or not safetensors',
    );
  }
  if (!isPlainObject(header)) fail('the header is not a JSON object');
  const h = header as Record<string, unknown>;
  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;

  const metadata: Metadata = record();
  if (Object.hasOwn(h, '__metadata__')) {
    const m = h.__metadata__;
    checkMetadata(op, m, '__metadata__');
    Object.assign(metadata, m);
  }

  interface Entry {
    name: string;
    dtype: string;
    shape: number[];
    begin: number;
    end: number;
  }
  const entries: Entry[] = [];
  const isCount = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  for (const [name, info] of Object.entries(h)) {
    if (name === '__metadata__') continue;
    checkName(op, name);
    if (!isPlainObject(info))
      fail(`'${name}': expected {dtype, shape, data_offsets}, got ${JSON.stringify(info)}`);
    const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
    if (typeof dtype !== 'string' || !(dtype in READ))
      fail(
        `'${name}': unknown dtype ${JSON.stringify(dtype)}`,
        `safetensors dtypes are ${Object.keys(READ).join(', ')}`,
      );
    const d = dtype as string;
    if (READ[d]!.as === null)
      fail(`'${name}': dtype ${d} is not supported`, 'convert it to F32 first');
    if (!Array.isArray(shape) || !shape.every(isCount))
      fail(`'${name}': shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount))
      fail(`'${name}': data_offsets ${JSON.stringify(offsets)} is not [begin, end]`);
    const [begin, end] = offsets as [number, number];
    const s = shape as number[];
    if (end < begin) fail(`'${name}': data_offsets [${begin}, ${end}] end before they begin`);
    if (end > dataLen)
      fail(
        `'${name}': data_offsets [${begin}, ${end}] go past the ${dataLen} data bytes`,
        'the file is truncated, or corrupt',
      );
    const expected = sizeOf(s) * READ[d]!.size;
    if (end - begin !== expected)
      fail(
        `'${name}': ${d} ${fmtShape(s)} needs ${expected} bytes, but data_offsets [${begin}, ${end}] hold ${end - begin}`,
      );
    entries.push({ name, dtype: d, shape: s, begin, end });
  }
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of sorted) {
    if (e.begin < at)
      fail(
        `'${e.name}': data_offsets [${e.begin}, ${e.end}] overlap another tensor's bytes (which end at ${at})`,
      );
    if (e.begin > at)
      fail(`'${e.name}': data_offsets [${e.begin}, ${e.end}] leave a gap after byte ${at}`);
    at = e.end;
  }
  if (at !== dataLen)
    fail(`${dataLen - at} bytes after the last tensor are not described by the header`);

  const backend = opts.backend ?? getBackend('deserialize');
  const tensors: StateDict = record();
  for (const e of entries) {
    const values = decode(op, e.name, e.dtype, view, dataStart + e.begin, sizeOf(e.shape));
    tensors[e.name] = tensor(values, { shape: e.shape, backend, dtype: READ[e.dtype]!.as! });
  }
  return { tensors, metadata };
}
