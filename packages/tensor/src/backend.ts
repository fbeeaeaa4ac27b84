import type { DType, TypedArray } from './dtype.js';
import { BackendError } from './errors.js';
import type { BinaryOp, RandomDist, ReduceOp, ScanOp, UnaryOp } from './ops.js';
import type { WindowGeometry } from './ops-window.js';

/** A strided view of a backend's storage: element `i` of index `(i0, i1, …)` lives at
 * `offset + Σ ik·strides[k]`. Stride 0 is a broadcast axis. */
export interface TensorRef<S = unknown> {
  /** The backend's storage the view reads (a typed array on the CPU, a GPU buffer on WebGPU). */
  readonly storage: S;
  /** The element type. */
  readonly dtype: DType;
  /** The size of each axis. */
  readonly shape: readonly number[];
  /** Elements to skip in storage for a step of 1 along each axis (0 for a broadcast axis). */
  readonly strides: readonly number[];
  /** Index in storage of the view's first element. */
  readonly offset: number;
}

/**
 * What a compute backend implements: storage plus a fixed set of primitives. Every primitive takes
 * strided views and returns new contiguous (row-major) storage for its result; shape checks,
 * broadcasting and dtype promotion happen above, in `Tensor`, so a backend never sees bad input.
 * bool is stored as int32 0/1 (`upload` gets bool data as an Int32Array of 0/1, `read` gives the
 * Int32Array back); a backend meets it only where values are moved, not computed: `zeros`, `read`,
 * `copy`, `concat`, `gather`'s `x`, `where`'s `cond`, `cast`'s source, and comparisons' results.
 */
export interface Backend<S = unknown> {
  /** A short name for messages and `memory()`, e.g. `'cpu'` or `'webgpu'`. */
  readonly name: string;
  /** dtypes this backend stores; others raise `DTypeError`. */
  readonly dtypes: readonly DType[];
  /** Whether `readSync` works (true on the CPU, false on a GPU). */
  readonly sync: boolean;

  /** New storage holding a copy of `data` (its dtype follows the array type). */
  upload(data: TypedArray): S;
  /** New storage of `size` zeros of `dtype`. */
  zeros(dtype: DType, size: number): S;
  /**
   * `count` new storages of `size` zeros of `dtype`, for state that a fused kernel updates every
   * step (Adam's moments, `stateZerosLike`), placed where that kernel updates it without copying it
   * (the CPU: the memory its WebAssembly kernels address). Optional; where it is missing or returns
   * undefined (it cannot place these), `zeros`.
   */
  stateZeros?(dtype: DType, size: number, count: number): S[] | undefined;
  /** The view's elements, row-major, in a new array. */
  read(x: TensorRef<S>): Promise<TypedArray>;
  /** Like `read`, synchronously; only where `sync` is true. */
  readSync?(x: TensorRef<S>): TypedArray;
  /** Releases storage now. Backends without it leave storage to the garbage collector. */
  free?(storage: S): void;
  /**
   * For backends without `free`: storage that the library knows no tensor will read again (a
   * gradient that only autograd held), given back so that a later result of the same size can
   * reuse its memory instead of new memory. Optional; without it the collector takes the storage.
   */
  recycle?(storage: S): void;
  /**
   * For storage the garbage collector reclaims (no `free`): the object whose collection releases
   * `storage`'s memory, such as a typed array's ArrayBuffer, possibly shared by many storages.
   * Accounting then registers that object once, instead of every tensor with the
   * FinalizationRegistry, which cost more than a small op itself.
   */
  gcUnit?(storage: S): {
    /** Bytes released when the unit is collected. */
    readonly byteLength: number;
  };

