import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpu } from '@nablajs/backend-cpu';
import { load, save } from '@nablajs/nn';
import { manualSeed, useBackend } from '@nablajs/tensor';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { buildNet } from './model.js';
import { makeOptimizer } from './optimizer.js';
import type { TrainConfig } from './train.js';

const config: TrainConfig = {
  hidden: [4], activation: 'sigmoid', epochs: 2, batchSize: 10, lr: 0.5, optimizer: 'adam',
  momentum: 0, l2: 0, weightDecay: 0, seed: 3,
}; // prettier-ignore

const dir = mkdtempSync(join(tmpdir(), 'nabla-checkpoint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(() => useBackend(cpu()));

/** A model and optimizer of `c`, with one Adam step taken so that the optimizer has state. */
function setup(c: TrainConfig = config) {
  manualSeed(c.seed);
  const model = buildNet(c);
  const opt = makeOptimizer(model, c, 100);
  for (const p of model.parameters()) p.grad = p.data.mul(0).add(1);
  opt.step();
  return { model, opt };
}

/** A valid checkpoint at `path`, then its metadata rewritten by `edit` (as an attacker would). */
async function crafted(name: string, edit: (meta: string) => string): Promise<string> {
  const path = join(dir, name);
  const { model, opt } = setup();
  await saveCheckpoint(path, model, opt, config, [], 100);
  const { tensors, metadata } = await load(path);
  await save(tensors, path, { checkpoint: edit(metadata.checkpoint!) });
  return path;
}

describe('a crafted checkpoint never reaches Object.prototype', () => {
  test.each(['__proto__', 'constructor', 'prototype'])(
    'optimizer scalars under %s are refused',
    async (key) => {
      const path = await crafted(`scalars-${key}.safetensors`, (m) =>
        m.replace('"scalars":{', `"scalars":{"${key}":{"polluted":1},`),
      );
      const { model, opt } = setup();
      await expect(loadCheckpoint(path, model, opt, config, 100)).rejects.toThrow(
        `key '${key}' is not allowed`,
      );
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  );

  test('a scalar key __proto__ inside a parameter entry is refused', async () => {
    const path = await crafted('inner.safetensors', (m) =>
      m.replace(/"scalars":\{"0":\{/, '"scalars":{"0":{"__proto__":{"polluted":1},'),
    );
    const { model, opt } = setup();
    await expect(loadCheckpoint(path, model, opt, config, 100)).rejects.toThrow(
      "key '__proto__' is not allowed",
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('an optimizer tensor named optimizer.__proto__.x is refused', async () => {
    const path = join(dir, 'tensor-name.safetensors');
    const { model, opt } = setup();
    await saveCheckpoint(path, model, opt, config, [], 100);
    const { tensors, metadata } = await load(path);
    const t = tensors['optimizer.0.expAvg']!;
    await save({ ...tensors, 'optimizer.__proto__.polluted': t }, path, metadata);
    await expect(loadCheckpoint(path, model, opt, config, 100)).rejects.toThrow(
      "key '__proto__' is not allowed",
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('--resume with other flags', () => {
  async function saved(name: string, c: TrainConfig = config): Promise<string> {
    const path = join(dir, name);
    const { model, opt } = setup(c);
    await saveCheckpoint(path, model, opt, c, [], 100);
    return path;
  }

  test('a conflicting flag is refused with every difference listed', async () => {
    const path = await saved('conflict.safetensors');
    const other: TrainConfig = { ...config, lr: 3, seed: 4, batchSize: 20 };
    const { model, opt } = setup(other);
    const err = await loadCheckpoint(path, model, opt, other, 100).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const m = (err as Error).message;
    expect(m).toContain(`--resume: ${path} was trained with other flags`);
    expect(m).toContain('--lr 0.5 (the flags say 3)');
    expect(m).toContain('--seed 3 (the flags say 4)');
    expect(m).toContain('--batch-size 10 (the flags say 20)');
    expect(m).toContain('only --epochs may change');
  });

  test('another training-set size (--limit) and --dropout are refused before any weight is loaded', async () => {
    const path = await saved('limit.safetensors');
    const { model, opt } = setup();
    await expect(loadCheckpoint(path, model, opt, config, 50)).rejects.toThrow(
      '--limit: 100 training examples (the flags give 50)',
    );
    const drop: TrainConfig = { ...config, dropout: 0.2 };
    const d = setup(drop);
    await expect(loadCheckpoint(path, d.model, d.opt, drop, 100)).rejects.toThrow(
      '--dropout 0 (the flags say 0.2)',
    );
  });

  test('--epochs may change: that is how a run is extended', async () => {
    const path = await saved('epochs.safetensors');
    const more = { ...config, epochs: 9 };
    const { model, opt } = setup(more);
    const ck = await loadCheckpoint(path, model, opt, more, 100);
    expect(ck?.history).toEqual([]);
  });

  test('a checkpoint whose history is not an array is refused', async () => {
    for (const history of ['{}', '"x"', '[1]', 'null']) {
      const path = await crafted(`history-${history.length}.safetensors`, (m) =>
        m.replace(/"history":\[\]/, `"history":${history}`),
      );
      const { model, opt } = setup();
      await expect(loadCheckpoint(path, model, opt, config, 100), history).rejects.toThrow(
        'history is not an array',
      );
    }
  });

  test('a checkpoint of an older trainer (without its flags) says so', async () => {
    const path = await crafted('old.safetensors', (m) =>
      m.replace('nabla-mnist-checkpoint/2', 'nabla-mnist-checkpoint/1'),
    );
    const { model, opt } = setup();
    await expect(loadCheckpoint(path, model, opt, config, 100)).rejects.toThrow(
      'written by an older version of this trainer',
    );
  });
});
