// The products matmul.bench.ts times: square sizes, and every matmul of one training step of the
// workloads of BENCHMARKING.md (W2, W3, C1 LeNet, G1 char-GPT), each with how many times a step
// runs it, so that the bench can add up a step's matmul time at each peer's measured rate.

/** How operands are stored: A·B both row-major; ᵀ marks an operand stored transposed (a view). */
export type Layout = 'A·B' | 'A·Bᵀ' | 'Aᵀ·B';

/** A workload whose step's matmuls are listed here. */
export type WorkloadId = 'W2' | 'W3' | 'C1' | 'C1i' | 'G1';

export interface Case {
  name: string;
  M: number;
  K: number;
  N: number;
  layout: Layout;
  /** Times one training step of a workload runs this product. */
  uses: Partial<Record<WorkloadId, number>>;
}

const cases: Case[] = [];
/** Adds a case, or the uses to an existing one of the same shape and layout. */
function add(
  name: string,
  M: number,
  K: number,
  N: number,
  layout: Layout,
  uses: Case['uses'] = {},
) {
  const same = cases.find((c) => c.M === M && c.K === K && c.N === N && c.layout === layout);
  if (!same) return void cases.push({ name, M, K, N, layout, uses: { ...uses } });
  for (const [w, n] of Object.entries(uses) as [WorkloadId, number][])
    same.uses[w] = (same.uses[w] ?? 0) + n;
}

/**
 * A linear layer y = x·Wᵀ (W stored [out, in], as PyTorch and Nabla store it) on `rows` rows:
 * forward x·Wᵀ, ∂W = ∂yᵀ·x, and ∂x = ∂y·W unless the input needs no gradient.
 */
function linear(
  what: string,
  rows: number,
  inF: number,
  outF: number,
  w: WorkloadId,
  n = 1,
  dx = true,
) {
  add(`${what} fwd`, rows, inF, outF, 'A·Bᵀ', { [w]: n });
  add(`${what} ∂W`, outF, rows, inF, 'Aᵀ·B', { [w]: n });
  if (dx) add(`${what} ∂x`, rows, outF, inF, 'A·B', { [w]: n });
}

for (const n of [128, 256, 512, 1024]) add(`square ${n}`, n, n, n, 'A·B');

// The lecture's net at batch 10 and 128, weights stored either way ([in, out]: y = x·W; forward
// A·B, dW = xᵀ·dY, dX = dY·Wᵀ). W2 is the batch-128 net.
for (const b of [10, 128]) {
  const w: Case['uses'] = b === 128 ? { W2: 1 } : {};
  add(`fwd  x·W,  batch ${b}`, b, 784, 30, 'A·B');
  add(`dW = xᵀ·dY, batch ${b}`, 784, b, 30, 'Aᵀ·B');
  add(`dX = dY·Wᵀ, batch ${b}`, b, 30, 784, 'A·Bᵀ');
  add(`fwd  x·Wᵀ, batch ${b}`, b, 784, 30, 'A·Bᵀ', w);
  add(`dW = dYᵀ·x, batch ${b}`, 30, b, 784, 'Aᵀ·B', w);
  add(`dX = dY·W, batch ${b}`, b, 30, 784, 'A·B');
  add(`layer 2 fwd, batch ${b}`, b, 30, 10, 'A·Bᵀ', w);
}
add('W2 layer 2 ∂W', 10, 128, 30, 'Aᵀ·B', { W2: 1 });
add('W2 layer 2 ∂x', 128, 10, 30, 'A·B', { W2: 1 });

// W3: 784-100-100-100-100-10 at batch 64
linear('W3 layer 1', 64, 784, 100, 'W3', 1, false);
linear('W3 layers 2–4', 64, 100, 100, 'W3', 3);
linear('W3 layer 5', 64, 100, 10, 'W3');

// C1 LeNet at batch 64, its convolutions as one im2col GEMM over the batch (the brief's form; C1i
// below is the form Nabla runs): rows are the 64 images'
// output positions, columns the kernel's taps (conv1: 1·5·5 = 25 over 28·28 positions; conv2:
// 6·5·5 = 150 over 10·10). conv1's input (the images) needs no gradient.
linear('C1 conv1', 64 * 784, 25, 6, 'C1', 1, false);
linear('C1 conv2', 64 * 100, 150, 16, 'C1');
for (const w of ['C1', 'C1i'] as const) {
  linear('C1 fc 400→120', 64, 400, 120, w);
  linear('C1 fc 120→84', 64, 120, 84, w);
  linear('C1 fc 84→10', 64, 84, 10, w);
}
// C1i: the convolutions as Nabla's CPU kernels run them (wasm/conv.ts), image by image, 64 times a
// step: [b | w] [O, C·25 + 1] · [1; cols] [C·25 + 1, L]; ∂[b | w] = ∂y·[1; cols]ᵀ; ∂cols = wᵀ·∂y
const img = { C1i: 64 };
add('C1i conv1 fwd, per image', 6, 26, 784, 'A·B', img);
add('C1i conv1 ∂W, per image', 6, 784, 26, 'A·Bᵀ', img);
add('C1i conv2 fwd, per image', 16, 151, 100, 'A·B', img);
add('C1i conv2 ∂W, per image', 16, 100, 151, 'A·Bᵀ', img);
add('C1i conv2 ∂x, per image', 150, 16, 100, 'Aᵀ·B', img);

// G1 char-GPT: 32 sequences × 128 tokens = 4096 rows, d 128, 4 layers of 4 heads of 32, vocabulary 89
const tokens = 32 * 128;
linear('G1 qkv', tokens, 128, 384, 'G1', 4);
linear('G1 attn out', tokens, 128, 128, 'G1', 4);
linear('G1 mlp up', tokens, 128, 512, 'G1', 4);
linear('G1 mlp down', tokens, 512, 128, 'G1', 4);
linear('G1 lm head', tokens, 128, 89, 'G1');
// attention per (sequence, head), 32·4·4 = 512 per step: S = Q·Kᵀ, O = P·V; backward ∂P = ∂O·Vᵀ,
// ∂V = Pᵀ·∂O, ∂S·K (∂Q) and ∂Sᵀ·Q (∂K)
const heads = 32 * 4 * 4;
add('G1 attn Q·Kᵀ, ∂O·Vᵀ', 128, 32, 128, 'A·Bᵀ', { G1: 2 * heads });
add('G1 attn P·V, ∂S·K', 128, 128, 32, 'A·B', { G1: 2 * heads });
add('G1 attn Pᵀ·∂O, ∂Sᵀ·Q', 128, 128, 32, 'Aᵀ·B', { G1: 2 * heads });

export { cases };
