import { contiguousStrides, sizeOf } from '@nablajs/tensor';
import { binary } from './elementwise.js';
import { Params, strided } from './params.js';
import { reduce } from './reduce.js';
import { type GpuStorage, type Runtime } from './runtime.js';
import { PRELUDE, type Ref, buffer, coalesce, wgslType } from './wgsl.js';

/** Activations a fused linear applies to its output (`linear` below). */
export type Activation = 'none' | 'relu' | 'sigmoid' | 'tanh';
const ACT: Record<Activation, string> = {
  none: 'v',
  relu: 'max(v, 0.0)',
  sigmoid: 'select(exp(v) / (1.0 + exp(v)), 1.0 / (1.0 + exp(-v)), v >= 0.0)',
  tanh: 'select(tanh(v), sign(v), abs(v) > 10.0)',
};

/**
 * A tile shape: each workgroup computes a BM×BN block of C, each of its (BM/TM)·(BN/TN) threads a
 * TM×TN block held in registers; A and B are staged through shared memory BK columns at a time.
 */
export interface Tile {
  /** Rows of C per workgroup. */
  BM: number;
  /** Columns of C per workgroup. */
  BN: number;
  /** Depth of K staged in shared memory at a time. */
  BK: number;
  /** Rows of C per thread (a multiple of 4). */
  TM: number;
  /** Columns of C per thread (a multiple of 4). */
  TN: number;
}

/** Tile shapes by name (measured on an H100 through Dawn: bench/results/gpu.md). */
export const TILES = {
  small: { BM: 32, BN: 32, BK: 16, TM: 4, TN: 4 },
  medium: { BM: 64, BN: 64, BK: 16, TM: 4, TN: 4 },
  large: { BM: 128, BN: 128, BK: 8, TM: 8, TN: 8 },
  /** The large tile with twice the depth per shared-memory stage: half the barriers. */
  deep: { BM: 128, BN: 128, BK: 16, TM: 8, TN: 8 },
} satisfies Record<string, Tile>;
/** The name of a tile shape in `TILES`. */
export type TileName = keyof typeof TILES;
/** Every tile shape's name (for benchmarks that try them all). */
export const TILE_NAMES = Object.keys(TILES) as TileName[];
/** A tile by name, or any shape (BM, BN multiples of TM, TN; TM, TN multiples of 4) to try one. */
export type TileChoice = TileName | Tile;

/** The tile for an M×N result. On the H100 the 64×64 tile was within 5 % of the best shape at 4096
 * (27.3 TFLOP/s) and fills the GPU at smaller sizes too; other shapes are chosen by name. */
export function pickTile(M: number, N: number, batch: number): TileName {
  return M * N * batch >= 128 * 128 ? 'medium' : 'small';
}

/**
 * The matmul's parameters: the sizes, A's row and column strides (`sam`, `sak`), B's (`sbk`,
 * `sbn`), the bias row's offset and stride, and the batch layout (its shape, and the offsets and
 * batch strides of A and B).
 */
const matmulParams = (batchRank: number) =>
  new Params({
    M: 'u32',
    N: 'u32',
    K: 'u32',
    sam: 'i32',
    sak: 'i32',
    sbk: 'i32',
    sbn: 'i32',
    biasOffset: 'i32',
    biasStride: 'i32',
    batch: strided(batchRank, 2),
  });

/**
 * The tiled matmul in WGSL (parameters: `matmulParams`). Tiles are loaded so that consecutive
 * threads read consecutive addresses of whichever axis of A and B is contiguous (`aK`, `bN` say
 * which).
 */
