// This file never calls useBackend: vitest runs each file in a fresh module graph.
import { expect, test } from 'vitest';
import {
  BackendError,
  getBackend,
  NablaError,
  peekBackend,
  randn,
  tensor,
  zeros,
} from './index.js';

test('creating a tensor with no backend selected raises a BackendError that says how to choose one', () => {
  expect(peekBackend()).toBeUndefined();
  let err: unknown;
  try {
    tensor([1, 2, 3]);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(BackendError);
  expect(err).toBeInstanceOf(NablaError);
  expect((err as BackendError).op).toBe('tensor');
  expect((err as Error).message).toBe(
    "tensor: no backend is selected; call useBackend(cpu()) with `import { cpu } from '@nablajs/backend-cpu'`, or import from 'nablajs', which selects the CPU backend",
  );
  expect(() => zeros([2])).toThrow(/^zeros: no backend is selected/);
  expect(() => randn([2])).toThrow(/^randn: no backend is selected/);
  expect(() => getBackend()).toThrow(BackendError);
});