  /** Result has x's dtype. */
  unary(op: UnaryOp, x: TensorRef<S>): S;
  /** `a` and `b` share a dtype and `shape` (broadcast axes have stride 0), never bool (the Tensor
   * ops compute bool as int32); comparisons give bool (stored as int32 0/1). */
  binary(op: BinaryOp, a: TensorRef<S>, b: TensorRef<S>): S;
  /** `cond` is bool (int32 0/1); all three share a shape; a and b share a dtype. */
  where(cond: TensorRef<S>, a: TensorRef<S>, b: TensorRef<S>): S;
  /** Reduces the sorted `axes` away (the result's shape drops them). arg ops take one axis, give int32. */
  reduce(op: ReduceOp, x: TensorRef<S>, axes: readonly number[]): S;
  /** `a` is [...batch, M, K], `b` is [...batch, K, N] with the same batch shape (broadcast axes have
   * stride 0); the result is [...batch, M, N]. Transposed operands arrive as strides. */
  matmul(a: TensorRef<S>, b: TensorRef<S>): S;
  /** PyTorch's gather: out[i][j] = x[i][index[i][j]] for axis 1; `index` is int32 with x's rank. */
  gather(x: TensorRef<S>, axis: number, index: TensorRef<S>): S;
  /** The adjoint of gather: zeros of `shape`, then out[i][index[i][j]] += src[i][j] for axis 1. */
  scatterAdd(src: TensorRef<S>, axis: number, index: TensorRef<S>, shape: readonly number[]): S;
  /** Inputs share a dtype and all axes but `axis`. */
  concat(xs: readonly TensorRef<S>[], axis: number): S;
  /** The view's elements converted to `dtype` (float to int32 truncates toward zero). */
  cast(x: TensorRef<S>, dtype: DType): S;
  /** Writes `src` into the view `dst` of existing storage, in place (shapes equal, dtypes equal). */
  copy(src: TensorRef<S>, dst: TensorRef<S>): void;
  /**
   * The running `op` (cumsum, cumprod) of `x` along `axis`: out[…, i, …] = x[…, 0, …] op … op
   * x[…, i, …], in x's dtype, row-major. int32 (cumsum only) must not wrap: a result that does not
   * fit raises a `DTypeError` (at once, or at the next read on an asynchronous backend).
   */
  scan(op: ScanOp, x: TensorRef<S>, axis: number): S;
  /**
   * int32 positions that sort `x` along `axis`, stably (equal values keep their order): ascending,
   * with NaN after every number, or, with `descending`, NaN first and larger values before smaller.
   */
  argsort(x: TensorRef<S>, axis: number, descending: boolean): S;
  /** `size` numbers from the Philox 4x32-10 stream keyed by (seed, offset); see `philox.ts`. */
  random(dist: RandomDist, dtype: DType, size: number, seed: number, offset: number): S;

  // ---- sliding windows (ops-window.ts): convolution and pooling ------------------------------
  /**
   * PyTorch's `F.unfold`: `x` [N, C, ...g.input] → [N, C·K, L] with K = ∏g.kernel, L = ∏g.output.
   * Row `c·K + k` holds channel c at kernel offset k (row-major over the kernel axes), column `l`
   * window l (row-major over the output axes); positions in the padding read 0.
   */
  im2col(x: TensorRef<S>, g: WindowGeometry): S;
  /** PyTorch's `F.fold`, im2col's adjoint: `cols` [N, C·K, L] → [N, C, ...g.input], each entry
   * added at the position im2col read it from (overlaps sum; padding positions are dropped). */
  col2im(cols: TensorRef<S>, g: WindowGeometry): S;
  /**
   * The maximum of each window of float `x` [N, C, ...g.input], as a pair of values and int32
   * indices, both [N, C, ...g.output]. An index is the flat position in its (n, c) plane of the input (h·W + w).
   * Padding never wins; ties go to the first maximum, and a NaN wins (the last one), as in PyTorch.
   */
  maxPool(x: TensorRef<S>, g: WindowGeometry): [S, S];
  /** maxPool's gradient: zeros [N, C, ...g.input], then `grad` [N, C, ...g.output] added at the
   * positions `indices` (maxPool's, in range) name in each plane. */
  maxPoolGrad(grad: TensorRef<S>, indices: TensorRef<S>, g: WindowGeometry): S;

  /** Optional fused kernels; `fused.ts` falls back to compositions of primitives without them. */
  readonly fused?: FusedKernels<S>;
}

/** One SGD update, PyTorch's rule: d = ±g + wd·p; buf = init ? d : μ·buf + (1−τ)·d;
 * d = nesterov ? d + μ·buf : buf (when μ ≠ 0); p −= lr·d. */
export interface SgdStep {
  /** Learning rate. */
  lr: number;
  /** Momentum factor μ (0 for none). */
  momentum: number;
  /** Dampening τ of the momentum buffer. */
  dampening: number;
  /** Nesterov momentum. */
  nesterov: boolean;
  /** L2 weight decay `wd`, added to the gradient as wd·p. */
  weightDecay: number;
  /** Ascend instead of descend (the gradient's sign is flipped). */
  maximize: boolean;
  /** First step: the momentum buffer takes d instead of blending. */
  init: boolean;
}

/** One Adam/AdamW update, PyTorch 1.13's `_single_tensor_adam(w)`; `step` counts from 1. */
export interface AdamStep {
  /** Learning rate. */
  lr: number;
  /** Decay rate β₁ of the first-moment (mean) estimate. */
  beta1: number;
  /** Decay rate β₂ of the second-moment (uncentred variance) estimate. */
  beta2: number;
  /** Added to the denominator for numerical stability. */
  eps: number;
  /** Weight decay `wd`: added to the gradient (Adam) or decoupled (AdamW, see `decoupled`). */
  weightDecay: number;
  /** AdamW: shrink p by (1 − lr·wd) instead of adding wd·p to the gradient. */
  decoupled: boolean;
  /** Ascend instead of descend. */
  maximize: boolean;
  /** The step number, from 1, for the bias corrections 1 − βᵏ. */
  step: number;
}