function matmulKernel(
  t: string,
  tile: Tile,
  batchRank: number,
  aK: boolean,
  bN: boolean,
  bias: boolean,
  act: Activation,
  vec: readonly [boolean, boolean],
): () => string {
  const v4 = t === 'f32' ? 'vec4<f32>' : 'vec4<i32>';
  // A is staged as (k, m), B as (k, n); whichever global axis is contiguous is read fastest
  const loads = [
    loadCode('A', 'As', tile.BM, 'row0', 'M', 'sam', 'sak', !aK, vec[0], t),
    loadCode('B', 'Bs', tile.BN, 'col0', 'N', 'sbn', 'sbk', bN, vec[1], t),
  ];
  return () => matmulSource(t, tile, batchRank, loads, bias, act, v4, vec);
}

/**
 * WGSL that stages one operand's tile into shared memory `Xs` (flat index k·Q + q, q being m for A
 * and n for B). `qFast`: consecutive threads read along q (else along k). `vec`: one vec4 load per
 * thread-iteration from a vec4 view of the buffer (the contiguous axis is a multiple of 4 long and the
 * offsets and other strides are multiples of 4), else scalar loads.
 */
function loadCode(
  X: string,
  Xs: string,
  Q: number,
  origin: string,
  dim: string,
  sq: string,
  sk: string,
  qFast: boolean,
  vec: boolean,
  t: string,
): string {
  const at = (q: string, k: string) =>
    `i32(off${X}) + i32(${origin} + ${q}) * ${sq} + i32(k0 + ${k}) * ${sk}`;
  const inRange = (q: string, k: string) => `${origin} + ${q} < ${dim} && k0 + ${k} < K`;
  if (!vec) {
    const [q, k] = qFast ? [`e % ${Q}u`, `e / ${Q}u`] : ['e / BK', 'e % BK'];
    return `for (var e = li; e < ${Q}u * BK; e = e + T) {
      let q = ${q}; let k = ${k};
      var v = ${t}(0);
      if (${inRange('q', 'k')}) { v = ${X}[u32(${at('q', 'k')})]; }
      ${Xs}[(k * ${Q}u + q) / 4u][q % 4u] = v;
    }`;
  }
  if (qFast)
    return `for (var e = li; e < ${Q / 4}u * BK; e = e + T) {
      let q = (e % ${Q / 4}u) * 4u; let k = e / ${Q / 4}u;
      var v = vec4<${t}>();
      if (${inRange('q', 'k')}) { v = ${X}[u32(${at('q', 'k')}) / 4u]; }
      ${Xs}[(k * ${Q}u + q) / 4u] = v;
    }`;
  return `for (var e = li; e < ${Q}u * (BK / 4u); e = e + T) {
      let q = e / (BK / 4u); let k = (e % (BK / 4u)) * 4u;
      var v = vec4<${t}>();
      if (${inRange('q', 'k')}) { v = ${X}[u32(${at('q', 'k')}) / 4u]; }
      for (var c = 0u; c < 4u; c = c + 1u) { ${Xs}[((k + c) * ${Q}u + q) / 4u][q % 4u] = v[c]; }
    }`;
}

function matmulSource(
  t: string,
  tile: Tile,
  batchRank: number,
  loads: readonly string[],
  bias: boolean,
  act: Activation,
  v4: string,
  vec: readonly [boolean, boolean],
): string {
  const { BM, BN, BK, TM, TN } = tile;
  const [WX, WY] = [BN / TN, BM / TM];
  const T = WX * WY;
  const P = matmulParams(batchRank);
  const acc = unrolled(t, tile, bias, act, P.get('biasOffset'), P.get('biasStride'));
  return `${PRELUDE}${buffer(1, 'A', vec[0] ? v4 : t)}${buffer(2, 'B', vec[1] ? v4 : t)}${bias ? buffer(3, 'bias', t) : ''}${buffer(bias ? 4 : 3, 'C', t)}
const BM = ${BM}u; const BN = ${BN}u; const BK = ${BK}u; const TM = ${TM}u; const TN = ${TN}u;
const WX = ${WX}u; const T = ${T}u;
var<workgroup> As: array<${v4}, ${(BK * BM) / 4}>;
var<workgroup> Bs: array<${v4}, ${(BK * BN) / 4}>;
@compute @workgroup_size(${WX}, ${WY})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  ${P.lets('M', 'N', 'K')}
  let batch = wg.z;
  ${P.index('batch', ['offA', 'offB'], 'batch')}
  ${P.lets('sam', 'sak', 'sbk', 'sbn')}
  let row0 = wg.y * BM; let col0 = wg.x * BN;
  ${acc.decl}
  for (var k0 = 0u; k0 < K; k0 = k0 + BK) {
    ${loads[0]}
    ${loads[1]}
    workgroupBarrier();
    for (var k = 0u; k < BK; k = k + 1u) {
      ${acc.step}
    }
    workgroupBarrier();
  }
  let outBase = batch * M * N;
  ${acc.store}
}`;
}

