import {
  BINARY_OPS,
  type Backend,
  type DType,
  DTYPES,
  DTypeError,
  OTHER_OPS,
  REDUCE_OPS,
  UNARY_OPS,
  WINDOW_OPS,
  tensor,
} from '@nablajs/tensor';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  type Case,
  BINARY_CASES,
  FUSED_CASES,
  OTHER_CASES,
  REDUCE_CASES,
  STORAGE_CASES,
  UNARY_CASES,
  WINDOW_CASES,
} from './cases/index.js';
import { CaseContext, type Tolerance } from './context.js';
import { rng } from './rng.js';

export interface DescribeBackendOptions {
  /** The dtypes to run every case in (default: float32, int32 and float64). The backend must list
   * them, and bool; the ones it does not list must raise `DTypeError`. */
  dtypes?: readonly DType[];
  /** Float tolerances, |actual − expected| ≤ atol·scale + rtol·|expected|, where scale is Σ|terms|
   * for sums and products and 1 elsewhere. Defaults: float32 atol 1e-6, rtol 1e-5; float64 1e-12. */
  tolerance?: { float32?: Partial<Tolerance>; float64?: Partial<Tolerance> };
  /** `small` shrinks the largest cases (long reductions, big matmuls) for slow devices. */
  sizes?: 'small' | 'full';
  /** Which cases to define (default: all), e.g. a smoke run that takes each op's first case:
   * `filter: (c) => c.index === 0`. The coverage test (every op has a case) and the dtype test
   * always run. */
  filter?: (c: CaseInfo) => boolean;
}

/** What `DescribeBackendOptions.filter` is told about a case. */
export interface CaseInfo {
  /** 'storage', 'unary', 'binary', 'reduce', 'other', 'window' or 'fused'. */
  group: string;
  /** The primitive ('storage' for the storage group). */
  op: string;
  /** The case's title, without the dtype. */
  name: string;
  /** Its position among this op's cases that run in the dtypes under test (0 is the first). */
  index: number;
}

const SRC = 'packages/backend-tests/src';
/** The keys of `FusedKernels`: FUSED_CASES is a `Record` over them, so tsc keeps this complete. */
const FUSED_OPS = Object.keys(FUSED_CASES) as (keyof typeof FUSED_CASES)[];
/** Each op list, the table of its cases, and where a new op's row goes. */
const GROUPS = [
  ['unary', UNARY_OPS, UNARY_CASES, `add its row to UNARY_REF in ${SRC}/reference.ts`],
  ['binary', BINARY_OPS, BINARY_CASES, `add its row to BINARY_REF in ${SRC}/reference.ts`],
  ['reduce', REDUCE_OPS, REDUCE_CASES, `add its row to REDUCE_REF in ${SRC}/reference.ts`],
  ['other', OTHER_OPS, OTHER_CASES, `add its cases to OTHER_CASES in ${SRC}/cases/index.ts`],
  ['window', WINDOW_OPS, WINDOW_CASES, `add its cases to WINDOW_CASES in ${SRC}/cases/window.ts`],
  // the optional kernels of Backend.fused, each checked against the composition it replaces
  ['fused', FUSED_OPS, FUSED_CASES, `add its cases to FUSED_CASES in ${SRC}/cases/fused.ts`],
] as const;

/**
 * Defines the conformance suite for one backend: vitest `describe` blocks that run every primitive
 * of `ops.ts`, the storage calls and the fused kernels (`Backend.fused`, or the composition that
 * replaces a missing one) on tensors made on this backend, and compare each result with the suite's
 * own float64 reference. Inputs are contiguous, transposed, sliced with a step, stride-0
 * broadcasts, 0-d and empty; binary ops and `where` cover every class of broadcast shape pair; edge
 * values cover ±Infinity, NaN, ±0, huge and tiny numbers and int32 wraparound. Results are read with
 * `await t.data()`, so asynchronous (GPU) backends run it unchanged.
 *
 * An op in `ops.ts` without a case fails the suite.
 *
 * @param name Names the backend in test titles.
 * @param makeBackend Creates the backend once, before the first test (it may be async).
 * @example
 * ```ts
 * // packages/backend-cpu/src/conformance.test.ts
 * import { describeBackend } from '@nablajs/backend-tests';
 * import { cpu } from './index.js';
 *
 * describeBackend('cpu', () => cpu(), { dtypes: ['float32', 'int32', 'float64'] });
 * ```
 */
export function describeBackend(
  name: string,
  makeBackend: () => Backend | Promise<Backend>,
  opts: DescribeBackendOptions = {},
): void {
  // bool is not a dtype to run every case in (a backend stores it as int32 0/1): the cases that
  // take or give it (comparisons, where, cast, concat) check it in each dtype under test
  const dtypes = opts.dtypes ?? DTYPES.filter((d) => d !== 'bool');
  const tolerance = {
    float32: { atol: 1e-6, rtol: 1e-5, ...opts.tolerance?.float32 },
    float64: { atol: 1e-12, rtol: 1e-12, ...opts.tolerance?.float64 },
  };
  const small = opts.sizes === 'small';

  describe(`backend conformance: ${name}`, () => {
    let backend: Backend | undefined;
    beforeAll(async () => {
      backend = await makeBackend();
    });

    const define = (group: string, op: string, cases: readonly Case[]) => {
      const runs = cases
        .filter((c) => !c.requires?.some((d) => !dtypes.includes(d)))
        .map((c) => [c, dtypes.filter((d) => !c.dtypes || c.dtypes.includes(d))] as const)
        .filter(([, ds]) => ds.length > 0);
      for (const [index, [c, caseDtypes]] of runs.entries()) {
        if (opts.filter && !opts.filter({ group, op, name: c.name, index })) continue;
        for (const dtype of caseDtypes)
          test(`${c.name} · ${dtype}`, async () => {
            if (!backend) throw new Error(`backend '${name}' was not created`);
            const ctx = new CaseContext(
              backend,
              dtype,
              dtypes,
              rng(`${group}/${op}/${c.name}/${dtype}`),
              tolerance,
              small,
            );
            try {
              await c.run(ctx);
            } finally {
              ctx.dispose();
            }
          });
      }
    };

    test('every op in ops.ts has a conformance case', () => {
      const missing = GROUPS.flatMap(([group, ops, table, hint]) =>
        ops
          .filter((op) => !(table as Record<string, Case[]>)[op]?.length)
          .map((op) => `${group} op '${op}': ${hint}`),
      );
      expect(missing, `ops without a conformance case:\n${missing.join('\n')}\n`).toEqual([]);
    });

    test('lists the dtypes under test and refuses the others with DTypeError', () => {
      if (!backend) throw new Error(`backend '${name}' was not created`);
      for (const d of dtypes) expect(backend.dtypes, `dtypes of '${backend.name}'`).toContain(d);
      for (const d of DTYPES.filter((x) => !backend!.dtypes.includes(x)))
        expect(() => tensor([1, 2], { backend, dtype: d }), `${d} on '${backend.name}'`).toThrow(
          DTypeError,
        );
    });

    describe('storage', () => define('storage', 'storage', STORAGE_CASES));
    for (const [group, ops, table] of GROUPS)
      describe(group, () => {
        for (const op of ops)
          describe(op, () => {
            const cases = (table as Record<string, Case[]>)[op] ?? [];
            if (cases.length === 0)
              test('has a conformance case', () =>
                expect(cases.length, `${op} has no case`).toBeGreaterThan(0));
            define(group, op, cases);
          });
      });
  });
}
