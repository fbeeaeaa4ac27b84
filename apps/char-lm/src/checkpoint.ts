// Checkpoints of the command line: one safetensors file (written to a temporary file and renamed by
// `save`) with the model's tensors under PyTorch's names, the optimizer's buffers, and as metadata
// everything else a resumed run needs to go on exactly as an uninterrupted one would.
import { existsSync } from 'node:fs';
import { load, save } from '@nablajs/nn';
import type { LRSchedulerStateDict, OptimizerStateDict } from '@nablajs/optim';
import { getRngState, setRngState, type Tensor } from '@nablajs/tensor';
import { packOptimizerState, unpackCheckpoint } from 'app-kit';
import type { Run, RunConfig } from './run.js';

const FORMAT = 'nabla-char-lm-checkpoint/1';

/** A validation point of a run's history. */
export interface EvalPoint {
  step: number;
  /** Mean training loss of the steps since the last point. */
  trainLoss: number;
  validationLoss: number;
  /** Seconds of training (evaluations excluded) since the run began. */
  seconds: number;
}

/** What a checkpoint holds besides the tensors. */
export interface Checkpoint {
  format: typeof FORMAT;
  config: RunConfig;
  /** The vocabulary: a checkpoint only continues on the same characters. */
  chars: string[];
  step: number;
  /** The batch generator's state, and Nabla's (dropout). */
  batches: number;
  rng: { seed: number; offset: number };
  optimizer: { paramGroups: unknown[]; scalars: Record<string, Record<string, number>> };
  scheduler: LRSchedulerStateDict;
  history: EvalPoint[];
}

/** Keys that could reach Object.prototype through an object built from untrusted JSON. */
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * `JSON.parse` for text from a file: objects come out with a null prototype, and a key such as
 * `__proto__` is refused rather than kept, so nothing built from the result can reach
 * `Object.prototype`.
 */
export function parseUntrustedJson(text: string, what: string): unknown {
  return JSON.parse(text, function (key: string, value: unknown) {
    if (FORBIDDEN.has(key)) throw new Error(`${what}: the key '${key}' is not allowed`);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    return Object.assign(Object.create(null) as object, value);
  });
}

/** Model and optimizer tensors, the rest as JSON metadata, atomically at `path`. */
export async function saveCheckpoint(path: string, run: Run, history: EvalPoint[]): Promise<void> {
  const tensors: Record<string, Tensor> = { ...run.model.stateDict() };
  const sd = run.optimizer.stateDict() as OptimizerStateDict;
  const scalars = packOptimizerState(sd.state, tensors);
  const meta: Checkpoint = {
    format: FORMAT,
    config: run.config,
    chars: [...run.corpus.vocab.chars],
    step: run.step,
    batches: run.batches.state,
    rng: getRngState(),
    optimizer: { paramGroups: sd.paramGroups, scalars },
    scheduler: run.scheduler.stateDict(),
    history,
  };
  await save(tensors, path, { checkpoint: JSON.stringify(meta) });
}

/** The architecture's keys: a checkpoint resumes only a run of the same shape. */
const SHAPE_KEYS = ['model', 'layers', 'heads', 'dim', 'context', 'tieWeights'] as const;

/**
 * Restores `run` (model, optimizer, schedule, generators, step) from `path` and returns the
 * history; undefined when there is no file yet.
 */
export async function loadCheckpoint(path: string, run: Run): Promise<EvalPoint[] | undefined> {
  if (!existsSync(path)) return undefined;
  const { tensors, metadata } = await load(path);
  const fail = (why: string): never => {
    throw new Error(`--resume: ${path} ${why}`);
  };
  const meta = parseUntrustedJson(metadata.checkpoint ?? 'null', path) as Checkpoint | null;
  if (meta?.format !== FORMAT) fail('is not a checkpoint written by this trainer');
  const m = meta!;
  const shape = (c: RunConfig) => JSON.stringify(SHAPE_KEYS.map((k) => c[k]));
  if (shape(m.config) !== shape(run.config))
    fail(
      `holds a ${shape(m.config)} model, the flags ask for ${shape(run.config)} (${SHAPE_KEYS.join(', ')})`,
    );
  if (JSON.stringify(m.chars) !== JSON.stringify(run.corpus.vocab.chars))
    fail('was trained on another vocabulary (another corpus)');
  for (const k of ['step', 'batches'] as const)
    if (!Number.isInteger(m[k]) || m[k] < 0) fail(`has an invalid ${k}`);
  const { model: modelState, optimizer: state } = unpackCheckpoint(
    tensors,
    m.optimizer.scalars,
    fail,
  );
  run.model.loadStateDict(modelState);
  run.optimizer.loadStateDict({
    state,
    paramGroups: m.optimizer.paramGroups,
  } as unknown as Parameters<Run['optimizer']['loadStateDict']>[0]);
  run.scheduler.loadStateDict(m.scheduler);
  run.step = m.step;
  run.batches.state = m.batches;
  setRngState(m.rng);
  return m.history;
}
