/**
 * The sliding-window primitives: what convolution and pooling are built from. `im2col` is PyTorch's
 * `F.unfold` (each window's elements as a column), `col2im` its adjoint `F.fold` (columns summed
 * back into place), and the batched matmul in between does the arithmetic of a convolution; max
 * pooling has a kernel of its own that keeps the argmax for its backward, `maxPoolGrad`.
 *
 * Each op is a row of `WINDOW` (its traits); the backends' kernels, the gradient rules and the
 * conformance cases are `Record<WindowOp, …>` tables keyed by it, so tsc refuses a missing one.
 *
 * Why these four: im2col/col2im reuse each backend's tuned matmul for convolutions (forward and both
 * gradients) and transposed convolutions, and are each other's gradient, so every order of
 * derivative works. Average pooling needs no primitive (im2col, a sum, a division). maxPool's
 * gradient is a primitive of its own rather than scatterAdd on flattened planes: WebGPU has no
 * float atomics, and its scatterAdd loops over a whole index row per output element (59 M
 * iterations for LeNet's first pooling, where maxPoolGrad visits 1.2 M window elements).
 */
/** What the library knows about a sliding-window op (a row of `WINDOW`). */
export interface WindowTraits {
  /** 'any': int32 in, int32 out (copies and wrapping sums); 'float': float inputs only (int32
   * raises a DTypeError, as PyTorch's pooling refuses integers). */
  readonly dtypes: 'any' | 'float';
}

/** The sliding-window primitives. */
export const WINDOW = {
  /** [N, C, ...input] → [N, C·∏kernel, ∏output]: every window's elements, padding read as 0. */
  im2col: { dtypes: 'any' },
  /** [N, C·∏kernel, ∏output] → [N, C, ...input]: each column added back where im2col read it. */
  col2im: { dtypes: 'any' },
  /** [N, C, ...input] → values and int32 argmax [N, C, ...output]; padding never wins. */
  maxPool: { dtypes: 'float' },
  /** Gradient of maxPool: g [N, C, ...output] added at its argmax into zeros [N, C, ...input]. */
  maxPoolGrad: { dtypes: 'float' },
} as const satisfies Record<string, WindowTraits>;

/** The name of a sliding-window primitive: a key of `WINDOW`. */
export type WindowOp = keyof typeof WINDOW;
/** The sliding-window primitives, in `WINDOW`'s order. */
export const WINDOW_OPS = Object.keys(WINDOW) as readonly WindowOp[];

/**
 * Where the windows of a convolution or pooling lie, one entry per spatial axis (1 for [N, C, L],
 * 2 for [N, C, H, W], 3 for [N, C, D, H, W]). Window `o` along an axis reads input positions
 * `o·stride − padding + j·dilation` for `j < kernel`; positions outside `[0, input)` are padding.
 * `output` is PyTorch's `⌊(input + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1`.
 */
export interface WindowGeometry {
  /** The spatial size of the unpadded input. */
  readonly input: readonly number[];
  /** The number of windows along each axis. */
  readonly output: readonly number[];
  /** The window's size. */
  readonly kernel: readonly number[];
  /** The step between windows. */
  readonly stride: readonly number[];
  /** Implicit padding on both sides. */
  readonly padding: readonly number[];
  /** The step between a window's elements. */
  readonly dilation: readonly number[];
}
