import { existsSync } from 'node:fs';
import type { Module } from '@nablajs/nn';
import { load, save } from '@nablajs/nn';
import type { Optimizer, OptimizerStateDict } from '@nablajs/optim';
import { type Tensor, getRngState, setRngState } from '@nablajs/tensor';
import type { EpochResult, TrainConfig } from './train.js';

/** What a checkpoint holds besides the tensors: enough to continue the same run exactly. */
export interface Checkpoint {
  format: 'nabla-mnist-checkpoint/1';
  config: Pick<TrainConfig, 'model' | 'hidden' | 'activation' | 'dropout' | 'optimizer' | 'seed'>;
  rng: { seed: number; offset: number };
  optimizer: { paramGroups: unknown[]; scalars: Record<string, Record<string, number>> };
  history: EpochResult[];
}

const OPT = 'optimizer.';

/**
 * One safetensors file: the model's state dict, parameters and buffers (batch norm's running
 * statistics), under their own names (PyTorch reads them as a state dict), the optimizer's buffers under `optimizer.<param>.<key>`, the rest as JSON metadata.
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
      model: c.model ?? 'mlp',
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
  const meta = JSON.parse(metadata?.checkpoint ?? 'null') as Checkpoint | null;
  if (meta?.format !== 'nabla-mnist-checkpoint/1')
    throw new Error(`--resume: ${path} is not a checkpoint written by this trainer`);
  const net = (k: Checkpoint['config']) => [
    k.model ?? 'mlp',
    ...(k.model && k.model !== 'mlp' ? [] : [k.hidden, k.activation]),
  ];
  const want = JSON.stringify([...net(c), c.optimizer]);
  const got = JSON.stringify([...net(meta.config), meta.config.optimizer]);
  if (want !== got)
    throw new Error(`--resume: ${path} holds a ${got} network, the flags ask for ${want}`);
  const modelState: Record<string, Tensor> = {};
  const state: Record<string, Record<string, Tensor | number>> = {};
  for (const [name, t] of Object.entries(tensors)) {
    if (!name.startsWith(OPT)) modelState[name] = t;
    else {
      const [i, ...key] = name.slice(OPT.length).split('.');
      (state[i!] ??= {})[key.join('.')] = t;
    }
  }
  for (const [i, s] of Object.entries(meta.optimizer.scalars)) Object.assign((state[i] ??= {}), s);
  model.loadStateDict(modelState);
  opt.loadStateDict({
    state,
    paramGroups: meta.optimizer.paramGroups,
  } as unknown as OptimizerStateDict);
  setRngState(meta.rng);
  return meta;
}
