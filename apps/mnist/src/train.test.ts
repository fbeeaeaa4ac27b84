import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cpu } from '@nablajs/backend-cpu';
import { loadMnist } from '@nablajs/data';
import { load } from '@nablajs/nn';
import { useBackend } from '@nablajs/tensor';
import { beforeAll, describe, expect, test } from 'vitest';
import { parseOptions } from './options.js';
import { type TrainConfig, train } from './train.js';

const run = promisify(execFile);
const cli = (args: string[]) =>
  run(
    process.execPath,
    ['--import', 'tsx', '--conditions=@nablajs/source', 'src/cli.ts', ...args],
    { cwd: join(import.meta.dirname, '..') },
  );

const base: TrainConfig = {
  hidden: [16], activation: 'sigmoid', epochs: 2, batchSize: 10, lr: 0.5, optimizer: 'sgd',
  momentum: 0, l2: 0, weightDecay: 0, seed: 3,
}; // prettier-ignore

let data: Awaited<ReturnType<typeof loadMnist>>;
beforeAll(async () => {
  useBackend(cpu());
  data = await loadMnist({ limit: 1000 });
});

describe('training on real MNIST', () => {
  test('a short run learns: accuracy far above chance and loss falling', async () => {
    const { history } = await train(base, data, { progress: null });
    expect(history).toHaveLength(2);
    expect(history[1]!.loss).toBeLessThan(history[0]!.loss);
    expect(history[1]!.testAccuracy).toBeGreaterThan(0.6);
    expect(history[1]!.validationAccuracy).toBeGreaterThan(0.6);
  }, 60_000);

  test('an onEpoch that returns a Promise is awaited before the next epoch (the soak measures there)', async () => {
    const log: string[] = [];
    await train(base, data, {
      progress: null,
      onEpoch: async (r) => {
        log.push(`called ${r.epoch}`);
        // a timer: without the await, the synchronous CPU loop would run epoch 2 before it fires
        await new Promise((res) => setTimeout(res, 0));
        log.push(`done ${r.epoch}`);
      },
    });
    expect(log).toEqual(['called 1', 'done 1', 'called 2', 'done 2']);
  }, 60_000);

  test('stopping after epoch 1 and resuming gives the same weights as an uninterrupted run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nabla-mnist-'));
    const config = { ...base, epochs: 3, momentum: 0.9, dropout: 0.2, l2: 5 };
    const straight = await train(config, data, { progress: null });
    const path = join(dir, 'ck.safetensors');
    await train({ ...config, epochs: 1, save: path }, data, { progress: null });
    const resumed = await train({ ...config, save: path, resume: true }, data, { progress: null });
    expect(resumed.history.map((h) => h.loss)).toEqual(straight.history.map((h) => h.loss));
    const a = straight.model.stateDict();
    const b = resumed.model.stateDict();
    for (const k of Object.keys(a))
      expect(Array.from(b[k]!.dataSync())).toEqual(Array.from(a[k]!.dataSync()));
  }, 120_000);
});

describe('CNNs', () => {
  test("cnn: a resumed run restores batch norm's running statistics and ends like a straight one", async () => {
    const small = await loadMnist({ limit: 256 });
    const dir = mkdtempSync(join(tmpdir(), 'nabla-mnist-cnn-'));
    const config: TrainConfig = {
      ...base, model: 'cnn', epochs: 2, batchSize: 32, optimizer: 'adam', lr: 1e-3,
    }; // prettier-ignore
    const straight = await train(config, small, { progress: null });
    const path = join(dir, 'ck.safetensors');
    await train({ ...config, epochs: 1, save: path }, small, { progress: null });
    const saved = (await load(path)).tensors;
    expect(Object.keys(saved)).toContain('2.running_var');
    expect(Array.from(saved['2.num_batches_tracked']!.dataSync())).toEqual([8]);
    const resumed = await train({ ...config, save: path, resume: true }, small, {
      progress: null,
    });
    expect(resumed.history.map((h) => h.loss)).toEqual(straight.history.map((h) => h.loss));
    const a = straight.model.stateDict();
    const b = resumed.model.stateDict();
    expect(Object.keys(b)).toEqual(Object.keys(a));
    for (const k of Object.keys(a))
      expect(Array.from(b[k]!.dataSync()), k).toEqual(Array.from(a[k]!.dataSync()));
    await expect(
      train({ ...config, model: 'lenet', save: path, resume: true }, small, { progress: null }),
    ).rejects.toThrow(/--model cnn \(the flags say lenet\)/);
  }, 120_000);
});

describe('command line', () => {
  test('flags parse with the lecture defaults', () => {
    const o = parseOptions([]);
    expect([o.hidden, o.activation, o.batchSize, o.optimizer, o.backend]).toEqual([
      [30],
      'sigmoid',
      10,
      'sgd',
      'cpu',
    ]);
    expect(parseOptions(['--hidden', '30,30', '--activation', 'relu']).hidden).toEqual([30, 30]);
  });

  test('bad flags get a clear message and exit code 2', async () => {
    const err = await cli(['--activation', 'elu']).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(err).toMatchObject({ code: 2 });
    expect((err as { stderr: string }).stderr).toContain(
      '--activation must be one of sigmoid, tanh, relu',
    );
  }, 60_000);

  test('an unwritable --save or --out stops the run before any work, with exit code 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nabla-mnist-'));
    writeFileSync(join(dir, 'file'), 'x');
    for (const [args, message] of [
      [['--save', join(dir, 'nope', 'ck.safetensors')], `does not exist`],
      [
        ['--sweep', 'depth', '--out', join(dir, 'file', 'out')],
        `--out ${join(dir, 'file', 'out')}`,
      ],
    ] as const) {
      const err = await cli([...args, '--limit', '10']).catch(
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
      expect(err).toMatchObject({ code: 2 });
      expect((err as { stderr: string }).stderr).toContain(message);
      expect((err as { stdout: string }).stdout).toBe(''); // nothing loaded, nothing trained
    }
  }, 60_000);

  test('--json ends with one JSON object of the results', async () => {
    const { stdout } = await cli(['--limit', '300', '--epochs', '1', '--hidden', '8', '--json']);
    const last = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(last.epochs).toBe(1);
    for (const k of ['testAccuracy', 'validationAccuracy', 'secondsPerEpoch'])
      expect(typeof last[k]).toBe('number');
    expect(last.testAccuracy).toBeGreaterThan(0.15);
  }, 60_000);

  test('--model lenet trains LeNet-5 on [N, 1, 28, 28] images', async () => {
    const { stdout } = await cli([
      ...['--model', 'lenet', '--optimizer', 'adam', '--lr', '0.002', '--batch-size', '32'],
      ...['--limit', '300', '--epochs', '2', '--json'],
    ]);
    expect(stdout).toContain('MNIST: lenet, adam lr 0.002');
    const last = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(last.testAccuracy).toBeGreaterThan(0.3); // 49 % with these seeds: far above chance
  }, 60_000);
});
