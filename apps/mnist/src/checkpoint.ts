import { existsSync } from 'node:fs';
import type { Module } from '@nablajs/nn';
import { load, save } from '@nablajs/nn';
import type { Optimizer, OptimizerStateDict } from '@nablajs/optim';
import { type Tensor, UNSAFE_KEYS, getRngState, setRngState } from '@nablajs/tensor';
import type { EpochResult, TrainConfig } from './train.js';

/** What a checkpoint holds besides the tensors: enough to continue the same run exactly. */
export interface Checkpoint {
  format: 'nabla-mnist-checkpoint/1';
  config: Pick<TrainConfig, 'hidden' | 'activation' | 'dropout' | 'optimizer' | 'seed'>;
  rng: { seed: number; offset: number };
  optimizer: { paramGroups: unknown[]; scalars: Record<string, Record<string, number>> };
  history: EpochResult[];
}

const OPT = 'optimizer.';

/**
 * One safetensors file: the model's tensors under their own names (PyTorch reads them as a state
 * dict), the optimizer's buffers under `optimizer.<param>.<key>`, the rest as JSON metadata.
 * Written atomically by `save` (temporary file, then rename).
 */
export async function saveCheckpoint(
  path: string,
  model: Module,
  opt: Optimizer,
  c: TrainConfig,
  history: EpochResult[],
): Promise<void> {
  const tensors: Record<string, Tensor> = { ...model.stateDict() };
  const sd = opt.stateDict() as OptimizerStateDict;
  const scalars: Record<string, Record<string, number>> = {};
  for (const [i, state] of Object.entries(sd.state))
    for (const [k, v] of Object.entries(state)) {
      if (typeof v === 'number') (scalars[i] ??= {})[k] = v;
      else tensors[`${OPT}${i}.${k}`] = v;
    }
  const meta: Checkpoint = {
    format: 'nabla-mnist-checkpoint/1',
    config: {
      hidden: c.hidden,
      activation: c.activation,
      dropout: c.dropout,
      optimizer: c.optimizer,
      seed: c.seed,
    },
    rng: getRngState(),
    optimizer: { paramGroups: sd.paramGroups, scalars },
    history,
  };
  await save(tensors, path, { checkpoint: JSON.stringify(meta) });
}

/** Restores model, optimizer and generator from `path`; undefined when there is no file yet. */
export async function loadCheckpoint(
  path: string,
  model: Module,
  opt: Optimizer,
  c: TrainConfig,
): Promise<Checkpoint | undefined> {
  if (!existsSync(path)) return undefined;
  const { tensors, metadata } = await load(path);
  const meta = parseMeta(path, metadata.checkpoint);
  const want = JSON.stringify([c.hidden, c.activation, c.optimizer]);
  const got = JSON.stringify([meta.config.hidden, meta.config.activation, meta.config.optimizer]);
  if (want !== got)
    throw new Error(`--resume: ${path} holds a ${got} network, the flags ask for ${want}`);
  const fail = (why: string) => {
    throw new Error(`--resume: ${path}: ${why}`);
  };
  const safe = (key: string, where: string) => {
    if (UNSAFE_KEYS.has(key)) fail(`${where}: key '${key}' is not allowed`);
    return key;
  };
  // Maps, and null-prototype entries: no key read from the file can reach Object.prototype
  const modelState: Record<string, Tensor> = Object.create(null) as Record<string, Tensor>;
  const state = new Map<string, Record<string, Tensor | number>>();
  const entry = (i: string) => {
    if (!/^\d+$/.test(safe(i, 'optimizer state'))) fail(`optimizer state: '${i}' is not an index`);
    let e = state.get(i);
    if (!e) state.set(i, (e = Object.create(null) as Record<string, Tensor | number>));
    return e;
  };
  for (const [name, t] of Object.entries(tensors)) {
    if (!name.startsWith(OPT)) modelState[name] = t;
    else {
      const [i, ...key] = name.slice(OPT.length).split('.');
      entry(i!)[safe(key.join('.'), `tensor '${name}'`)] = t;
    }
  }
  for (const [i, scalars] of Object.entries(meta.optimizer.scalars)) {
    const e = entry(i);
    if (typeof scalars !== 'object' || scalars === null)
      fail(`optimizer scalars of ${i}: not an object`);
    for (const [k, v] of Object.entries(scalars)) {
      safe(k, `optimizer scalars of ${i}`);
      if (typeof v !== 'number') fail(`optimizer scalar ${i}.${k}: not a number`);
      e[k] = v;
    }
  }
  model.loadStateDict(modelState);
  opt.loadStateDict({
    state: Object.fromEntries(state),
    paramGroups: meta.optimizer.paramGroups,
  } as unknown as OptimizerStateDict);
  setRngState(meta.rng);
  return meta;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The checkpoint's metadata, checked: the file is untrusted, so every part has the expected type. */
function parseMeta(path: string, json: string | undefined): Checkpoint {
  const fail = (why: string): never => {
    throw new Error(`--resume: ${path} is not a checkpoint written by this trainer (${why})`);
  };
  let meta: unknown;
  try {
    meta = JSON.parse(json ?? 'null');
  } catch (e) {
    fail(`its metadata is not JSON: ${(e as Error).message}`);
  }
  if (!isObject(meta) || meta.format !== 'nabla-mnist-checkpoint/1') fail('no format tag');
  const m = meta as Record<string, unknown>;
  if (!isObject(m.config)) fail('config is not an object');
  if (!isObject(m.rng) || typeof m.rng.seed !== 'number' || typeof m.rng.offset !== 'number')
    fail('rng is not { seed, offset }');
  if (!isObject(m.optimizer) || !Array.isArray(m.optimizer.paramGroups))
    fail('optimizer.paramGroups is not an array');
  if (!isObject((m.optimizer as Record<string, unknown>).scalars))
    fail('optimizer.scalars is not an object');
  if (!Array.isArray(m.history) || !m.history.every(isObject)) fail('history is not an array');
  return m as unknown as Checkpoint;
}
