// Checkpoints of the command-line trainers keep an optimizer's state in the safetensors file beside
// the model's tensors: its buffers as tensors named `optimizer.<param>.<key>`, its numbers (step
// counts) in the JSON metadata. Here are the two halves, packing and unpacking; the file is untrusted,
// so unpacking builds null-prototype objects and refuses keys that could reach Object.prototype.
import { type Tensor, UNSAFE_KEYS } from '@nablajs/tensor';

/** The prefix of the optimizer's tensors. */
export const OPTIMIZER_PREFIX = 'optimizer.';

/** An optimizer state dict's `state`: each parameter's buffers and counters, by its index. */
export type OptimizerState = Record<number | string, Record<string, Tensor | number>>;

/** The optimizer's numbers, by parameter index, then key: the JSON metadata's part of its state. */
export type OptimizerScalars = Record<string, Record<string, number>>;

/** Adds the optimizer's buffers to `tensors` (as `optimizer.<i>.<key>`) and returns its numbers. */
export function packOptimizerState(
  state: OptimizerState,
  tensors: Record<string, Tensor>,
): OptimizerScalars {
  const scalars: OptimizerScalars = {};
  for (const [i, entry] of Object.entries(state))
    for (const [k, v] of Object.entries(entry)) {
      if (typeof v === 'number') (scalars[i] ??= {})[k] = v;
      else tensors[`${OPTIMIZER_PREFIX}${i}.${k}`] = v;
    }
  return scalars;
}

/**
 * Splits a checkpoint's tensors into the model's state dict and the optimizer's state, with the
 * numbers `scalars` read from its metadata. Calls `fail` (which throws) on a parameter that is not
 * an index, a number that is not one, or a key such as `__proto__`.
 */
export function unpackCheckpoint(
  tensors: Record<string, Tensor>,
  scalars: unknown,
  fail: (why: string) => never,
): { model: Record<string, Tensor>; optimizer: OptimizerState } {
  const safe = (key: string, where: string) => {
    if (UNSAFE_KEYS.has(key)) fail(`${where}: key '${key}' is not allowed`);
    return key;
  };
  const model = Object.create(null) as Record<string, Tensor>;
  const optimizer = Object.create(null) as OptimizerState;
  const entry = (i: string) => {
    if (!/^\d+$/.test(safe(i, 'optimizer state'))) fail(`optimizer state: '${i}' is not an index`);
    return (optimizer[i] ??= Object.create(null) as Record<string, Tensor | number>);
  };
  for (const [name, t] of Object.entries(tensors)) {
    if (!name.startsWith(OPTIMIZER_PREFIX)) model[name] = t;
    else {
      const [i, ...key] = name.slice(OPTIMIZER_PREFIX.length).split('.');
      entry(i!)[safe(key.join('.'), `tensor '${name}'`)] = t;
    }
  }
  if (typeof scalars !== 'object' || scalars === null) fail('optimizer scalars: not an object');
  for (const [i, numbers] of Object.entries(scalars as object)) {
    const e = entry(i);
    if (typeof numbers !== 'object' || numbers === null)
      fail(`optimizer scalars of ${i}: not an object`);
    for (const [k, v] of Object.entries(numbers as object)) {
      safe(k, `optimizer scalars of ${i}`);
      if (typeof v !== 'number') fail(`optimizer scalar ${i}.${k}: not a number`);
      e[k] = v as number;
    }
  }
  return { model, optimizer };
}
