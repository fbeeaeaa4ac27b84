import { ShapeError, Tensor, fmtShape, zeros } from '@nablajs/tensor';
import { grad } from './engine.js';
import { concat } from './functions.js';
import { withGradMode } from './mode.js';
import { Variable } from './variable.js';

// PyTorch's torch.autograd.functional, on top of grad(): each takes a function of Variables and the
// point to evaluate it at (Variables or Tensors), and differentiates at fresh leaves made from the
// point's values, so the caller's graph is left alone. With `createGraph`, the results stay in the
// graph (for higher derivatives; `hessian` uses it); otherwise they are constants.

/** Options of the functional API. */
export interface FunctionalOptions {
  /** Keep the results differentiable (as PyTorch's `create_graph`). Default false. */
  createGraph?: boolean;
}

/** A function of one or more Variables giving one Variable. */
export type Fn = (...xs: Variable[]) => Variable;
/** One point (a Variable or a Tensor) or several. */
export type Point = Variable | Tensor | readonly (Variable | Tensor)[];

/** The point as leaves that require grad (the caller's Variables themselves with `createGraph`). */
function leaves(point: Point, createGraph: boolean): { xs: Variable[]; single: boolean } {
  const single = !Array.isArray(point);
  const list = (single ? [point] : point) as readonly (Variable | Tensor)[];
  const xs = list.map((p) => {
    if (p instanceof Variable && createGraph && p.requiresGrad) return p;
    return new Variable(p instanceof Variable ? p.data : p, true);
  });
  return { xs, single };
}

const out = <T>(values: T[], single: boolean): T | T[] => (single ? values[0]! : values);
const constant = (v: Variable, keep: boolean) => (keep ? v : new Variable(v.data));

/**
 * ∂f/∂x: for an output of shape S and an input of shape I, a Variable of shape [...S, ...I]
 * (one per input when `inputs` is a list), made from one backward pass per output element.
 */
export function jacobian(f: Fn, inputs: Variable | Tensor, opts?: FunctionalOptions): Variable;
export function jacobian(
  f: Fn,
  inputs: readonly (Variable | Tensor)[],
  opts?: FunctionalOptions,
): Variable[];
export function jacobian(
  f: Fn,
  inputs: Point,
  opts: FunctionalOptions = {},
): Variable | Variable[] {
  const keep = opts.createGraph ?? false;
  const { xs, single } = leaves(inputs, keep);
  const y = withGradMode(true, () => f(...xs));
  const n = y.size;
  const rows: Variable[][] = xs.map(() => []);
  for (let k = 0; k < n; k++) {
    const e = zeros([n], { dtype: y.dtype, backend: y.data.backend });
    e.slice([k]).assign(1);
    const gs = y.requiresGrad
      ? grad(y, xs, {
          gradOutputs: [e.reshape(y.shape)],
          retainGraph: true,
          createGraph: keep,
          allowUnused: true,
        })
      : xs.map((x) => new Variable(zeros(x.shape, { dtype: x.dtype, backend: x.data.backend })));
    gs.forEach((g, i) => rows[i]!.push(constant(g, keep).reshape([1, ...xs[i]!.shape])));
  }
  const jac = xs.map((x, i) =>
    (n
      ? concat(rows[i]!, 0)
      : new Variable(zeros([0, ...x.shape], { dtype: y.dtype, backend: y.data.backend }))
    ).reshape([...y.shape, ...x.shape]),
  );
  return out(jac, single);
}

/**
 * ∂²f/∂x² of a scalar `f`: for an input of shape I, a Variable of shape [...I, ...I] (for a list of
 * inputs, the blocks [i][j] = ∂²f/∂xi∂xj).
 */
export function hessian(f: Fn, inputs: Variable | Tensor, opts?: FunctionalOptions): Variable;
export function hessian(
  f: Fn,
  inputs: readonly (Variable | Tensor)[],
  opts?: FunctionalOptions,
): Variable[][];
export function hessian(
  f: Fn,
  inputs: Point,
  opts: FunctionalOptions = {},
): Variable | Variable[][] {
  const { xs, single } = leaves(inputs, true);
  const y = withGradMode(true, () => f(...xs));
  if (y.size !== 1)
    throw new ShapeError(
      'hessian',
      `f must give a scalar, got ${fmtShape(y.shape)}`,
      'sum it, or use jacobian',
    );
  // row i: the Jacobian of ∂f/∂xi (kept in the graph) with respect to every input
  const blocks = xs.map((_, i) =>
    jacobian(
      (...zs: Variable[]) => grad(f(...zs), zs[i]!, { createGraph: true, allowUnused: true })[0]!,
      xs,
      { createGraph: true },
    ),
  );
  const keep = opts.createGraph ?? false;
  const h = blocks.map((row) => row.map((b) => constant(b, keep)));
  return single ? h[0]![0]! : h;
}

/** What `vjp` returns, as PyTorch's pair. */
export interface VjpResult {
  /** f at the point (a constant unless `createGraph`). */
  output: Variable;
  /** vᵀ·∂f/∂x, one per input when the point is a list. */
  vjp: Variable | Variable[];
}

/** What `jvp` returns, as PyTorch's pair. */
export interface JvpResult {
  /** f at the point (a constant unless `createGraph`). */
  output: Variable;
  /** ∂f/∂x·v, shaped like the output. */
  jvp: Variable;
}

/** The output of `f` and the vector-Jacobian product vᵀ·∂f/∂x (`v` may be omitted for a scalar f). */
export function vjp(
  f: Fn,
  inputs: Point,
  v?: Variable | Tensor | number,
  opts: FunctionalOptions = {},
): VjpResult {
  const keep = opts.createGraph ?? false;
  const { xs, single } = leaves(inputs, keep);
  const y = withGradMode(true, () => f(...xs));
  const gs = grad(y, xs, { gradOutputs: [v], createGraph: keep, allowUnused: true });
  return {
    output: constant(y, keep),
    vjp: out(
      gs.map((g) => constant(g, keep)),
      single,
    ),
  };
}

/**
 * The output of `f` and the Jacobian-vector product ∂f/∂x·v (one `v` per input, shaped like it),
 * by the double-vjp trick: the vjp uᵀ·J is linear in u, and its gradient along v with respect to
 * u is J·v.
 */
export function jvp(
  f: Fn,
  inputs: Point,
  v: Variable | Tensor | readonly (Variable | Tensor)[],
  opts: FunctionalOptions = {},
): JvpResult {
  const keep = opts.createGraph ?? false;
  const { xs } = leaves(inputs, true);
  const vs = Array.isArray(v) ? v : [v];
  if (vs.length !== xs.length)
    throw new ShapeError(
      'jvp',
      `${vs.length} tangents for ${xs.length} inputs`,
      'give one per input',
    );
  const y = withGradMode(true, () => f(...xs));
  const u = new Variable(zeros(y.shape, { dtype: y.dtype, backend: y.data.backend }), true);
  const gs = grad(y, xs, { gradOutputs: [u], createGraph: true, allowUnused: true });
  const used = gs.filter((g) => g.requiresGrad);
  const ws = gs.flatMap((g, i) => (g.requiresGrad ? [vs[i]!] : []));
  const jv = used.length
    ? grad(used, u, { gradOutputs: ws, createGraph: keep, allowUnused: true })[0]!
    : new Variable(zeros(y.shape, { dtype: y.dtype, backend: y.data.backend }));
  return { output: constant(y, keep), jvp: constant(jv, keep) };
}
