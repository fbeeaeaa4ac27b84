import { cpu } from '@nablajs/backend-cpu';
import { Linear } from '@nablajs/nn';
import { tensor, useBackend } from '@nablajs/tensor';
import { describe, expect, test } from 'vitest';
import { EarlyStopping } from './index.js';

useBackend(cpu());

const run = (stopper: EarlyStopping, metrics: number[]) => metrics.map((m) => stopper.step(m));

describe('EarlyStopping', () => {
  test('stops after `patience` checks without improvement (min mode)', () => {
    const s = new EarlyStopping({ patience: 3 });
    expect(run(s, [1.0, 0.8, 0.85, 0.9, 0.7, 0.75, 0.76, 0.77])).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      true,
    ]);
    expect(s.best).toBe(0.7);
    expect(s.bestStep).toBe(4);
    expect(s.wait).toBe(3);
    expect(s.stopped).toBe(true);
    expect(s.step(0.1)).toBe(true); // stays stopped
  });

  test('max mode, minDelta, NaN', () => {
    const s = new EarlyStopping({ patience: 2, mode: 'max', minDelta: 0.01 });
    expect(run(s, [0.5, 0.505, 0.52, NaN, 0.525])).toEqual([false, false, false, false, true]);
    expect(s.best).toBe(0.52);
    expect(s.bestStep).toBe(2);
    const zero = new EarlyStopping({ patience: 0 });
    expect(run(zero, [1, 1])).toEqual([false, true]);
    expect(() => new EarlyStopping({ patience: -1 })).toThrow(
      'patience must be a non-negative integer',
    );
    expect(() => new EarlyStopping({ mode: 'low' as never })).toThrow(
      "mode must be 'min' or 'max'",
    );
  });

  test('keeps a copy of the best weights and restores it when stopping', () => {
    const model = new Linear(2, 1);
    const set = (w: number) => model.weight.data.assign(tensor([[w, w]]));
    const weight = () => Array.from(model.weight.data.dataSync());
    const s = new EarlyStopping({ patience: 2 });
    set(1);
    expect(s.step(0.5, model)).toBe(false);
    set(2);
    expect(s.step(0.3, model)).toBe(false); // best: w = 2
    set(3); // in-place update after the snapshot must not change it
    expect(Array.from(s.bestState!['weight']!.dataSync())).toEqual([2, 2]);
    expect(s.step(0.4, model)).toBe(false);
    set(4);
    expect(s.step(0.35, model)).toBe(true);
    expect(weight()).toEqual([2, 2]);
    s.reset();
    expect(s.bestState).toBeNull();
    expect(s.best).toBe(Infinity);
    expect(s.steps).toBe(0);
  });

  test('restoreBest: false leaves the last weights', () => {
    const model = new Linear(1, 1);
    const s = new EarlyStopping({ patience: 1, restoreBest: false });
    model.weight.data.assign(tensor([[1]]));
    s.step(1, model);
    model.weight.data.assign(tensor([[5]]));
    expect(s.step(2, model)).toBe(true);
    expect(Array.from(model.weight.data.dataSync())).toEqual([5]);
    s.restore(model); // explicit restore still works
    expect(Array.from(model.weight.data.dataSync())).toEqual([1]);
  });
});
