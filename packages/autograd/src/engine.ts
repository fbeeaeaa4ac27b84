import {
  NablaError,
  ShapeError,
  Tensor,
  fmtShape,
  onesLike,
  sameShape,
  storageSerial,
  zerosLike,
} from '@nablajs/tensor';
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

/** Nodes reachable from `roots`, inputs before the nodes that use them (iterative: deep graphs are fine).
 * One depth-first walk per root, a node marked when the walk reaches it: a root that lies on another
 * root's path (an output computed from another output) is then ordered after that path's nodes. */
function topoOrder(roots: readonly FunctionNode[]): FunctionNode[] {
  const order: FunctionNode[] = [];
  const seen = new Set<FunctionNode>();
  for (const root of roots) {
    if (seen.has(root)) continue;
    seen.add(root);
    walk(root, seen, order);
  }
  return order;
}

/** Post-order depth-first walk from `root`, appending each node after every node it reaches. */
function walk(root: FunctionNode, seen: Set<FunctionNode>, order: FunctionNode[]): void {
  const stack: [FunctionNode, number][] = [[root, 0]];
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
  if (!(g instanceof Variable || g instanceof Tensor || typeof g === 'number'))
    throw new NablaError(
      op,
      `gradient must be a Variable, a Tensor or a number, got ${g === null ? 'null' : typeof g}`,
      'options go last, or alone: y.backward({ retainGraph: true })',
    );
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

/** The storage a gradient's tensor views (what recycling gives back, shared by its views). */
const storageOf = (g: Variable): unknown => g.data._buffer;

/**
 * The engine: walks the graph from `outputs` in reverse topological order, applying each node's
 * rule and summing the gradients of values used more than once. `deliver` receives the gradient of
 * every leaf that requires grad (backward accumulates it; grad() collects it), and whether the
 * engine alone holds its storage (`owned`): made by this walk (the rules), seen by no user code
 * (hooks, retainGrad, custom functions' backward), delivered to no other leaf, and not recorded
 * (createGraph). Such a gradient's memory may be reused once the leaf drops it. A gradient between
 * nodes that meets the same conditions, and that no rule passed on, goes back as soon as its node's
 * rule has used it (backward only: grad() returns some of them).
 */
function run(
  op: string,
  outputs: readonly Variable[],
  seeds: readonly (Operand | undefined)[] | undefined,
  opts: BackwardOptions,
  deliver: (leaf: Variable, g: Variable, owned: boolean) => void,
  visit?: (node: FunctionNode, g: Variable) => void,
): void {
  const createGraph = opts.createGraph ?? false;
  const retain = opts.retainGraph ?? createGraph;
  // storages made from here on are this walk's; `seen` collects those user code was given
  const first = storageSerial();
  const seen = new Set<unknown>();
  withGradMode(createGraph, () => {
    // A leaf's gradient is summed over its uses before its hooks see it (once, as in PyTorch).
    const pending = new Map<FunctionNode | Variable, Variable>();
    // how many pending gradients view each storage (a rule may pass one on to several inputs)
    const uses = new Map<unknown, number>();
    const count = (g: Variable, d: number) =>
      uses.set(storageOf(g), (uses.get(storageOf(g)) ?? 0) + d);
    const send = (edge: Edge, g: Variable) => {
      if (edge === null) return;
      const prev = pending.get(edge);
      const sum = prev ? prev.add(g) : g;
      if (prev) count(prev, -1);
      count(sum, 1);
      pending.set(edge, sum);
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
      count(g, -1);
      const out = node.output;
      if (out) {
        if (out._hooks.length || out._retainsGrad) {
          seen.add(storageOf(g));
          g = runHooks(out, g);
          seen.add(storageOf(g));
        }
        if (out._retainsGrad) out.grad = accumulate(out.grad, g);
      }
      visit?.(node, g);
      const saved = node.savedForBackward();
      const inputs = saved.slice(0, -1);
      const needs = node.next.map((e) => e !== null);
      if (node.opaque) seen.add(storageOf(g));
      const grads = node.backward(g, inputs, saved[saved.length - 1]!, needs);
      if (node.opaque) for (const gi of grads) if (gi) seen.add(storageOf(gi));
      if (!retain) node.release();
      node.next.forEach((e, i) => {
        const gi = grads[i];
        if (e && gi) send(e, gi);
      });
      // a gradient between nodes that only this walk held goes back for later results of its size
      const s = g.data._buffer;
      if (
        !createGraph &&
        !visit &&
        s.serial >= first &&
        !seen.has(s) &&
        !uses.get(s) &&
        !grads.some((gi) => gi && storageOf(gi) === s)
      )
        g.data._recycle();
    }
    // how many leaves each storage goes to: one shared by two (a + b gives both g) is not owned
    const leaves = new Map<unknown, number>();
    for (const [leaf, g] of pending)
      if (leaf instanceof Variable) leaves.set(storageOf(g), (leaves.get(storageOf(g)) ?? 0) + 1);
    for (const [leaf, g] of pending) {
      if (!(leaf instanceof Variable)) continue;
      const s = g.data._buffer;
      const owned =
        !createGraph &&
        s.serial >= first &&
        !seen.has(s) &&
        leaves.get(s) === 1 &&
        leaf._hooks.length === 0;
      deliver(leaf, runHooks(leaf, g), owned);
    }
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
  run('backward', outputs, gradients, opts, (leaf, g, owned) => {
    const prev = leaf._grad;
    const prevOwned = leaf._gradOwned;
    leaf.grad = accumulate(prev, g);
    // a sum is a new tensor that only the leaf holds; the gradient it replaces goes if it was owned
    leaf._gradOwned = !opts.createGraph && (owned || prev !== null);
    if (prev && prevOwned) prev._recycle();
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
 * so second derivatives and Hessian-vector products work. `inputs` may be one Variable; the
 * result is a list either way, as PyTorch's tuple. An input the outputs do not depend on raises
 * a ShapeError before anything is freed (the graph stays usable), or gets zeros with `allowUnused`.
 */
export function grad(
  outputs: Variable | readonly Variable[],
  inputs: Variable | readonly Variable[],
  opts: GradOptions = {},
): Variable[] {
  const outs = outputs instanceof Variable ? [outputs] : outputs;
  // one input, as torch.autograd.grad(y, x): the result is still a list, [∂y/∂x]
  const ins = inputs instanceof Variable ? [inputs] : inputs;
  // an unused input raises before the walk frees the graph, so the caller can still use it
  if (!opts.allowUnused) {
    const reached = new Set<Variable | FunctionNode>();
    const order = topoOrder(outs.flatMap((o) => (o.gradFn ? [o.gradFn] : [])));
    for (const o of outs) if (!o.gradFn) reached.add(o);
    for (const node of order) {
      reached.add(node);
      for (const e of node.next) if (e instanceof Variable) reached.add(e);
    }
    ins.forEach((v, i) => {
      if (!reached.has(v.gradFn ?? v)) throw unused(v, i);
    });
  }
  const found = new Map<Variable | FunctionNode, Variable>();
  const want = new Set<Variable | FunctionNode>(ins.map((v) => v.gradFn ?? v));
  const add = (key: Variable | FunctionNode, g: Variable) => {
    if (!want.has(key)) return;
    const prev = found.get(key);
    found.set(key, prev ? prev.add(g) : g);
  };
  run('grad', outs, opts.gradOutputs, opts, add, add);
  return ins.map((v, i) => {
    const g = found.get(v.gradFn ?? v);
    if (g) return g;
    if (!opts.allowUnused) throw unused(v, i);
    return new Variable(zerosLike(v.data));
  });
}

function unused(v: Variable, i: number): ShapeError {
  return new ShapeError(
    'grad',
    `input ${i} ${fmtShape(v.shape)} is not used to compute the outputs`,
    'pass { allowUnused: true } to get zeros',
  );
}
