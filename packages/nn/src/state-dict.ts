import { NablaError, ShapeError, Tensor, fmtShape, sameShape, tensor } from '@nablajs/tensor';

/** Keys a state dict lacks or has too many, raised by a strict `loadStateDict`. */
export class StateDictError extends NablaError {
  constructor(
    op: string,
    /** Parameters and buffers of the module that the state dict lacks. */
    readonly missingKeys: readonly string[],
    /** Keys of the state dict that name no parameter or buffer of the module. */
    readonly unexpectedKeys: readonly string[],
  ) {
    const parts = [
      ...(missingKeys.length ? [`missing keys: ${missingKeys.join(', ')}`] : []),
      ...(unexpectedKeys.length ? [`unexpected keys: ${unexpectedKeys.join(', ')}`] : []),
    ];
    super(
      op,
      parts.join('; '),
      'the state dict must come from a module of the same architecture (or pass { strict: false })',
    );
  }
}

/** What `loadStateDict` reports: with `strict: false`, the keys it skipped. */
export interface LoadResult {
  /** Parameters and buffers of the module that the state dict lacks (left as they were). */
  missingKeys: string[];
  /** Keys of the state dict that name no parameter or buffer of the module (ignored). */
  unexpectedKeys: string[];
}

/**
 * `Module.loadStateDict`: writes `stateDict[name]` into each of `own`'s tensors in place, after
 * checking every value, shape and (when strict) key, so that nothing is written unless all pass.
 */
export function loadInto(
  own: readonly [string, Tensor][],
  stateDict: Record<string, Tensor>,
  strict: boolean,
): LoadResult {
  const op = 'loadStateDict';
  if (typeof stateDict !== 'object' || stateDict === null || Array.isArray(stateDict))
    throw new NablaError(
      op,
      `expected a state dict (name → Tensor), got ${Array.isArray(stateDict) ? 'an array' : String(stateDict)}`,
      'pass what stateDict() or load() returned',
    );
  const names = new Set(own.map(([n]) => n));
  const has = (k: string) => Object.prototype.hasOwnProperty.call(stateDict, k);
  const missingKeys = own.map(([n]) => n).filter((n) => !has(n));
  const unexpectedKeys = Object.keys(stateDict).filter((k) => !names.has(k));
  const mismatches: string[] = [];
  for (const [name, target] of own) {
    if (!has(name)) continue;
    const t = stateDict[name];
    if (!(t instanceof Tensor))
      throw new NablaError(
        op,
        `${name}: expected a Tensor, got ${typeof t}`,
        'a state dict maps names to Tensors',
      );
    t.assertLive(op);
    if (!sameShape(t.shape, target.shape))
      mismatches.push(`${name}: expected ${fmtShape(target.shape)}, got ${fmtShape(t.shape)}`);
  }
  if (mismatches.length)
    throw new ShapeError(
      op,
      `shape mismatch for ${mismatches.join('; ')}`,
      'the state dict must come from a module of the same architecture',
    );
  if (strict && (missingKeys.length || unexpectedKeys.length))
    throw new StateDictError(op, missingKeys, unexpectedKeys);
  for (const [name, target] of own)
    if (has(name)) target.assign(onBackend(stateDict[name]!, target));
  return { missingKeys, unexpectedKeys };
}

/** `t` on `like`'s backend: itself, or a copy when it lives elsewhere and can be read synchronously. */
function onBackend(t: Tensor, like: Tensor): Tensor {
  if (t.backend === like.backend || !t.backend.readSync) return t; // assign raises a clear BackendError
  return tensor(t.dataSync(), { shape: t.shape, dtype: t.dtype, backend: like.backend });
}