/**
 * The register tile, unrolled: TM × TN/4 accumulators as named vec4 variables (constant indices
 * only, so they stay in registers), the per-k update (TM/4 + TN/4 vec4 loads from shared memory,
 * TM·TN/4 vec4 FMAs), and the epilogue (bias, activation, bounds-checked stores).
 */
function unrolled(
  t: string,
  tile: Tile,
  bias: boolean,
  act: Activation,
  biasOffset: string,
  biasStride: string,
) {
  const { BM, BN, TM, TN } = tile;
  const [I, J] = [TM / 4, TN / 4];
  const v4 = `vec4<${t}>`;
  const range = (n: number) => [...Array(n).keys()];
  const decl = range(TM)
    .flatMap((i) => range(J).map((j) => `var c${i}_${j} = ${v4}();`))
    .join(' ');
  const loads = [
    ...range(I).map((i) => `let a${i} = As[(k * ${BM}u) / 4u + lid.y * ${I}u + ${i}u];`),
    ...range(J).map((j) => `let b${j} = Bs[(k * ${BN}u) / 4u + lid.x * ${J}u + ${j}u];`),
  ];
  const xyzw = 'xyzw';
  const fmas = range(TM).flatMap((i) =>
    range(J).map((j) => {
      const a = `a${i >> 2}.${xyzw[i & 3]}`;
      const c = `c${i}_${j}`;
      return t === 'f32' ? `${c} = fma(${v4}(${a}), b${j}, ${c});` : `${c} = ${c} + ${a} * b${j};`;
    }),
  );
  const store = range(TM).map((i) => {
    const cols = range(J).flatMap((j) =>
      range(4).map((q) => {
        const col = `col0 + lid.x * ${TN}u + ${j * 4 + q}u`;
        return `if (${col} < N) { var v = c${i}_${j}.${xyzw[q]};${bias ? ` v = v + bias[u32(${biasOffset} + i32(${col}) * ${biasStride})];` : ''} C[row + ${col}] = ${t === 'f32' ? ACT[act] : 'v'}; }`;
      }),
    );
    return `if (row0 + lid.y * ${TM}u + ${i}u < M) {
    let row = outBase + (row0 + lid.y * ${TM}u + ${i}u) * N;
    ${cols.join('\n    ')}
  }`;
  });
  return { decl, step: [...loads, ...fmas].join('\n      '), store: store.join('\n  ') };
}

/**
 * How many parts to split K into for a small result with a long K (a mini-batch's forward pass,
 * x [10, 784]·Wᵀ): one workgroup would walk all of K alone; S of them each walk K/S, then a sum
 * over the parts. A divisor of K with K/S ≥ 64, at most 16; 1 means no split.
 */
export function splitK(M: number, N: number, K: number): number {
  if (M * N > 64 * 64 || K < 256) return 1;
  for (let S = Math.min(16, Math.floor(K / 64)); S > 1; S--) if (K % S === 0) return S;
  return 1;
}

