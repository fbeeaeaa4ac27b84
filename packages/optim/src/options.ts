// Options of parameter groups: merging them with the defaults, checking them, and telling whether a
// group's options changed since they were last checked.
import { type OptionChecks, checkKeys } from './errors.js';

/** `{...a, ...b}` where an `undefined` in `b` keeps `a`'s value (so `{ weightDecay: undefined }`
 * means the default); arrays (`betas`) are copied. */
export function merge<T extends object>(a: Partial<T>, b: Partial<T>): Partial<T> {
  const out = copyOptions(a) as Record<string, unknown>;
  for (const [k, v] of Object.entries(b))
    if (v !== undefined) out[k] = Array.isArray(v) ? [...v] : v;
  return out as Partial<T>;
}

/**
 * What every optimizer's `resolveOptions` does: refuses unknown keys in the group's options and in
 * the defaults, merges the two, and checks each option (the keys are those of `checks`, in order).
 */
export function resolveGroupOptions<O extends object>(
  op: string,
  defaults: Partial<O>,
  options: Partial<O>,
  checks: OptionChecks<O>,
): O {
  const keys = Object.keys(checks) as (keyof O & string)[];
  checkKeys(op, options, keys);
  checkKeys(op, defaults, keys);
  const merged = merge(defaults, options);
  return Object.fromEntries(keys.map((k) => [k, checks[k](op, merged[k])])) as O;
}

/** A group's options (its own keys but `params` and `initialLr`), arrays copied. */
export function optionsOf(group: object): Map<string, unknown> {
  const m = new Map<string, unknown>();
  for (const [k, v] of Object.entries(group))
    if (k !== 'params' && k !== 'initialLr') m.set(k, Array.isArray(v) ? [...v] : v);
  return m;
}

/** Whether a group's options are `seen` (same keys, same values; arrays element by element). */
export function sameOptions(group: object, seen: Map<string, unknown>): boolean {
  let n = 0;
  for (const [k, v] of Object.entries(group)) {
    if (k === 'params' || k === 'initialLr') continue;
    n++;
    const w = seen.get(k);
    const same = Array.isArray(v)
      ? Array.isArray(w) && v.length === w.length && v.every((x, j) => Object.is(x, w[j]))
      : Object.is(v, w) && (v !== undefined || seen.has(k));
    if (!same) return false;
  }
  return n === seen.size;
}

export function copyOptions<T extends object>(options: T): T {
  return Object.fromEntries(
    Object.entries(options).map(([k, v]) => [k, Array.isArray(v) ? [...v] : v]),
  ) as T;
}
