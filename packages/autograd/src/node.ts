import { DisposedError, fmtShape } from '@nablajs/tensor';
import type { DiffOp } from './params.js';
import type { Variable } from './variable.js';

/** Where a node sends the gradient of one input: that input's own node, the leaf to accumulate
 * into, or nowhere (the input needs no gradient). */
export type Edge = FunctionNode | Variable | null;

/** A node's local backward: from ∂L/∂out to ∂L/∂input for each input (null: none flows there). */
export type Backward = (
  g: Variable,
  inputs: Variable[],
  out: Variable,
  needs: boolean[],
) => (Variable | null)[];

/**
 * A function node of the graph: which primitive ran, the edges to its inputs, and what its local
 * backward rule needs (the inputs and the output), saved until backward has passed through it.
 */
export class FunctionNode {
  /** Where each input's gradient goes: its node, its leaf variable, or null when it needs none. */
  readonly next: Edge[];
  /** The shape of the output. */
  readonly shape: readonly number[];
  /** Inputs then output, with the tensor versions they had when saved; null once released. */
  saved: Variable[] | null;
  private readonly versions: number[];
  /**
   * The variable this node made, once it is named or asks to see its gradient (hooks, retainGrad);
   * otherwise unset, so the graph holds no activations after backward. (No WeakRef: a WeakRef keeps
   * its target alive until the current job ends, which is a whole synchronous training loop.)
   */
  output: Variable | undefined;
  /** Whether its backward is user code (a custom function), which may keep the gradients it sees. */
  opaque = false;

  /** Names and shapes of the inputs, kept for drawing the graph after backward freed `saved`. */
  readonly inputs: {
    /** The input's name, if it had one. */
    name: string | undefined;
    /** The input's shape. */
    shape: readonly number[];
  }[];

  constructor(
    /** The primitive (a key of `RULES`) or the custom function's name. */
    readonly name: DiffOp | string,
    inputs: readonly Variable[],
    output: Variable,
    /** What the op needs besides its inputs to compute its gradient (axes, indices, …). */
    readonly params: unknown,
    /** Its local backward: the table's rule for `name` with `params`, or a custom function's own. */
    readonly backward: Backward,
  ) {
    this.next = inputs.map((v) => (v.requiresGrad ? (v.gradFn ?? v) : null));
    this.inputs = inputs.map((v) => ({ name: v.name, shape: v.shape }));
    this.saved = [...inputs, output];
    this.versions = this.saved.map((v) => v.data.version);
    this.shape = output.shape;
  }

  /** The saved variables, or a clear error when backward already released them or one was modified. */
  savedForBackward(): Variable[] {
    const saved = this.saved;
    if (!saved)
      throw new DisposedError(
        'backward',
        `the graph through ${this.name} was already freed by an earlier backward`,
        'pass { retainGraph: true } to the first backward() to go through the graph twice',
      );
    saved.forEach((v, i) => {
      if (v.data.version !== this.versions[i])
        throw new DisposedError(
          'backward',
          `a tensor ${fmtShape(v.shape)} saved by ${this.name} was modified in place after it was saved (version ${v.data.version}, expected ${this.versions[i]})`,
          'update parameters after backward(), or clone() the value before changing it',
        );
    });
    return saved;
  }

  /** Drops the saved variables once backward has passed (without `retainGraph`). */
  release(): void {
    this.saved = null;
  }
}
