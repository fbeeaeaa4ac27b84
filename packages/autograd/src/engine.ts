import { ShapeError, Tensor, fmtShape, onesLike, sameShape, zerosLike } from '@nablajs/tensor';
import { withGradMode } from './mode.js';
import type { Edge, FunctionNode } from './node.js';
import { type Operand, Variable } from './variable.js';

/** Options of `backward()`. */
export interface BackwardOptions {
  /** Keep saved tensors so backward can run through the graph again. Default: `createGraph`. */
  retainGraph?: boolean;
  /** Record the backward pass itself, so gradients can be differentiated again. */
  createGraph?: boolean;
}

/** Nodes reachable from `roots`, inputs before the nodes that use them (iterative: deep graphs are fine). */
function topoOrder(roots: readonly FunctionNode[]): FunctionNode[] {
  const order: FunctionNode[] = [];
  const seen = new Set<FunctionNode>();
  const stack: [FunctionNode, number][] = roots.map((r) => [r, 0]);
  for (const r of roots) seen.add(r);
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    const [node, i] = top;
    if (i < node.next.length) {
      top[1]++;
      const e = node.next[i];
      if (e && !(e instanceof Variable) && !seen.has(e)) {
        seen.add(e);
        stack.push([e, 0]);
      }
    } else {
      stack.pop();
      order.push(node);
    }
  }
  return order;
}

function seedGradient(op: string, out: Variable, g: Operand | undefined): Variable {
  if (g === undefined) {
    if (out.size !== 1)
      throw new ShapeError(
        op,
        `output ${fmtShape(out.shape)} is not a scalar`,
        'pass a gradient of the same shape, e.g. y.backward(onesLike(y))',
      );
    return new Variable(onesLike(out.data));
  }
  const v =
    g instanceof Variable ? g : new Variable(g instanceof Tensor ? g : onesLike(out.data).mul(g));
  if (!sameShape(v.shape, out.shape))
    throw new ShapeError(
      op,
      `gradient ${fmtShape(v.shape)} does not match output ${fmtShape(out.shape)}`,
    );
  return v;
}

function runHooks(v: Variable, g: Variable): Variable {
  for (const hook of v._hooks) g = hook(g) ?? g;
  return g;
}

/**
 * The engine: walks the graph from `outputs` in reverse topological order, applying each node's
 * rule and summing the gradients of values used more than once. `deliver` receives the gradient of
 * every leaf that requires grad (backward accumulates it; grad() collects it).
 */
function run(
  op: string,
  outputs: readonly Variable[],
  seeds: readonly (Operand | undefined)[] | undefined,
  opts: BackwardOptions,
  deliver: (leaf: Variable, g: Variable) => void,
  visit?: (node: FunctionNode, g: Variable) => void,
): void {
  const createGraph = opts.createGraph ?? false;
  const retain = opts.retainGraph ?? createGraph;
  withGradMode(createGraph, () => {
    // A leaf's gradient is summed over its uses before its hooks see it (once, as in PyTorch).
    const pending = new Map<FunctionNode | Variable, Variable>();
    const send = (edge: Edge, g: Variable) => {
      if (edge === null) return;
      const prev = pending.get(edge);
      pending.set(edge, prev ? prev.add(g) : g);
    };
    outputs.forEach((out, i) => {
      if (!out.requiresGrad)
        throw new ShapeError(
          op,
          `output ${i} ${fmtShape(out.shape)} does not require grad`,
          'make an input with { requiresGrad: true } and compute the output from it',
        );
      send(out.gradFn ?? out, seedGradient(op, out, seeds?.[i]));
    });
    const roots = outputs.flatMap((o) => (o.gradFn ? [o.gradFn] : []));
    const order = topoOrder(roots);
    for (let k = order.length - 1; k >= 0; k--) {
      const node = order[k]!;
      let g = pending.get(node);
      if (!g) continue;
      pending.delete(node);
      const out = node.output;
      if (out) {
        g = runHooks(out, g);
        if (out._retainsGrad) out.grad = accumulate(out.grad, g);
      }
      visit?.(node, g);
      const saved = node.savedForBackward();
      const inputs = saved.slice(0, -1);
      const needs = node.next.map((e) => e !== null);
      const grads = node.backward(g, inputs, saved[saved.length - 1]!, needs);
      if (!retain) node.release();
      node.next.forEach((e, i) => {
        const gi = grads[i];
        if (e && gi) send(e, gi);
      });
    }
    for (const [leaf, g] of pending) if (leaf instanceof Variable) deliver(leaf, runHooks(leaf, g));
  });
}

function accumulate(prev: Tensor | null, g: Variable): Tensor {
  const t = g.data.contiguous();
  return prev ? prev.add(t) : t;
}

/** `outputs[i].backward(gradients[i])` for all i at once: leaves that require grad get `.grad` (summed). */
export function backward(
  outputs: readonly Variable[],
  gradients?: readonly (Operand | undefined)[],
  opts: BackwardOptions = {},
): void {
  run('backward', outputs, gradients, opts, (leaf, g) => {
    leaf.grad = accumulate(leaf.grad, g);
  });
}

/** Options of `grad()`. */
export interface GradOptions extends BackwardOptions {
  /** ∂L/∂output for each output (default: 1 for scalar outputs). */
  gradOutputs?: readonly (Operand | undefined)[];
  /** Return zeros for inputs the outputs do not depend on, instead of raising. */
  allowUnused?: boolean;
}

/**
 * The gradients of `outputs` with respect to `inputs`, returned rather than accumulated into
 * `.grad` (Theano's `T.grad(cost, params)`). With `createGraph`, they are differentiable Variables,
 * so second derivatives and Hessian-vector products work.
 */
export function grad(
  outputs: Variable | readonly Variable[],
  inputs: readonly Variable[],
  opts: GradOptions = {},
): Variable[] {
  const outs = outputs instanceof Variable ? [outputs] : outputs;
  const found = new Map<Variable | FunctionNode, Variable>();
  const want = new Set<Variable | FunctionNode>(inputs.map((v) => v.gradFn ?? v));
  const add = (key: Variable | FunctionNode, g: Variable) => {
    if (!want.has(key)) return;
    const prev = found.get(key);
    found.set(key, prev ? prev.add(g) : g);
  };
  run('grad', outs, opts.gradOutputs, opts, add, add);
  return inputs.map((v, i) => {
    const g = found.get(v.gradFn ?? v);
    if (g) return g;
    if (!opts.allowUnused)
      throw new ShapeError(
        'grad',
        `input ${i} ${fmtShape(v.shape)} is not used to compute the outputs`,
        'pass { allowUnused: true } to get zeros',
      );
    return new Variable(zerosLike(v.data));
  });
}
