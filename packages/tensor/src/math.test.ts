import { describe, expect, test } from 'vitest';
import { cpu } from '../../backend-cpu/src/index.js';
import {
  arange,
  concat,
  DTypeError,
  IndexError,
  oneHot,
  scatterAdd,
  ShapeError,
  stack,
  tensor,
  type Tensor,
  useBackend,
  where,
  zeros,
} from './index.js';

useBackend(cpu());

const values = (t: Tensor) => Array.from(t.dataSync());
function expectClose(t: Tensor, expected: number[], digits = 5): void {
  const got = values(t);
  expect(got.length).toBe(expected.length);
  got.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, digits));
}
/** [[0..3],[4..7],[8..11]] per block, 2 blocks: x[i][j][k] = 12i + 4j + k, float32. */
const x234 = () => arange(24, undefined, 1, { dtype: 'float32' }).reshape([2, 3, 4]);

/** Plain matrix product of nested arrays, for expected values. */
function mm(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, p) => s + v * b[p]![j]!, 0)));
}

describe('elementwise', () => {
  test('unary ops', () => {
    const t = tensor([-2, -0.5, 0, 1, 4]);
    expect(values(t.neg())).toEqual([2, 0.5, -0, -1, -4]);
    expect(values(t.abs())).toEqual([2, 0.5, 0, 1, 4]);
    expect(values(t.sign())).toEqual([-1, -1, 0, 1, 1]);
    expect(values(t.relu())).toEqual([0, 0, 0, 1, 4]);
    expect(values(t.step())).toEqual([0, 0, 0, 1, 1]);
    expect(values(t.square())).toEqual([4, 0.25, 0, 1, 16]);
    expect(values(t.floor())).toEqual([-2, -1, 0, 1, 4]);
    expect(values(t.ceil())).toEqual([-2, -0, 0, 1, 4]);
    expectClose(tensor([1, 4, 9]).sqrt(), [1, 2, 3]);
    expectClose(tensor([0, 1]).exp(), [1, Math.E]);
    expectClose(tensor([1, Math.E]).log(), [0, 1]);
    expectClose(tensor([2, 4]).reciprocal(), [0.5, 0.25]);
    expectClose(tensor([0, Math.PI / 2]).sin(), [0, 1]);
    expectClose(tensor([0, Math.PI]).cos(), [1, -1]);
    expectClose(tensor([1e-10]).log1p(), [1e-10], 15);
  });

  test('float-only unary ops on int32 give float32; the others keep int32', () => {
    const i = tensor([1, 4], { dtype: 'int32' });
    expect(i.sqrt().dtype).toBe('float32');
    expectClose(i.sqrt(), [1, 2]);
    expect(i.exp().dtype).toBe('float32');
    expect(i.neg().dtype).toBe('int32');
    expect(values(i.neg())).toEqual([-1, -4]);
    expect(i.abs().dtype).toBe('int32');
  });

  test('binary ops with NumPy broadcasting', async () => {
    const a = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(await a.add(tensor([10, 20, 30])).array()).toEqual([
      [11, 22, 33],
      [14, 25, 36],
    ]);
    expect(await a.sub(tensor([[1], [4]])).array()).toEqual([
      [0, 1, 2],
      [0, 1, 2],
    ]);
    // outer product by broadcasting [3,1] with [1,2]... and a 0-d operand
    const outer = tensor([[1], [2], [3]]).mul(tensor([[10, 100]]));
    expect(outer.shape).toEqual([3, 2]);
    expect(await outer.array()).toEqual([
      [10, 100],
      [20, 200],
      [30, 300],
    ]);
    expect(values(a.div(tensor(2)))).toEqual([0.5, 1, 1.5, 2, 2.5, 3]);
    // [3,1,2] with [4,1] -> [3,4,2]
    const c = zeros([3, 1, 2]).add(tensor([[1], [2], [3], [4]]));
    expect(c.shape).toEqual([3, 4, 2]);
    expect(values(c.sum())).toEqual([3 * 2 * (1 + 2 + 3 + 4)]);
    expect(values(tensor([2, 3]).pow(tensor([3, 2])))).toEqual([8, 9]);
    expect(values(tensor([1, 5]).maximum(tensor([3, 2])))).toEqual([3, 5]);
    expect(values(tensor([1, 5]).minimum(tensor([3, 2])))).toEqual([1, 2]);
  });

  test('shapes that do not broadcast raise ShapeError', () => {
    expect(() => zeros([2, 3]).add(zeros([4]))).toThrow(ShapeError);
    expect(() => zeros([2, 3]).add(zeros([4]))).toThrow(
      'add: shapes [2,3] and [4] cannot be broadcast (axis -1: 3 vs 4)',
    );
    expect(() => zeros([2, 3]).mul(zeros([3, 3]))).toThrow(/^mul: shapes \[2,3\] and \[3,3\]/);
  });

  test('broadcasting over strided views', () => {
    const m = arange(6, undefined, 1, { dtype: 'float32' }).reshape([2, 3]);
    // m.T is [3,2] = [[0,3],[1,4],[2,5]]
    expect(values(m.transpose().add(tensor([100, 200])))).toEqual([100, 203, 101, 204, 102, 205]);
    expect(values(m.slice([null, [0, 3, 2]]).mul(m.slice([null, [1, 3]])))).toEqual([0, 4, 12, 25]);
  });

  test('comparisons give bool', () => {
    const a = tensor([1, 2, 3]);
    const b = tensor([3, 2, 1]);
    const cases: [Tensor, number[]][] = [
      [a.eq(b), [0, 1, 0]],
      [a.ne(b), [1, 0, 1]],
      [a.lt(b), [1, 0, 0]],
      [a.le(b), [1, 1, 0]],
      [a.gt(b), [0, 0, 1]],
      [a.ge(2), [0, 1, 1]],
    ];
    for (const [t, v] of cases) {
      expect(t.dtype).toBe('bool');
      expect(values(t)).toEqual(v);
    }
  });
});

