import { cpu } from '@nablajs/backend-cpu';
import { useBackend } from '@nablajs/tensor';
import { beforeEach, describe, expect, test } from 'vitest';
import {
  backwardAt,
  expectAt,
  fixtures,
  makeOptimizer,
  makeParams,
  makeScheduler,
} from '../fixtures/replay.js';
import { SGD } from './index.js';

useBackend(cpu());

// Both ways of updating: the backend's fused kernels, and the composition of primitives that
// backends without them (or tensors they can't take) go through.
const BACKENDS = [
  ['fused kernels', cpu()],
  ['composed', { ...cpu(), name: 'cpu-unfused', fused: undefined }],
] as const;

for (const [how, backend] of BACKENDS)
  describe(`trajectories match PyTorch 1.13 (float64, 1e-10), ${how}`, () => {
    beforeEach(() => void useBackend(backend));
    test('fixtures are PyTorch 1.13', () => {
      expect(fixtures.torch).toMatch(/^1\.13/);
      expect(fixtures.optimizers.length).toBeGreaterThanOrEqual(25);
    });

    for (const c of fixtures.optimizers)
      test(c.name, () => {
        const params = makeParams();
        expect(params[0]!.data.backend).toBe(backend);
        const opt = makeOptimizer(c, params);
        const sched = c.scheduler && makeScheduler(c.scheduler.name, opt, c.scheduler.options);
        c.trajectory.forEach((expected, step) => {
          opt.zeroGrad();
          backwardAt(params, step, c.skip);
          opt.step();
          sched?.step();
          expectAt(params, expected, `${c.name}, step ${step + 1}`);
        });
      });
  });

describe('learning-rate schedules match PyTorch 1.13 (1e-12)', () => {
  for (const c of fixtures.schedulers)
    test(c.name, () => {
      const params = makeParams();
      const groups = params.map((p, i) => ({
        params: [p],
        lr: c.lrs[i],
        ...(c.initialLrs && { initialLr: c.initialLrs[i] }),
      }));
      const opt = new SGD(groups, { lr: 1 });
      const sched = makeScheduler(c.scheduler, opt, {
        ...c.options,
        ...(c.lastEpoch !== undefined && { lastEpoch: c.lastEpoch }),
      });
      const got = [sched.getLastLr()];
      for (let e = 0; e < c.epochs; e++) {
        opt.step();
        sched.step();
        got.push(sched.getLastLr());
      }
      expect(got.length).toBe(c.sequence.length);
      got.forEach((lrs, e) =>
        lrs.forEach((lr, i) =>
          expect(
            Math.abs(lr - c.sequence[e]![i]!),
            `epoch ${e}, group ${i}: ${lr} vs ${c.sequence[e]![i]}`,
          ).toBeLessThan(1e-12),
        ),
      );
      expect(opt.paramGroups.map((g) => g.lr)).toEqual(got[got.length - 1]);
    });
});
