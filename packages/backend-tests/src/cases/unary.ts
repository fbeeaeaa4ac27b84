import { type DType, UNARY_OPS, type UnaryOp } from '@nablajs/tensor';
import type { Gen, Layout } from '../context.js';
import * as ref from '../reference.js';
import { type Case, EDGES, INT_EDGES, between } from './case.js';

interface UnarySpec {
  /** Where random inputs come from (default: [-5, 5], int32 [-20, 20]). */
  gen?: Gen;
  /** Edge values for floats (default EDGES) and for int32 (default INT_EDGES). */
  edges?: readonly number[];
  intEdges?: readonly number[];
  /** Tolerance multiplier (transcendental functions on a GPU need a few ulps more). */
  factor?: number;
  /** The sign of a zero result is part of the contract, checked on the edge values. */
  signedZeros?: boolean;
}

// sin/cos are checked on moderate arguments: float32 range reduction of 1e30 is not a contract.
const TRIG_EDGES = [Infinity, -Infinity, NaN, 0, -0, 1, -1, 0.5, -2.5, 1e-30, 10, -10];
const SMALL_INT_EDGES = [0, 1, -1, 2, -7, 20, -20];

/** Domains and tolerances per op (`{}`: the defaults). */
const SPEC: Record<UnaryOp, UnarySpec> = {
  neg: {},
  exp: { gen: between(-10, 10), factor: 2 },
  log: { gen: between(0.001, 100, 1, 1000), factor: 2 },
  sqrt: { gen: between(0, 100, 0, 1000) },
  abs: {},
  sign: {},
  sigmoid: { gen: between(-12, 12), factor: 2 },
  tanh: { gen: between(-6, 6), factor: 2 },
  relu: {},
  step: {},
  reciprocal: {},
  square: {},
  sin: { gen: between(-7, 7), edges: TRIG_EDGES, intEdges: SMALL_INT_EDGES, factor: 2 },
  cos: { gen: between(-7, 7), edges: TRIG_EDGES, intEdges: SMALL_INT_EDGES, factor: 2 },
  floor: {},
  ceil: {},
  log1p: { gen: between(-0.999, 10, 0, 1000), factor: 2 },
  expm1: { gen: between(-5, 5), factor: 2 },
  softsign: { signedZeros: true },
};

function unaryCases(op: UnaryOp): Case[] {
  if (!ref.UNARY_REF[op]) return []; // a new op without a reference row: the coverage test names it
  const spec = SPEC[op];
  const gen = spec.gen ?? between(-5, 5, -20, 20);
  const factor = spec.factor ?? 1;
  const layout =
    (l: Layout, shape: number[]): Case['run'] =>
    async (ctx) => {
      const [t, x] = ctx.input(shape, gen, l);
      await ctx.expect(t[op](), ref.unary(op, x), { factor, inputs: [x] });
    };
  const edges = (dtype: DType) =>
    dtype === 'int32' ? (spec.intEdges ?? INT_EDGES) : (spec.edges ?? EDGES);
  return [
    { name: 'contiguous [2,3,4]', run: layout('contiguous', [2, 3, 4]) },
    { name: 'transposed view [3,4,5]', run: layout('transposed', [3, 4, 5]) },
    { name: 'sliced view with a step and an offset [3,4]', run: layout('sliced', [3, 4]) },
    { name: 'broadcast view, stride 0 on the outer axis', run: layout('broadcast-outer', [3, 5]) },
    { name: 'broadcast view, stride 0 on the inner axis', run: layout('broadcast-inner', [4, 3]) },
    { name: 'long contiguous run [1029]', run: layout('contiguous', [1029]) },
    {
      name: '0-d, plain and as an offset view',
      async run(ctx) {
        for (const l of ['contiguous', 'sliced'] as const) {
          const [t, x] = ctx.input([], gen, l);
          await ctx.expect(t[op](), ref.unary(op, x), { factor, inputs: [x], label: l });
        }
      },
    },
    {
      name: 'empty: [0] and [2,0,3]',
      async run(ctx) {
        for (const shape of [[0], [2, 0, 3]]) {
          const [t, x] = ctx.input(shape, gen, 'sliced');
          await ctx.expect(t[op](), ref.unary(op, x), { label: `[${shape}]` });
        }
      },
    },
    {
      name: 'edge values',
      async run(ctx) {
        const x = ctx.nd(edges(ctx.dtype));
        await ctx.expect(ctx.make(x, 'sliced')[op](), ref.unary(op, x), {
          factor,
          inputs: [x],
          signedZeros: spec.signedZeros,
        });
      },
    },
  ];
}

export const UNARY_CASES = Object.fromEntries(
  UNARY_OPS.map((op) => [op, unaryCases(op)]),
) as Record<UnaryOp, Case[]>;