describe('dtype promotion and scalars', () => {
  const i = tensor([1, 2, 7], { dtype: 'int32' });
  const f = tensor([0.5, 0.5, 0.5]);

  test('int32 with float32 gives float32; float64 wins over both', () => {
    expect(i.add(f).dtype).toBe('float32');
    expect(values(i.add(f))).toEqual([1.5, 2.5, 7.5]);
    expect(f.add(i).dtype).toBe('float32');
    expect(i.add(i).dtype).toBe('int32');
    const d = tensor([1], { dtype: 'float64' });
    expect(d.add(f.slice([[0, 1]])).dtype).toBe('float64');
    expect(i.mul(d).dtype).toBe('float64');
  });

  test('int32 / int32 is true division in float32', () => {
    const q = i.div(tensor([2, 2, 2], { dtype: 'int32' }));
    expect(q.dtype).toBe('float32');
    expect(values(q)).toEqual([0.5, 1, 3.5]);
    expect(values(i.div(2))).toEqual([0.5, 1, 3.5]);
  });

  test('scalars take the tensor dtype, or float32 for a fraction on int32', () => {
    expect(i.add(2).dtype).toBe('int32');
    expect(values(i.add(2))).toEqual([3, 4, 9]);
    const half = i.mul(0.5);
    expect(half.dtype).toBe('float32');
    expect(values(half)).toEqual([0.5, 1, 3.5]);
    expect(values(f.sub(1))).toEqual([-0.5, -0.5, -0.5]);
    expect(values(tensor([1, 2, 3]).pow(2))).toEqual([1, 4, 9]);
    expect(values(tensor([-1, 2]).maximum(0))).toEqual([0, 2]);
    expect(tensor([1], { dtype: 'float64' }).add(0.1).dataSync()[0]).toBe(1.1);
  });

  test('comparisons promote before comparing', () => {
    expect(values(i.gt(1.5))).toEqual([0, 1, 1]);
    expect(values(i.eq(tensor([1, 2.5, 7])))).toEqual([1, 0, 1]);
  });
});

