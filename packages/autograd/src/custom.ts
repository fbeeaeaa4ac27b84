import type { Tensor } from '@nablajs/tensor';
import { isGradEnabled } from './mode.js';
import { FunctionNode } from './node.js';
import { type Operand, Variable, lift } from './variable.js';

/** What forward leaves for backward in a custom function. */
export interface FunctionContext {
  /** Tensors backward needs; read them back from `saved`. */
  saveForBackward(...tensors: Tensor[]): void;
  /** The tensors `saveForBackward` was given, in order. */
  readonly saved: readonly Tensor[];
  /** Which inputs require grad: backward may return null for the others. */
  readonly needsInputGrad: readonly boolean[];
}

/**
 * The definition of a custom function node for `customFunction`: its forward and its local
 * backward.
 */
export interface CustomFunctionDef {
  /** The node's name in graph drawings and messages (default `'custom'`). */
  name?: string;
  /** Computes the output from the input tensors. */
  forward(ctx: FunctionContext, ...inputs: Tensor[]): Tensor;
  /** From ∂L/∂output, the gradient for each input (or null). Not differentiated again. */
  backward(ctx: FunctionContext, grad: Tensor): (Tensor | null)[] | Tensor | null;
}

/**
 * A user-defined differentiable op, "coding your own function node": a forward on tensors and its
 * local backward. Returns a function on Variables that records one node per call.
 */
export function customFunction(def: CustomFunctionDef): (...inputs: Operand[]) => Variable {
  return (...args: Operand[]) => {
    const like = args.find((a): a is Variable => a instanceof Variable);
    const inputs = args.map((a) =>
      like ? lift(a, like) : a instanceof Variable ? a : new Variable(a as Tensor),
    );
    const store: Tensor[] = [];
    const ctx: FunctionContext = {
      saveForBackward: (...t) => void store.push(...t),
      saved: store,
      needsInputGrad: inputs.map((v) => v.requiresGrad),
    };
    const out = new Variable(def.forward(ctx, ...inputs.map((v) => v.data)));
    if (isGradEnabled() && inputs.some((v) => v.requiresGrad)) {
      out.requiresGrad = true;
      out.gradFn = new FunctionNode(def.name ?? 'custom', inputs, out, undefined, (g) => {
        const r = def.backward(ctx, g.data);
        const list = Array.isArray(r) ? r : [r];
        return inputs.map((_, i) => (list[i] ? new Variable(list[i]!) : null));
      });
      out.gradFn.opaque = true;
    }
    return out;
  };
}