/** A·B (+ bias) as S batched products over slices of K, summed: see `splitK`. */
function splitMatmul(rt: Runtime, a: Ref, b: Ref, bias: Ref | null, S: number): GpuStorage {
  const [M, K] = a.shape as [number, number];
  const N = b.shape[1]!;
  const Ks = K / S;
  const [sam, sak] = a.strides as [number, number];
  const [sbk, sbn] = b.strides as [number, number];
  const parts = matmul(
    rt,
    { ...a, shape: [S, M, Ks], strides: [Ks * sak, sam, sak] },
    { ...b, shape: [S, Ks, N], strides: [Ks * sbk, sbk, sbn] },
  );
  const view = (storage: GpuStorage, shape: number[]): Ref => ({
    storage,
    dtype: a.dtype,
    shape,
    strides: contiguousStrides(shape),
    offset: 0,
  });
  const sum = reduce(rt, 'sum', view(parts, [S, M, N]), [0]);
  rt.free(parts);
  if (!bias) return sum;
  const row = { ...bias, shape: [M, N], strides: [0, bias.strides[0] ?? 0] };
  const out = binary(rt, 'add', view(sum, [M, N]), row);
  rt.free(sum);
  return out;
}

/**
 * C = A·B over a batch (A [...b, M, K], B [...b, K, N] as strided views), plus an optional bias
 * row (a view of [N]) and activation: the kernel behind `matmul` and the fused `linear`.
 */
export function matmul(
  rt: Runtime,
  a: Ref,
  b: Ref,
  bias: Ref | null = null,
  act: Activation = 'none',
  choice?: TileChoice,
): GpuStorage {
  const t = wgslType(a.dtype, 'matmul');
  const r = a.shape.length;
  const [M, K, N] = [a.shape[r - 2]!, a.shape[r - 1]!, b.shape[r - 1]!];
  const batchShape = a.shape.slice(0, r - 2);
  const nb = sizeOf(batchShape);
  const S = choice === undefined && nb === 1 && act === 'none' ? splitK(M, N, K) : 1;
  if (S > 1) return splitMatmul(rt, a, b, bias, S);
  const out = rt.alloc(nb * M * N, 'matmul');
  const bl = coalesce(batchShape, [
    { ...a, shape: batchShape, strides: a.strides.slice(0, r - 2) },
    { ...b, shape: batchShape, strides: b.strides.slice(0, r - 2) },
  ]);
  const [sam, sak, sbk, sbn] = [
    a.strides[r - 2]!,
    a.strides[r - 1]!,
    b.strides[r - 2]!,
    b.strides[r - 1]!,
  ];
  const pick = choice ?? pickTile(M, N, nb);
  const tile = typeof pick === 'string' ? TILES[pick] : pick;
  const name = Object.values(tile).join('x');
  const aK = sak === 1 || sam !== 1;
  const bN = sbn === 1 || sbk !== 1;
  const biasOffset = bias?.offset ?? 0;
  const biasStride = bias?.strides[0] ?? 0;
  const params = { M, N, K, sam, sak, sbk, sbn, biasOffset, biasStride, batch: bl };
  // vec4 loads where an operand's contiguous axis, offsets and other strides are multiples of 4
  const four = (...xs: number[]) => xs.every((x) => x % 4 === 0);
  const batchA = bl.views[0]!, batchB = bl.views[1]!; // prettier-ignore
  const vec = [
    t === 'f32' && four(...batchA) && (aK ? sak === 1 && four(K, sam) : sam === 1 && four(M, sak)),
    t === 'f32' && four(...batchB) && (bN ? sbn === 1 && four(N, sbk) : sbk === 1 && four(K, sbn)),
  ] as const;
  const key = `matmul:${t}:${name}:${bl.shape.length}:${aK}:${bN}:${!!bias}:${act}:${vec}`;
  rt.dispatch(
    key,
    matmulKernel(t, tile, bl.shape.length, aK, bN, !!bias, act, vec),
    {
      read: bias ? [a.storage, b.storage, bias.storage] : [a.storage, b.storage],
      write: [out],
    },
    matmulParams(bl.shape.length).pack(params),
    [Math.ceil(N / tile.BN), Math.ceil(M / tile.BM), nb],
  );
  return out;
}
