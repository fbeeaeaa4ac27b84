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
  await saveCheckpoint(path, model, opt, config, []);
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
      await expect(loadCheckpoint(path, model, opt, config)).rejects.toThrow(
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
    await expect(loadCheckpoint(path, model, opt, config)).rejects.toThrow(
      "key '__proto__' is not allowed",
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('an optimizer tensor named optimizer.__proto__.x is refused', async () => {
    const path = join(dir, 'tensor-name.safetensors');
    const { model, opt } = setup();
    await saveCheckpoint(path, model, opt, config, []);
    const { tensors, metadata } = await load(path);
    const t = tensors['optimizer.0.expAvg']!;
    await save({ ...tensors, 'optimizer.__proto__.polluted': t }, path, metadata);
    await expect(loadCheckpoint(path, model, opt, config)).rejects.toThrow(
      "key '__proto__' is not allowed",
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
