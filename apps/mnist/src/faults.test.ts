// Faults a long run meets: a full disk while a checkpoint is written, a WebGPU device lost mid-epoch,
// and the global backend changed while a run is in flight. Each leaves a loadable checkpoint or a
// run that goes on unchanged, never a corrupt file or an unrelated error.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpu } from '@nablajs/backend-cpu';
import { describeWithBackend } from '@nablajs/backend-tests';
import { webgpu } from '@nablajs/backend-webgpu';
import { loadMnist, type MnistData } from '@nablajs/data';
import { BackendError, useBackend } from '@nablajs/tensor';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { loadCheckpoint } from './checkpoint.js';
import { buildNet } from './model.js';
import { makeOptimizer } from './optimizer.js';
import { type TrainConfig, train } from './train.js';

process.env.VK_ICD_FILENAMES ??= '/usr/lib/chromium/vk_swiftshader_icd.json';
process.env.XDG_RUNTIME_DIR ??= '/tmp';

// A disk that fills up on demand: writes through a file handle fail with ENOSPC while `full` is set.
const disk = vi.hoisted(() => ({ full: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const open: typeof fs.open = async (...args) => {
    const fh = await fs.open(...args);
    const writeFile = fh.writeFile.bind(fh);
    fh.writeFile = async (...a: Parameters<typeof writeFile>) => {
      if (disk.full)
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), {
          code: 'ENOSPC',
        });
      return writeFile(...a);
    };
    return fh;
  };
  return { ...fs, open, default: { ...fs, open } };
});

const config: TrainConfig = {
  hidden: [8], activation: 'sigmoid', epochs: 1, batchSize: 10, lr: 0.5, optimizer: 'sgd',
  momentum: 0.9, l2: 0, weightDecay: 0, seed: 5,
}; // prettier-ignore

const dir = mkdtempSync(join(tmpdir(), 'nabla-faults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let data: MnistData;
beforeAll(async () => {
  data = await loadMnist({ limit: 200, validation: 100 });
});

/** The checkpoint's history, loaded on the CPU into a fresh model (it must load at all). */
async function historyIn(path: string): Promise<number[]> {
  useBackend(cpu());
  const model = buildNet(config);
  const opt = makeOptimizer(model, config, data.train.count);
  const ck = await loadCheckpoint(path, model, opt, config, data.train.count);
  for (const p of model.parameters())
    expect(Array.from(p.data.dataSync()).every(Number.isFinite)).toBe(true);
  return ck!.history.map((h) => h.loss);
}

describe('a full disk', () => {
  test('during a checkpoint write keeps the previous checkpoint, and no temporary file', async () => {
    useBackend(cpu());
    const save = join(dir, 'full.safetensors');
    const first = await train({ ...config, save }, data, { progress: null });
    disk.full = true;
    try {
      const err = await train({ ...config, epochs: 2, save, resume: true }, data, {
        progress: null,
      }).catch((e: unknown) => e as Error & { code?: string });
      expect(err).toBeInstanceOf(Error);
      expect((err as { code?: string }).code).toBe('ENOSPC');
      expect((err as Error).message).toBe(
        `save: cannot write ${save}: the disk is full (the previous file, if any, is unchanged) (ENOSPC)`,
      );
    } finally {
      disk.full = false;
    }
    expect(readdirSync(dir).filter((f) => f.startsWith('full'))).toEqual(['full.safetensors']);
    expect(await historyIn(save)).toEqual(first.history.map((h) => h.loss));
  }, 60_000);
});

describe('the global backend changed during a run', () => {
  test('does not reach the run: it keeps the backend it started on, and its numbers', async () => {
    const a = cpu();
    useBackend(a);
    const undisturbed = await train({ ...config, epochs: 2 }, data, { progress: null });
    useBackend(a);
    const disturbed = await train({ ...config, epochs: 2 }, data, {
      progress: null,
      onEpoch: () => void useBackend(cpu()), // another backend: its tensors cannot mix with a's
    });
    expect(disturbed.history.map((h) => h.loss)).toEqual(undisturbed.history.map((h) => h.loss));
    expect(disturbed.model.parameters()[0]!.data.backend).toBe(a);
  }, 60_000);
});

await describeWithBackend('WebGPU', webgpu, () =>
  describe('a lost WebGPU device', () => {
    test('mid-epoch gives a BackendError, and the last checkpoint stays loadable', async () => {
      const gpu = await webgpu(); // a device of its own: it is destroyed
      useBackend(gpu);
      const save = join(dir, 'gpu.safetensors');
      const first = await train({ ...config, save }, data, { progress: null });
      useBackend(gpu);
      // the progress bar's first quarter of epoch 2: a quarter of the batches are through
      const sink = { write: () => gpu.device.destroy() };
      const err = await train({ ...config, epochs: 2, save, resume: true }, data, {
        progress: sink,
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BackendError);
      expect((err as Error).message).toMatch(/device was lost|reading from the GPU failed/);
      const losses = await historyIn(save);
      expect(losses).toEqual(first.history.map((h) => h.loss));
    }, 120_000);
  }),
);