describe('reductions', () => {
  test('sum over all, one, several and negative axes, with keepDims', async () => {
    const x = x234();
    expect(values(x.sum())).toEqual([276]);
    expect(x.sum().shape).toEqual([]);
    expect(x.sum(0).shape).toEqual([3, 4]);
    expect(await x.sum(0).array()).toEqual([
      [12, 14, 16, 18],
      [20, 22, 24, 26],
      [28, 30, 32, 34],
    ]);
    // Σ_i Σ_k (12i + 4j + k) = 32j + 60
    expect(values(x.sum([0, 2]))).toEqual([60, 92, 124]);
    expect(x.sum([0, 2], true).shape).toEqual([1, 3, 1]);
    expect(values(x.sum([2, 0], true))).toEqual([60, 92, 124]);
    expect(values(x.sum(-1))).toEqual([6, 22, 38, 54, 70, 86]);
    expect(x.sum(-1, true).shape).toEqual([2, 3, 1]);
    expect(() => x.sum(3)).toThrow(ShapeError);
    expect(() => x.sum([1, 1])).toThrow(ShapeError);
  });

  test('sum of an int32 tensor stays int32; sum over an empty axis is 0', () => {
    const s = arange(5).sum();
    expect(s.dtype).toBe('int32');
    expect(values(s)).toEqual([10]);
    expect(values(zeros([0, 3]).sum(0))).toEqual([0, 0, 0]);
  });

  test('mean', () => {
    const x = x234();
    expect(values(x.mean())).toEqual([11.5]);
    expect(values(x.mean(1))).toEqual([4, 5, 6, 7, 16, 17, 18, 19]);
    expect(x.mean([0, 1], true).shape).toEqual([1, 1, 4]);
    expect(values(x.mean([0, 1], true))).toEqual([10, 11, 12, 13]);
    expect(() => arange(4).mean()).toThrow(DTypeError); // int32: refused, as PyTorch
    const m = arange(4).cast('float32').mean();
    expect(values(m)).toEqual([1.5]);
  });

  test('max and min, over axes, on strided views', () => {
    const t = tensor([
      [3, -1, 7],
      [2, 9, -5],
    ]);
    expect(values(t.max())).toEqual([9]);
    expect(values(t.min())).toEqual([-5]);
    expect(values(t.max(0))).toEqual([3, 9, 7]);
    expect(values(t.min(1))).toEqual([-1, -5]);
    expect(t.max(1, true).shape).toEqual([2, 1]);
    expect(values(t.transpose().max(1))).toEqual([3, 9, 7]);
    expect(values(x234().max([0, 2]))).toEqual([15, 19, 23]);
  });

  test('argmax and argmin: int32, flattened without an axis, first of ties', () => {
    const t = tensor([
      [1, 5, 5],
      [7, 2, 0],
    ]);
    const a = t.argmax();
    expect(a.dtype).toBe('int32');
    expect(a.shape).toEqual([]);
    expect(values(a)).toEqual([3]);
    expect(values(t.argmax(1))).toEqual([1, 0]);
    expect(values(t.argmax(0))).toEqual([1, 0, 0]);
    expect(values(t.argmin())).toEqual([5]);
    expect(values(t.argmin(-1))).toEqual([0, 2]);
    expect(t.argmax(1, true).shape).toEqual([2, 1]);
    expect(values(t.transpose().argmax(0))).toEqual([1, 0]);
    expect(() => t.argmax([0, 1] as never)).toThrow(ShapeError);
  });

  test('variance: unbiased by default (as PyTorch), correction 0 is the population variance', () => {
    const t = tensor([1, 2, 3, 4]);
    expectClose(t.variance(), [5 / 3]);
    expectClose(t.variance(undefined, false, 0), [1.25]);
    const m = tensor([
      [1, 2, 3, 4],
      [2, 4, 6, 8],
    ]);
    expectClose(m.variance(1), [5 / 3, 20 / 3]);
    expect(m.variance(1, true).shape).toEqual([2, 1]);
    expectClose(m.variance(0, false, 0), [0.25, 1, 2.25, 4]);
  });

  test('max, min and argmax of an empty axis raise ShapeError', () => {
    const e = zeros([0, 3]);
    expect(() => e.max(0)).toThrow(ShapeError);
    expect(() => e.max(0)).toThrow('max: cannot reduce an empty axis of [0,3]');
    expect(() => e.min()).toThrow(ShapeError);
    expect(() => e.argmax()).toThrow(ShapeError);
    expect(e.max(1).shape).toEqual([0]); // reducing a non-empty axis of an empty tensor is fine
  });
});