/** The activations whose backward has a fused kernel (`FusedKernels.activationGrad`). */
export type ActivationOp = 'sigmoid' | 'tanh' | 'relu';

/** In-place updates over dense views of one dtype and shape (param, grad and state buffers). */
export interface FusedKernels<S = unknown> {
  /** One SGD step on `param` in place; `buf` is the momentum buffer (null without momentum). */
  sgd?(param: TensorRef<S>, grad: TensorRef<S>, buf: TensorRef<S> | null, o: SgdStep): void;
  /**
   * One Adam/AdamW step on `param` in place, updating the moment buffers `m`, `v` (and `vmax` for
   * AMSGrad).
   */
  adam?(
    param: TensorRef<S>,
    grad: TensorRef<S>,
    m: TensorRef<S>,
    v: TensorRef<S>,
    vmax: TensorRef<S> | null,
    o: AdamStep,
  ): void;
  /** Per-row −log softmax(logits)[label]: logits [N, C] float, labels [N] int32 (in range), result [N]. */
  softmaxCrossEntropy?(logits: TensorRef<S>, labels: TensorRef<S>): S;
  /** Its gradient: (softmax(logits) − onehot(labels))·g[:, None], result [N, C]. */
  softmaxCrossEntropyGrad?(logits: TensorRef<S>, labels: TensorRef<S>, g: TensorRef<S>): S;
  /**
   * An activation's backward from its output y = op(x) and ∂L/∂y = g (views of one float dtype and
   * shape): sigmoid g·y·(1 − y), tanh g·(1 − y²), relu 0 where y ≤ 0, else g; result of that shape, row-major.
   */
  activationGrad?(op: ActivationOp, y: TensorRef<S>, g: TensorRef<S>): S;
  /** A linear layer's forward in one kernel: x [N, K] · wᵀ (w is [O, K]) + b ([O], or none),
   * result [N, O]; views of one float dtype. */
  linear?(x: TensorRef<S>, w: TensorRef<S>, b: TensorRef<S> | null): S;
  /** softmax of each row of x [N, C] (dense, float): exp(x − max)/Σ exp(x − max); a row whose
   * entries are all −∞ (attention with every key masked) gives zeros, not NaN; a NaN makes its row NaN. */
  softmax?(x: TensorRef<S>): S;
  /** Its gradient per row, y·(g − Σ g·y), from the output y and the output's gradient g ([N, C], dense). */
  softmaxGrad?(y: TensorRef<S>, g: TensorRef<S>): S;
  /** Layer normalization of each row of x [N, C] (dense, float): (x − mean)/√(var + eps), with
   * the biased variance; no scale or shift. */
  layerNorm?(x: TensorRef<S>, eps: number): S;
  /** Its gradient per row from x and the output's gradient g: rstd·(g − mean(g) − x̂·mean(g·x̂)),
   * with x̂ and rstd = 1/√(var + eps) recomputed from x. */
  layerNormGrad?(x: TensorRef<S>, g: TensorRef<S>, eps: number): S;
  /**
   * A convolution of one group in one kernel: x [N, C, ...input] · w [O, C, ...kernel] over the
   * windows of `g`, plus b [O] (or none) per output channel; result [N, O, ...g.output], row-major;
   * views of one float dtype. null: the backend declines these operands (the caller composes it).
   */
  conv?(x: TensorRef<S>, w: TensorRef<S>, b: TensorRef<S> | null, g: WindowGeometry): S | null;
  /**
   * Its gradients from gy [N, O, ...g.output]: ∂x [N, C, ...input], ∂w [O, C, ...kernel] and
   * ∂b [O] where `needs` asks for them (null elsewhere); null: the backend declines.
   */
  convGrad?(
    x: TensorRef<S>,
    w: TensorRef<S>,
    gy: TensorRef<S>,
    g: WindowGeometry,
    needs: readonly [boolean, boolean, boolean],
  ): [S | null, S | null, S | null] | null;
}

let current: Backend | undefined;

/** Chooses the backend that new tensors are created on. */
export function useBackend(backend: Backend): Backend {
  current = backend;
  return backend;
}

/** The backend chosen by `useBackend`, or a clear error that says how to choose one. */
export function getBackend(op = 'getBackend'): Backend {
  if (!current)
    throw new BackendError(
      op,
      'no backend is selected',
      "call useBackend(cpu()) with `import { cpu } from '@nablajs/backend-cpu'`, or import from 'nablajs', which selects the CPU backend",
    );
  return current;
}

/** The current backend, or undefined when none was chosen. */
export function peekBackend(): Backend | undefined {
  return current;
}
