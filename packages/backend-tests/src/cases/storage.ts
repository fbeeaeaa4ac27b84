import { BackendError, typedArray } from '@nablajs/tensor';
import { expect } from 'vitest';
import { type Case, EDGES, INT_EDGES, between } from './case.js';

/** The storage half of the Backend interface: upload, zeros, read, readSync, free. */
export const STORAGE_CASES: Case[] = [
  {
    name: 'upload and read round-trip bit for bit',
    async run(ctx) {
      const x = ctx.nd(ctx.dtype === 'int32' ? INT_EDGES : EDGES);
      await ctx.expect(ctx.make(x), x, { exact: true });
    },
  },
  {
    name: 'zeros',
    async run(ctx) {
      const data = await ctx.backend.read({
        storage: ctx.backend.zeros(ctx.dtype, 5),
        dtype: ctx.dtype,
        shape: [5],
        strides: [1],
        offset: 0,
      });
      expect([...data]).toEqual([0, 0, 0, 0, 0]);
      expect(data).toBeInstanceOf(typedArray(ctx.dtype, 0).constructor);
    },
  },
  {
    name: 'readSync agrees with read, or dataSync names `await t.data()`',
    async run(ctx) {
      const [t, x] = ctx.input([3, 4], between(-5, 5, -100, 100), 'transposed');
      if (ctx.backend.sync) {
        expect(ctx.backend.readSync, 'a sync backend has readSync').toBeTypeOf('function');
        expect([...t.dataSync()]).toEqual([...x.data]);
      } else {
        expect(() => t.dataSync()).toThrow(BackendError);
        expect(() => t.dataSync()).toThrow(/await t\.data\(\)/);
      }
    },
  },
  {
    name: 'disposing a tensor keeps its views readable',
    async run(ctx) {
      const [t, x] = ctx.input([4, 3], between(-5, 5, -100, 100));
      const view = ctx.track(t.transpose());
      t.dispose();
      const expected = ctx.nd(
        [0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11].map((i) => x.data[i]!),
        [3, 4],
      );
      await ctx.expect(view, expected, { exact: true });
    },
  },
];
