import { BINARY_OPS, type BinaryOp, type Tensor } from '@nablajs/tensor';
import type { CaseContext, Gen, Layout } from '../context.js';
import * as ref from '../reference.js';
import {
  type Case,
  EDGES,
  FLOATS,
  INT32,
  INT_EDGES,
  awayFromZero,
  between,
  integers,
} from './case.js';

interface BinarySpec {
  /** Random inputs for a and b (default: [-5, 5], int32 [-50, 50]). */
  a?: Gen;
  b?: Gen;
  /** Float edge values for a (b always gets EDGES); every pair is checked. */
  aEdges?: readonly number[];
  /** int32 (a, b) pairs checked elementwise (default: wraparound pairs). */
  intPairs?: readonly (readonly [number, number])[];
  /** Tolerance multiplier (transcendental functions on a GPU need a few ulps more). */
  factor?: number;
  /** The sign of a zero result is part of the contract, checked on the edge values. */
  signedZeros?: boolean;
}

// prettier-ignore
const WRAP_PAIRS: readonly (readonly [number, number])[] = [
  ...INT_EDGES.map((v) => [v, v] as const),
  [2147483647, 1], [-2147483648, -1], [-2147483648, 2147483647], [2147483647, -2147483648],
  [65536, 65535], [123456789, 987654321], [-7, 2], [7, -2], [0, -5],
];

const ties = integers(-3, 3);
const compare: BinarySpec = { a: ties, b: ties };

/** Domains and tolerances per op (`{}`: the defaults). */
const SPEC: Record<BinaryOp, BinarySpec> = {
  add: {},
  sub: {},
  mul: {},
  div: {
    b: awayFromZero(0.5, 5),
    // prettier-ignore
    intPairs: [[7, 2], [-7, 2], [1, 0], [-1, 0], [0, 0], [2147483647, 1], [16777217, 1], [-9, -3]],
  },
  pow: {
    a: between(0.1, 3, -4, 4),
    b: between(-3, 3, 0, 5),
    // 1 ** ±Infinity and 1 ** NaN differ between IEEE (1) and JavaScript (NaN): not a contract
    aEdges: EDGES.filter((v) => v !== 1 && v !== -1),
    // prettier-ignore
    intPairs: [[2, 31], [-2, 31], [2, 30], [3, 5], [-3, 3], [0, 0], [5, 0], [1, 100], [-1, 7], [46341, 2], [65536, 2]],
    factor: 4,
  },
  maximum: compare,
  minimum: compare,
  eq: compare,
  ne: compare,
  lt: compare,
  le: compare,
  gt: compare,
  ge: compare,
};

function binaryCases(op: BinaryOp): Case[] {
  if (!ref.BINARY_REF[op]) return [];
  const spec = SPEC[op];
  const genA = spec.a ?? between(-5, 5, -50, 50);
  const genB = spec.b ?? genA;
  const opts = { factor: spec.factor ?? 1 };
  const apply = (a: Tensor, b: Tensor | number): Tensor => a[op](b);
  const check = async (
    ctx: CaseContext,
    sa: number[],
    sb: number[],
    la: Layout = 'contiguous',
    lb: Layout = 'contiguous',
    label?: string,
  ) => {
    const [a, x] = ctx.input(sa, genA, la);
    const [b, y] = ctx.input(sb, genB, lb);
    await ctx.expect(apply(a, b), ref.binary(op, x, y), { ...opts, inputs: [x, y], label });
  };
  const pair = (name: string, sa: number[], sb: number[], la?: Layout, lb?: Layout): Case => ({
    name,
    run: (ctx) => check(ctx, sa, sb, la, lb),
  });
  return [
    pair('same shape [2,3,4]', [2, 3, 4], [2, 3, 4]),
    pair('same shape, transposed and sliced views', [3, 4, 2], [3, 4, 2], 'transposed', 'sliced'),
    pair('same shape, stride-0 views', [3, 5], [3, 5], 'broadcast-inner', 'broadcast-outer'),
    pair('0-d and tensor', [], [3, 4]),
    pair('tensor and 0-d', [3, 4], [], 'transposed'),
    pair('[3,1] and [1,4]', [3, 1], [1, 4]),
    pair('[2,3,4] and [4]', [2, 3, 4], [4], 'sliced'),
    pair('[2,1,4] and [3,1]', [2, 1, 4], [3, 1], 'contiguous', 'sliced'),
    pair('0-d and 0-d, one an offset view', [], [], 'contiguous', 'sliced'),
    pair('long run [1031]', [1031], [1031]),
    {
      name: 'broadcast with a 0-size axis',
      async run(ctx) {
        // prettier-ignore
        const shapes: [number[], number[]][] = [[[0, 4], [1, 4]], [[2, 0], [2, 1]], [[3, 0], []], [[1], [0]]];
        for (const [sa, sb] of shapes)
          await check(ctx, sa, sb, 'contiguous', 'contiguous', `[${sa}] and [${sb}]`);
      },
    },
    {
      name: 'a number operand',
      async run(ctx) {
        const [a, x] = ctx.input([3, 4], genA, 'transposed');
        const v = ctx.dtype === 'int32' ? 3 : 2.5;
        await ctx.expect(apply(a, v), ref.binary(op, x, ctx.nd([v], [])), { ...opts, inputs: [x] });
      },
    },
    {
      name: 'a fractional number promotes int32 to float32',
      dtypes: INT32,
      requires: ['float32'],
      async run(ctx) {
        const [a, x] = ctx.input([2, 3], genA);
        await ctx.expect(apply(a, 1.5), ref.binary(op, x, ctx.nd([1.5], [], 'float32')), {
          ...opts,
          inputs: [x],
        });
      },
    },
    {
      name: 'int32 with a float tensor promotes to the float',
      dtypes: FLOATS,
      requires: ['int32'],
      async run(ctx) {
        const [a, x] = ctx.input([3, 1], genA, 'contiguous', 'int32');
        const [b, y] = ctx.input([1, 4], genB);
        await ctx.expect(apply(a, b), ref.binary(op, x, y), {
          ...opts,
          inputs: [x, y],
          label: 'int32 op float',
        });
        await ctx.expect(apply(b, a), ref.binary(op, y, x), {
          ...opts,
          inputs: [y, x],
          label: 'float op int32',
        });
      },
    },
    {
      name: 'edge values, every pair',
      dtypes: FLOATS,
      async run(ctx) {
        const aEdges = spec.aEdges ?? EDGES;
        const x = ctx.nd(aEdges, [aEdges.length, 1]);
        const y = ctx.nd(EDGES, [1, EDGES.length]);
        await ctx.expect(apply(ctx.make(x), ctx.make(y, 'sliced')), ref.binary(op, x, y), {
          ...opts,
          inputs: [x, y],
          signedZeros: spec.signedZeros,
        });
      },
    },
    {
      name: 'int32 edge pairs (wraparound)',
      dtypes: INT32,
      async run(ctx) {
        const pairs = spec.intPairs ?? WRAP_PAIRS;
        const x = ctx.nd(pairs.map((p) => p[0]));
        const y = ctx.nd(pairs.map((p) => p[1]));
        await ctx.expect(apply(ctx.make(x, 'sliced'), ctx.make(y)), ref.binary(op, x, y), {
          ...opts,
          inputs: [x, y],
        });
      },
    },
  ];
}

export const BINARY_CASES = Object.fromEntries(
  BINARY_OPS.map((op) => [op, binaryCases(op)]),
) as Record<BinaryOp, Case[]>;