describe('matmul', () => {
  const A = [
    [1, 2, 3],
    [4, 5, 6],
  ];
  const B = [
    [7, 8],
    [9, 10],
    [11, 12],
  ];

  test('2-D', async () => {
    const c = tensor(A).matmul(tensor(B));
    expect(c.shape).toEqual([2, 2]);
    expect(await c.array()).toEqual([
      [58, 64],
      [139, 154],
    ]);
    expect(await tensor(A).matmul(tensor(B)).array()).toEqual(mm(A, B));
  });

  test('transposed operands arrive as strides', async () => {
    const a = tensor(A);
    expect(await a.matmul(a.transpose()).array()).toEqual([
      [14, 32],
      [32, 77],
    ]);
    expect(await a.transpose().matmul(a).array()).toEqual(mm([[1, 4], [2, 5], [3, 6]], A)); // prettier-ignore
    const bt = tensor(B).transpose().contiguous(); // [2,3]
    expect(await tensor(A).matmul(bt.transpose()).array()).toEqual(mm(A, B));
  });

  test('batched, with broadcast batch axes', async () => {
    const a = arange(12, undefined, 1, { dtype: 'float32' }).reshape([2, 2, 3]);
    const b = tensor(B);
    const c = a.matmul(b);
    expect(c.shape).toEqual([2, 2, 2]);
    const arr = (await a.array()) as number[][][];
    expect(await c.array()).toEqual([mm(arr[0]!, B), mm(arr[1]!, B)]);
    // [2,1,2,3] @ [3,3,2] -> [2,3,2,2]
    const a4 = a.reshape([2, 1, 2, 3]);
    const b3 = arange(18, undefined, 1, { dtype: 'float32' }).reshape([3, 3, 2]);
    const c4 = a4.matmul(b3);
    expect(c4.shape).toEqual([2, 3, 2, 2]);
    const bArr = (await b3.array()) as number[][][];
    const out = (await c4.array()) as number[][][][];
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 3; j++) expect(out[i]![j]).toEqual(mm(arr[i]!, bArr[j]!));
  });

  test('1-D operands: vector-matrix, matrix-vector, dot', () => {
    const vm = tensor([1, 2]).matmul(tensor(A));
    expect(vm.shape).toEqual([3]);
    expect(values(vm)).toEqual([9, 12, 15]);
    const mv = tensor(A).matmul(tensor([1, 1, 1]));
    expect(mv.shape).toEqual([2]);
    expect(values(mv)).toEqual([6, 15]);
    const dot = tensor([1, 2, 3]).matmul(tensor([4, 5, 6]));
    expect(dot.shape).toEqual([]);
    expect(values(dot)).toEqual([32]);
    // a vector against a batch of matrices: [3] @ [2,3,2] -> [2,2]
    const bv = tensor([1, 0, 1]).matmul(tensor([B, B]));
    expect(bv.shape).toEqual([2, 2]);
    expect(values(bv)).toEqual([18, 20, 18, 20]);
  });

  test('dtypes: int32 stays int32, mixed operands promote', () => {
    const i = tensor(A, { dtype: 'int32' }).matmul(tensor(B, { dtype: 'int32' }));
    expect(i.dtype).toBe('int32');
    expect(values(i)).toEqual([58, 64, 139, 154]);
    expect(tensor(A, { dtype: 'int32' }).matmul(tensor(B)).dtype).toBe('float32');
    expect(tensor(A, { dtype: 'float64' }).matmul(tensor(B)).dtype).toBe('float64');
  });

  test('inner dimensions that differ raise ShapeError with a hint', () => {
    const x = zeros([32, 784]);
    const w = zeros([30, 784]);
    expect(() => x.matmul(w)).toThrow(ShapeError);
    expect(() => x.matmul(w)).toThrow(
      new ShapeError(
        'matmul',
        'inner dimensions differ: [32,784] @ [30,784]',
        'did you mean b.transpose()?',
      ),
    );
    let message = '';
    try {
      x.matmul(w);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe(
      'matmul: inner dimensions differ: [32,784] @ [30,784]; did you mean b.transpose()?',
    );
    expect(() => zeros([2, 3]).matmul(zeros([4, 5]))).toThrow(
      'matmul: inner dimensions differ: [2,3] @ [4,5]; the last axis of a must equal the second-to-last of b',
    );
    expect(() => zeros([2, 2, 3]).matmul(zeros([3, 3, 4]))).toThrow(
      /^matmul: shapes \[2\] and \[3\] cannot be broadcast/,
    );
    expect(() => tensor(2).matmul(zeros([2]))).toThrow(
      'matmul: operands need at least one axis, got [] @ [2]; use mul for scalars',
    );
  });
});

