import type { Backend, Tensor } from '@nablajs/tensor';
import fc from 'fast-check';
import { beforeAll, describe, test } from 'vitest';
import { PROPERTIES } from './properties.js';
import { Rand } from './gen.js';

/** Options of `describeFuzz`. */
export interface FuzzOptions {
  /** Runs per property (default 100); the environment's NABLA_FUZZ_RUNS wins. */
  runs?: number;
  /** Whether float32 subnormals may be flushed to zero (WGSL allows it): either result passes. */
  flushesSubnormals?: boolean;
  /** Per-test timeout in ms (default 60 s). */
  timeout?: number;
}

type Env = Record<string, string | undefined>;
const env = (): Env => (globalThis as { process?: { env: Env } }).process?.env ?? {};

/**
 * The seed of this run: NABLA_FUZZ_SEED (a number, or `random` for a new one each run), else a fixed
 * one, so that CI is reproducible. It is in every test's title and every failure.
 */
export function fuzzSeed(): number {
  const s = env()['NABLA_FUZZ_SEED'];
  if (s === 'random') return (Date.now() ^ (Math.random() * 2 ** 31)) | 0;
  return s ? Number(s) | 0 : 20240519;
}

/**
 * Property-based tests (fast-check) of one backend against the float64 reference: random shapes
 * (sizes 0 and 1 included), random strided views (slices with steps and offsets, permutations,
 * stride-0 broadcasts), broadcasting pairs, mixed dtypes and edge values (±0, ±Infinity, NaN,
 * subnormals, int32 extremes), for every unary, binary and reduce op, where, matmul, gather,
 * scatterAdd, concat, cast, assignment into views, and the fused kernels (linear, softmax
 * cross-entropy and its gradient, SGD and Adam updates). A failure names the op, the inputs, the
 * mismatching elements and the seed that replays it (`NABLA_FUZZ_SEED=… NABLA_FUZZ_RUNS=…`).
 */
export function describeFuzz(
  name: string,
  makeBackend: () => Backend | Promise<Backend>,
  opts: FuzzOptions = {},
): void {
  const runs = Number(env()['NABLA_FUZZ_RUNS']) || opts.runs || 100;
  const seed = fuzzSeed();
  let backend: Backend;
  describe(`${name}: fuzzed against the float64 reference (${runs} runs a property, NABLA_FUZZ_SEED=${seed})`, () => {
    beforeAll(async () => {
      backend = await makeBackend();
    });
    for (const [group, prop] of Object.entries(PROPERTIES))
      test(
        group,
        async () => {
          const property = fc.asyncProperty(
            fc.integer(),
            fc.constantFrom(...prop.ops),
            async (caseSeed, op) => {
              const made: Tensor[] = [];
              try {
                await prop.run(
                  {
                    backend,
                    // bool is drawn by the properties that take it (cast, where's condition)
                    dtypes: backend.dtypes.filter((d) => d !== 'bool'),
                    r: new Rand(caseSeed),
                    made,
                    flushes: opts.flushesSubnormals ?? false,
                  },
                  op,
                );
              } finally {
                for (const t of made) t.dispose();
              }
            },
          );
          // one run of every op first, then random ones
          const examples = prop.ops.map((op, i): [number, string] => [seed + i, op]);
          const out = await fc.check(property, { numRuns: runs, seed, examples });
          if (out.failed)
            throw new Error(
              `${name} ${group}: ${String(out.errorInstance)}\n${fc.defaultReportMessage(out)}\nreplay: NABLA_FUZZ_SEED=${seed} NABLA_FUZZ_RUNS=${runs}`,
            );
        },
        opts.timeout ?? 60_000,
      );
  });
}
