import type { Tensor } from '@nablajs/tensor';
import { describe, expect, test } from 'vitest';
import { packOptimizerState, unpackCheckpoint } from './checkpoint.js';

// the functions only move tensors around: stand-ins do
const t = (name: string) => ({ name }) as unknown as Tensor;
const fail = (why: string): never => {
  throw new Error(why);
};

describe('packOptimizerState and unpackCheckpoint', () => {
  test('buffers go beside the model tensors, numbers to the metadata, and come back', () => {
    const tensors: Record<string, Tensor> = { 'fc.weight': t('w') };
    const state = { 0: { step: 3, expAvg: t('m0') }, 1: { step: 3, expAvg: t('m1') } };
    const scalars = packOptimizerState(state, tensors);
    expect(scalars).toEqual({ 0: { step: 3 }, 1: { step: 3 } });
    expect(Object.keys(tensors)).toEqual(['fc.weight', 'optimizer.0.expAvg', 'optimizer.1.expAvg']);
    const back = unpackCheckpoint(tensors, JSON.parse(JSON.stringify(scalars)), fail);
    expect({ ...back.model }).toEqual({ 'fc.weight': t('w') });
    expect(JSON.parse(JSON.stringify(back.optimizer))).toEqual(JSON.parse(JSON.stringify(state)));
    expect(Object.getPrototypeOf(back.optimizer)).toBeNull();
  });

  test.each([
    ['a tensor key', { 'optimizer.0.__proto__': t('x') }, {}, "key '__proto__' is not allowed"],
    ['a parameter', { 'optimizer.constructor.m': t('x') }, {}, "key 'constructor' is not allowed"],
    ['a scalar', {}, JSON.parse('{"0":{"__proto__":1}}'), "key '__proto__' is not allowed"],
    ['a non-index', { 'optimizer.a.m': t('x') }, {}, "'a' is not an index"],
    ['a non-number', {}, { 0: { step: '3' } }, 'optimizer scalar 0.step: not a number'],
    ['scalars that are not an object', {}, null, 'optimizer scalars: not an object'],
  ])('%s that could do harm is refused', (_, tensors, scalars, message) => {
    expect(() => unpackCheckpoint(tensors, scalars, fail)).toThrow(message);
    expect(Object.keys(Object.prototype)).toEqual([]);
  });
});
