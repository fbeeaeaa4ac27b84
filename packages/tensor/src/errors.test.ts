import { describe, expect, test } from 'vitest';
import { cpu } from '../../backend-cpu/src/index.js';
import {
  type Backend,
  BackendError,
  concat,
  DisposedError,
  DTypeError,
  fmtShape,
  NablaError,
  oneHot,
  ShapeError,
  stack,
  tensor,
  useBackend,
  where,
  zeros,
} from './index.js';

useBackend(cpu());

/** The error `f` throws. */
function thrown(f: () => unknown): NablaError {
  try {
    f();
  } catch (e) {
    return e as NablaError;
  }
  throw new Error('expected an error');
}

function expectError(f: () => unknown, Cls: typeof NablaError, op: string, parts: string[]): void {
  const e = thrown(f);
  expect(e).toBeInstanceOf(Cls);
  expect(e).toBeInstanceOf(NablaError);
  expect(e.name).toBe(Cls.name);
  expect(e.op).toBe(op);
  expect(e.message.startsWith(`${op}: `)).toBe(true);
  for (const p of parts) expect(e.message).toContain(p);
}

describe('the error classes', () => {
  test('extend NablaError and Error, with the op, a hint and their own name', () => {
    for (const Cls of [ShapeError, DTypeError, BackendError, DisposedError]) {
      const e = new Cls('myop', 'went wrong', 'do this instead');
      expect(e).toBeInstanceOf(NablaError);
      expect(e).toBeInstanceOf(Error);
      expect(e.name).toBe(Cls.name);
      expect(e.op).toBe('myop');
      expect(e.hint).toBe('do this instead');
      expect(e.message).toBe('myop: went wrong; do this instead');
    }
    expect(new ShapeError('x', 'no hint').message).toBe('x: no hint');
    expect(fmtShape([2, 3])).toBe('[2,3]');
    expect(fmtShape([])).toBe('[]');
  });
});

describe('ShapeError names the op and the shapes', () => {
  const cases: [string, () => unknown, string[]][] = [
    ['add', () => zeros([2, 3]).add(zeros([3, 2])), ['[2,3]', '[3,2]']],
    [
      'matmul',
      () => zeros([32, 784]).matmul(zeros([30, 784])),
      ['[32,784]', '[30,784]', 'b.transpose()'],
    ],
    ['reshape', () => zeros([2, 3]).reshape([5]), ['[2,3]', '[5]']],
    ['expand', () => zeros([2]).expand([3]), ['[2]', '[3]']],
    ['concat', () => concat([zeros([1, 2]), zeros([1, 3])]), ['[1,2]', '[1,3]']],
    ['concat', () => stack([zeros([2]), zeros([3])]), ['[1,2]', '[1,3]']], // stack joins unsqueezed views
    ['sum', () => zeros([2, 3]).sum(2), ['axis 2', 'rank 2']],
    ['permute', () => zeros([2, 3]).permute(0), ['[0]', '[2,3]']],
    ['slice', () => zeros([2, 3]).slice([null, 5]), ['index 5', '[2,3]']],
    ['squeeze', () => zeros([2, 3]).squeeze(0), ['[2,3]']],
    ['where', () => where(tensor([true, false]), zeros([3]), 0), ['[2]', '[3]']],
    ['gather', () => zeros([2, 3]).gather(1, tensor([0, 1], { dtype: 'int32' })), ['[2]', '[2,3]']],
    ['tensor', () => tensor([1, 2, 3], { shape: [2, 2] }), ['[2,2]']],
    ['assign', () => zeros([2, 1]).expand([2, 3]).assign(1), ['[2,3]']],
  ];
  test.each(cases)('%s', (op, f, parts) => expectError(f, ShapeError, op, parts));

  test('item (async) rejects with a ShapeError naming the shape', async () => {
    await expect(zeros([3]).item()).rejects.toMatchObject({
      name: 'ShapeError',
      op: 'item',
      message: expect.stringContaining('[3]'),
    });
  });
});

describe('DTypeError names the op and the dtypes', () => {
  const f32only: Backend = { ...cpu(), name: 'f32-only', dtypes: ['float32', 'int32'] };

  test('a dtype the backend does not store', () => {
    expectError(() => tensor([1], { dtype: 'float64', backend: f32only }), DTypeError, 'tensor', [
      "'f32-only'",
      'float64',
      'float32, int32',
    ]);
    expectError(() => zeros([2], { dtype: 'float64', backend: f32only }), DTypeError, 'zeros', [
      'float64',
    ]);
    expectError(() => tensor([1], { backend: f32only }).cast('float64'), DTypeError, 'cast', [
      'float64',
    ]);
  });

  test('bool where an op needs it', () => {
    expectError(() => where(tensor([1, 0]), 1, 0), DTypeError, 'where', ['bool', 'float32']);
    expectError(() => zeros([2, 2]).gather(0, zeros([1, 2])), DTypeError, 'gather', [
      'int32',
      'float32',
    ]);
    expectError(() => oneHot(tensor([1.5]), 3), DTypeError, 'oneHot', ['float32']);
  });
});

describe('BackendError', () => {
  test('tensors on two backends, mixed', () => {
    const other: Backend = { ...cpu(), name: 'other-cpu' };
    const a = tensor([1, 2]);
    const b = tensor([3, 4], { backend: other });
    expectError(() => a.add(b), BackendError, 'add', ['cpu', 'other-cpu', 'await t.to(backend)']);
    expectError(() => a.matmul(b), BackendError, 'matmul', ['other-cpu']);
    expectError(() => concat([a, b]), BackendError, 'concat', ['other-cpu']);
    expectError(() => where(a.gt(1), a, b), BackendError, 'where', ['other-cpu']);
    expectError(() => a.assign(b), BackendError, 'assign', ['other-cpu']);
    // two instances of one backend kind are two backends too
    expectError(() => a.add(tensor([1, 2], { backend: cpu() })), BackendError, 'add', [
      'different backends',
    ]);
  });
});

describe('DisposedError', () => {
  test('names the op, the shape and the dtype', () => {
    const t = zeros([2, 3], { dtype: 'int32' });
    t.dispose();
    expectError(() => t.mul(2), DisposedError, 'mul', ['[2,3]', 'int32', 'disposed']);
    expectError(() => t.max(0), DisposedError, 'max', ['[2,3]']);
  });
});