describe('concat and stack', () => {
  const a = tensor([
    [1, 2],
    [3, 4],
  ]);
  const b = tensor([[5, 6]]);

  test('concat along an axis', async () => {
    expect(await concat([a, b]).array()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(await concat([a, a], 1).array()).toEqual([
      [1, 2, 1, 2],
      [3, 4, 3, 4],
    ]);
    expect(await concat([a, b.transpose().expand([2, 2])], -1).array()).toEqual([
      [1, 2, 5, 5],
      [3, 4, 6, 6],
    ]);
    expect(await concat([a.transpose(), b]).array()).toEqual([
      [1, 3],
      [2, 4],
      [5, 6],
    ]);
  });

  test('concat promotes dtypes and checks shapes', () => {
    const c = concat([tensor([1], { dtype: 'int32' }), tensor([0.5])]);
    expect(c.dtype).toBe('float32');
    expect(values(c)).toEqual([1, 0.5]);
    expect(() => concat([a, b], 1)).toThrow(ShapeError);
    expect(() => concat([a, b], 1)).toThrow('concat: shapes [2,2], [1,2] differ off axis 1');
    expect(() => concat([])).toThrow(ShapeError);
  });

  test('stack along a new axis', async () => {
    const u = tensor([1, 2, 3]);
    const v = tensor([4, 5, 6]);
    const s0 = stack([u, v]);
    expect(s0.shape).toEqual([2, 3]);
    expect(await s0.array()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const s1 = stack([u, v], 1);
    expect(s1.shape).toEqual([3, 2]);
    expect(await s1.array()).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    expect(stack([u, v], -1).shape).toEqual([3, 2]);
    expect(() => stack([u, tensor([1, 2])])).toThrow(ShapeError);
  });
});

describe('gather, scatterAdd, oneHot', () => {
  const x = tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);

  test('gather picks along an axis (PyTorch semantics)', async () => {
    const idx = tensor([[0], [2]], { dtype: 'int32' });
    expect(await x.gather(1, idx).array()).toEqual([[1], [6]]);
    expect(
      await x
        .gather(
          1,
          tensor(
            [
              [2, 2, 0],
              [1, 0, 1],
            ],
            { dtype: 'int32' },
          ),
        )
        .array(),
    ).toEqual([
      [3, 3, 1],
      [5, 4, 5],
    ]);
    expect(await x.gather(0, tensor([[1, 0, 1]], { dtype: 'int32' })).array()).toEqual([[4, 2, 6]]);
    expect(
      await x
        .transpose()
        .gather(-1, tensor([[1], [0], [1]], { dtype: 'int32' }))
        .array(),
    ).toEqual([[4], [2], [6]]);
  });

  test('gather checks the index dtype, shape and range', () => {
    expect(() => x.gather(1, tensor([[0], [1]]))).toThrow(DTypeError);
    expect(() => x.gather(1, tensor([0, 1], { dtype: 'int32' }))).toThrow(ShapeError);
    const bad = tensor([[0], [3]], { dtype: 'int32' });
    expect(() => x.gather(1, bad)).toThrow(IndexError);
    expect(() => x.gather(1, bad)).toThrow(
      'gather: index 3 is out of range for axis 1 of size 3; indices must be in 0..2',
    );
    expect(() => x.gather(1, tensor([[-1], [0]], { dtype: 'int32' }))).toThrow(
      /index -1 is out of range/,
    );
  });

  test('scatterAdd is the adjoint of gather: repeated indices add up', async () => {
    const idx = tensor([[0, 0], [2, 1]], { dtype: 'int32' }); // prettier-ignore
    const src = tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(await scatterAdd([2, 3], 1, idx, src).array()).toEqual([
      [3, 0, 0],
      [0, 4, 3],
    ]);
  });

  test('oneHot', async () => {
    const h = oneHot(tensor([0, 2, 1], { dtype: 'int32' }), 3);
    expect(h.dtype).toBe('float32');
    expect(await h.array()).toEqual([
      [1, 0, 0],
      [0, 0, 1],
      [0, 1, 0],
    ]);
    const h2 = oneHot(tensor([[3], [0]], { dtype: 'int32' }), 4, 'int32');
    expect(h2.shape).toEqual([2, 1, 4]);
    expect(h2.dtype).toBe('int32');
    expect(values(h2)).toEqual([0, 0, 0, 1, 1, 0, 0, 0]);
    expect(() => oneHot(tensor([0, 1]), 2)).toThrow(DTypeError);
  });
});

describe('where', () => {
  const a = tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);

  test('with a tensor and a scalar', async () => {
    const w = where(a.gt(2), a, 0);
    expect(w.dtype).toBe('float32');
    expect(await w.array()).toEqual([
      [0, 0, 3],
      [4, 5, 6],
    ]);
    expect(values(where(a.le(2), -1, a))).toEqual([-1, -1, 3, 4, 5, 6]);
  });

  test('with two scalars, and with broadcasting', async () => {
    const w = where(a.gt(3), 1, 0);
    expect(w.dtype).toBe('float32');
    expect(values(w)).toEqual([0, 0, 0, 1, 1, 1]);
    const cond = tensor([[true], [false]]);
    expect(await where(cond, tensor([10, 20, 30]), tensor([[7]])).array()).toEqual([
      [10, 20, 30],
      [7, 7, 7],
    ]);
  });

  test('dtypes: an int tensor with a fractional scalar promotes to float32', () => {
    const i = tensor([1, 2], { dtype: 'int32' });
    const w = where(i.eq(1), i, 0.5);
    expect(w.dtype).toBe('float32');
    expect(values(w)).toEqual([1, 0.5]);
    expect(where(i.eq(1), i, 0).dtype).toBe('int32');
  });

  test('the condition must be bool, as in PyTorch', () => {
    expect(() => where(tensor([1, 0]), 1, 0)).toThrow(DTypeError);
    expect(() => where(tensor([1, 0], { dtype: 'int32' }), 1, 0)).toThrow(
      /^where: condition must be bool \(what comparisons give\), got int32 \[2\]/,
    );
  });
});
