import { existsSync } from 'node:fs';
import type { Module } from '@nablajs/nn';
import { load, save } from '@nablajs/nn';
import type { Optimizer, OptimizerStateDict } from '@nablajs/optim';
import { type Tensor, getRngState, setRngState } from '@nablajs/tensor';
import { packOptimizerState, unpackCheckpoint } from 'app-kit';
import type { EpochResult, TrainConfig } from './train.js';

const FORMAT = 'nabla-mnist-checkpoint/2';

/**
 * The flags a run was trained with: a resumed run must use the same ones (`--epochs` aside, which is
 * how a run is extended), and `trainExamples` is the training-set size `--limit` gave (it scales
 * Nielsen's L2 and the shuffles).
 */
export type RunFlags = Omit<TrainConfig, 'epochs' | 'save' | 'resume'> & { trainExamples: number };

/** The keys of `RunFlags`, in the order differences are listed, with the flag that sets each. */
const FLAG_OF: Record<keyof RunFlags, string> = {
  model: '--model',
  hidden: '--hidden',
  activation: '--activation',
  dropout: '--dropout',
  optimizer: '--optimizer',
  lr: '--lr',
  momentum: '--momentum',
  l2: '--l2',
  weightDecay: '--weight-decay',
  batchSize: '--batch-size',
  seed: '--seed',
  trainExamples: '--limit',
};

function runFlags(c: TrainConfig, trainExamples: number): RunFlags {
  const out = { trainExamples } as Record<string, unknown>;
  for (const k of Object.keys(FLAG_OF)) if (k !== 'trainExamples') out[k] = (c as never)[k];
  out.dropout ??= 0;
  out.model ??= 'mlp';
  return out as RunFlags;
}

/** What a checkpoint holds besides the tensors: enough to continue the same run exactly. */
export interface Checkpoint {
  format: typeof FORMAT;
  config: RunFlags;
  rng: { seed: number; offset: number };
  optimizer: { paramGroups: unknown[]; scalars: Record<string, Record<string, number>> };
  history: EpochResult[];
}

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
  trainExamples: number,
): Promise<void> {
  const tensors: Record<string, Tensor> = { ...model.stateDict() };
  const sd = opt.stateDict() as OptimizerStateDict;
  const scalars = packOptimizerState(sd.state, tensors);
  const meta: Checkpoint = {
    format: FORMAT,
    config: runFlags(c, trainExamples),
    rng: getRngState(),
    optimizer: { paramGroups: sd.paramGroups, scalars },
    history,
  };
  await save(tensors, path, { checkpoint: JSON.stringify(meta) });
}

/**
 * Restores model, optimizer and generator from `path`; undefined when there is no file yet. Refuses
 * a checkpoint trained with other flags (listing every difference), before anything is loaded.
 */
export async function loadCheckpoint(
  path: string,
  model: Module,
  opt: Optimizer,
  c: TrainConfig,
  trainExamples: number,
): Promise<Checkpoint | undefined> {
  if (!existsSync(path)) return undefined;
  const { tensors, metadata } = await load(path);
  const meta = parseMeta(path, metadata.checkpoint);
  const want = runFlags(c, trainExamples);
  const differences = (Object.keys(FLAG_OF) as (keyof RunFlags)[]).flatMap((k) => {
    const [was, now] = [meta.config[k], want[k]].map((v) => (Array.isArray(v) ? v.join(',') : v));
    if (JSON.stringify(was) === JSON.stringify(now)) return [];
    return k === 'trainExamples'
      ? [`--limit: ${String(was)} training examples (the flags give ${String(now)})`]
      : [`${FLAG_OF[k]} ${String(was)} (the flags say ${String(now)})`];
  });
  if (differences.length)
    throw new Error(
      `--resume: ${path} was trained with other flags: ${differences.join(', ')}; resume with the flags it was trained with (only --epochs may change), or start a new run without --resume`,
    );
  const fail = (why: string): never => {
    throw new Error(`--resume: ${path}: ${why}`);
  };
  const { model: modelState, optimizer: state } = unpackCheckpoint(
    tensors,
    meta.optimizer.scalars,
    fail,
  );
  model.loadStateDict(modelState);
  opt.loadStateDict({
    state,
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
  if (isObject(meta) && meta.format === 'nabla-mnist-checkpoint/1')
    throw new Error(
      `--resume: ${path} was written by an older version of this trainer, which did not record all its flags; start a new run without --resume`,
    );
  if (!isObject(meta) || meta.format !== FORMAT) fail('no format tag');
  const m = meta as Record<string, unknown>;
  if (
    !isObject(m.config) ||
    Object.keys(FLAG_OF).some((k) => !Object.hasOwn(m.config as object, k))
  )
    fail('config does not list the flags');
  if (!isObject(m.rng) || typeof m.rng.seed !== 'number' || typeof m.rng.offset !== 'number')
    fail('rng is not { seed, offset }');
  if (!isObject(m.optimizer) || !Array.isArray(m.optimizer.paramGroups))
    fail('optimizer.paramGroups is not an array');
  if (!isObject((m.optimizer as Record<string, unknown>).scalars))
    fail('optimizer.scalars is not an object');
  if (!Array.isArray(m.history) || !m.history.every(isObject)) fail('history is not an array');
  return m as unknown as Checkpoint;
}
