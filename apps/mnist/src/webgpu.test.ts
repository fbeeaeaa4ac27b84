// The trainer on WebGPU ends where it ends on the CPU: same seed, same data, same numbers (within
// float32 rounding), so the browser page's WebGPU runs can be trusted like the CLI's CPU runs.
import { cpu } from '@nablajs/backend-cpu';
import { describeWithBackend } from '@nablajs/backend-tests';
import { webgpu } from '@nablajs/backend-webgpu';
import { loadMnist, type MnistData } from '@nablajs/data';
import { type Backend, useBackend } from '@nablajs/tensor';
import { expect, test } from 'vitest';
import { type EpochResult, type TrainConfig, train } from './train.js';

process.env.VK_ICD_FILENAMES ??= '/usr/lib/chromium/vk_swiftshader_icd.json';
process.env.XDG_RUNTIME_DIR ??= '/tmp';

// the lecture's network, 784-30-10 sigmoid with SGD, for one short epoch
const config: TrainConfig = {
  hidden: [30], activation: 'sigmoid', epochs: 1, batchSize: 10, lr: 0.5, optimizer: 'sgd',
  momentum: 0, l2: 0, weightDecay: 0, seed: 1,
}; // prettier-ignore

async function run(backend: Backend, data: MnistData, c = config): Promise<EpochResult> {
  useBackend(backend);
  const { history } = await train(c, data, { progress: null });
  expect(history).toHaveLength(1);
  return history[0]!;
}

await describeWithBackend('WebGPU', webgpu, (gpu) =>
  test('one epoch on WebGPU gives the CPU’s loss and accuracies', async () => {
    const data = await loadMnist({ limit: 200, validation: 100 });
    const onCpu = await run(cpu(), data);
    const onGpu = await run(gpu, data);
    expect(Math.abs(onGpu.loss - onCpu.loss)).toBeLessThanOrEqual(1e-3 * onCpu.loss);
    // accuracies agree to the sample (a logit tie could flip one)
    for (const [split, key] of [
      ['train', 'trainAccuracy'],
      ['validation', 'validationAccuracy'],
      ['test', 'testAccuracy'],
    ] as const) {
      const n = data[split].count;
      expect(Math.abs(onGpu[key] - onCpu[key]) * n, split).toBeLessThanOrEqual(1 + 1e-9);
    }
    // and it is a real run, not two equal failures
    expect(onCpu.testAccuracy).toBeGreaterThan(0.3);
    expect(Number.isFinite(onGpu.loss)).toBe(true);
  }, 120_000),
);

// LeNet-5 and the batch-norm CNN as the runs train them (Adam, mini-batch 64), for two steps
// on 128 images (SwiftShader runs a convolution at ~0.1 GFLOP/s): the same numbers, not a trained net
const cnnConfig = (model: 'lenet' | 'cnn'): TrainConfig => ({
  ...config, model, optimizer: 'adam', lr: 1e-3, batchSize: 64, activation: 'relu', hidden: [],
}); // prettier-ignore

await describeWithBackend('WebGPU', webgpu, (gpu) => {
  for (const model of ['lenet', 'cnn'] as const)
    test(`${model}: one short epoch on WebGPU gives the CPU’s loss and accuracies`, async () => {
      const data = await loadMnist({ limit: 128, validation: 32 });
      const onCpu = await run(cpu(), data, cnnConfig(model));
      const onGpu = await run(gpu, data, cnnConfig(model));
      expect(Math.abs(onGpu.loss - onCpu.loss)).toBeLessThanOrEqual(1e-3 * onCpu.loss);
      for (const [split, key] of [
        ['train', 'trainAccuracy'],
        ['validation', 'validationAccuracy'],
        ['test', 'testAccuracy'],
      ] as const)
        expect(Math.abs(onGpu[key] - onCpu[key]) * data[split].count, split).toBeLessThanOrEqual(
          1 + 1e-9,
        );
      expect(Number.isFinite(onGpu.loss)).toBe(true);
    }, 300_000);
});
