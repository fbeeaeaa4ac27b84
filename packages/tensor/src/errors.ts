/** Base class of every error Nabla throws on bad input. `op` names the operation that refused it. */
export class NablaError extends Error {
  constructor(
    /** The operation that refused its input, e.g. `'matmul'`; the message starts with it. */
    readonly op: string,
    message: string,
    /** What would be right, when there is something to suggest; the message ends with it. */
    readonly hint?: string,
  ) {
    super(`${op}: ${message}${hint ? `; ${hint}` : ''}`);
    this.name = new.target.name;
  }
}

/** Shapes that do not fit the operation (broadcasting, matmul inner dimensions, reshape sizes, axes). */
export class ShapeError extends NablaError {}
/** A dtype the operation or the backend does not support. */
export class DTypeError extends NablaError {}
/** No backend chosen, a backend that cannot do what was asked, or tensors on different backends. */
export class BackendError extends NablaError {}
/** An index or class label outside its axis (`gather`, `scatterAdd`, cross-entropy labels): on the
 * CPU raised by the op, on WebGPU by reading the tensor the op made (or one computed from it). */
export class IndexError extends NablaError {}
/** A tensor used after `dispose()`. */
export class DisposedError extends NablaError {}

/**
 * Keys that reach or shadow `Object.prototype` when copied into an ordinary object
 * (`o['__proto__'] = v` replaces its prototype). Every parser of untrusted input (safetensors
 * headers and metadata, checkpoints, state dicts) refuses them with a typed error.
 */
export const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** `[2,3]` for messages. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}
