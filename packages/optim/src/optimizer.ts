import { Variable } from '@nablajs/autograd';
import { ShapeError, type Tensor, fmtShape, isFloat, sameShape } from '@nablajs/tensor';
import { OptimizerError, checkKeys, checkSafeKey } from './errors.js';
import { copyOptions, optionsOf, sameOptions } from './options.js';

/** What every optimizer's options have. */
export interface LROptions {
  /** The learning rate. */
  lr: number;
}

/** One parameter group as given: its parameters and the options that differ from the defaults. */
export type ParamGroupInput<O> = {
  /** The group's parameters, e.g. `model.parameters()`. */
  params: Iterable<Variable>;
} & Partial<O>;

/** One parameter group as kept: every option resolved. Schedulers add `initialLr`. Options may be
 * changed between steps (`group.lr = 0.01`), as in PyTorch. */
export type ParamGroup<O> = O & {
  /** The group's parameters. */
  params: Variable[];
  /** The learning rate a scheduler started from. */
  initialLr?: number;
};

/** Per-parameter state: buffers (Tensors, updated in place) and counters. */
export type ParamState = Record<string, Tensor | number>;

/** PyTorch's layout: parameters are referenced by their index in the order of the groups. */
export interface OptimizerStateDict<O = LROptions> {
  /** Each parameter's buffers and counters, by the parameter's index. */
  state: Record<number, ParamState>;
  /** Each group's options, with its parameters as indices. */
  paramGroups: (O & {
    /** The indices of the group's parameters. */
    params: number[];
    /** The learning rate a scheduler started from. */
    initialLr?: number;
  })[];
}

/**
 * Base class of the optimizers: parameter groups, `zeroGrad`, `step`, and state dicts in PyTorch's
 * layout. A subclass resolves and validates a group's options and updates one group in place.
 */
export abstract class Optimizer<O extends LROptions = LROptions> {
  /** The parameter groups, options resolved; an option may be changed between steps. */
  readonly paramGroups: ParamGroup<O>[] = [];
  /** State per parameter, created on its first step. */
  readonly state = new Map<Variable, ParamState>();

  /**
   * @param name the class name used in error messages
   * @param params the parameters (e.g. `model.parameters()`), or parameter groups with their own options
   * @param defaults options for groups that do not set them
   * @param stateKeys the names of the per-parameter state this optimizer keeps (checked on load)
   */
  constructor(
    readonly name: string,
    params: Iterable<Variable> | Iterable<ParamGroupInput<O>>,
    readonly defaults: Partial<O>,
    protected readonly stateKeys: readonly string[],
  ) {
    if (
      params instanceof Variable ||
      params == null ||
      typeof (params as Iterable<unknown>)[Symbol.iterator] !== 'function'
    )
      throw new OptimizerError(
        name,
        `params must be an iterable of Variables or of parameter groups, got ${describe(params)}`,
        'pass model.parameters() or [w, b]',
      );
    const list = [...(params as Iterable<unknown>)];
    if (list.length === 0)
      throw new OptimizerError(
        name,
        'got an empty parameter list',
        'pass the parameters to optimize, e.g. model.parameters()',
      );
    const isGroup = (x: unknown) =>
      x !== null &&
      typeof x === 'object' &&
      !(x instanceof Variable) &&
      ('params' in x || Object.getPrototypeOf(x) === Object.prototype);
    const groups = list.some(isGroup)
      ? (list as ParamGroupInput<O>[])
      : [{ params: list as Variable[] } as unknown as ParamGroupInput<O>];
    for (const g of groups) this.addParamGroup(g);
  }

  /** The options of a group with the defaults filled in, validated (throws `OptimizerError`). */
  protected abstract resolveOptions(options: Partial<O>): O;

  /** Updates the parameters of one group that have a gradient. */
  protected abstract updateGroup(group: ParamGroup<O>): void;

  /** Adds a group of parameters with its own options (e.g. layers unfrozen while fine-tuning). */
  addParamGroup(group: ParamGroupInput<O>): void {
    const name = this.name;
    if (
      group === null ||
      typeof group !== 'object' ||
      group instanceof Variable ||
      !('params' in group)
    )
      throw new OptimizerError(
        name,
        `a parameter group must be an object { params, ...options }, got ${describe(group)}`,
        'do not mix Variables and groups in one list',
      );
    const { params, initialLr, ...options } = group as ParamGroupInput<O> & { initialLr?: number };
    if (
      params instanceof Variable ||
      params == null ||
      typeof params[Symbol.iterator] !== 'function'
    )
      throw new OptimizerError(
        name,
        `a group's params must be an iterable of Variables, got ${describe(params)}`,
        'wrap a single parameter in an array: { params: [w] }',
      );
    const list = [...params];
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    list.forEach((p, i) => {
      if (!(p instanceof Variable))
        throw new OptimizerError(
          name,
          `can only optimize Variables, but parameter ${i} of group ${this.paramGroups.length} is ${describe(p)}`,
          'wrap a Tensor with variable(t, { requiresGrad: true })',
        );
      if (!p.isLeaf)
        throw new OptimizerError(
          name,
          `cannot optimize a non-leaf Variable ${fmtShape(p.shape)} (made by ${p.gradFn!.name})`,
          'optimize the leaves the computation starts from, or detach() it',
        );
      if (seen.has(p))
        throw new OptimizerError(
          name,
          `parameter ${fmtShape(p.shape)} appears more than once`,
          'each parameter belongs to exactly one group, once',
        );
      seen.add(p);
    });
    const resolved = this.resolveOptions(options as unknown as Partial<O>);
    const entry = { ...resolved, params: list } as ParamGroup<O>;
    if (initialLr !== undefined) entry.initialLr = initialLr;
    this.paramGroups.push(entry);
  }

  /** Clears every parameter's gradient (`grad = null`, PyTorch's `zero_grad(set_to_none=True)`);
   * a parameter that gets no gradient before the next `step` is left alone by it. */
  zeroGrad(): void {
    for (const g of this.paramGroups) for (const p of g.params) p.zeroGrad();
  }

  /** Updates every parameter that has a gradient, in place. `closure`, when given, is called first
   * (it recomputes the loss and gradients) and its result is returned. */
  step<L = void>(closure?: () => L): L | undefined {
    const loss = closure?.();
    // options may have been changed since (`group.lr = NaN` would silently NaN every weight):
    // every group is checked before any is updated
    this.paramGroups.forEach((g, i) => this.checkGroup(g, i));
    for (const g of this.paramGroups) this.updateGroup(g);
    return loss;
  }

  /** Throws an OptimizerError naming the group when one of its options is no longer valid. A group
   * whose options are those it last passed with is not checked again (the check allocates, and
   * every step makes it). */
  private checkGroup(group: ParamGroup<O>, i: number): void {
    const seen = this.checked.get(group);
    if (seen && sameOptions(group, seen)) return;
    const { params: _, initialLr: __, ...options } = group;
    try {
      this.resolveOptions(options as unknown as Partial<O>);
    } catch (e) {
      if (!(e instanceof OptimizerError)) throw e;
      const why = e.message.slice(e.op.length + 2); // without the class name
      throw new OptimizerError(this.name, `step: parameter group ${i}: ${why}`);
    }
    this.checked.set(group, optionsOf(group));
  }

  /** The options each group last passed `checkGroup` with. */
  private readonly checked = new WeakMap<ParamGroup<O>, Map<string, unknown>>();

  /** The state of parameter `p`, created empty on first use. */
  protected stateOf(p: Variable): ParamState {
    let s = this.state.get(p);
    if (!s) this.state.set(p, (s = {}));
    return s;
  }

  /** `p.grad`, checked against `p`'s shape; null when `p` has no gradient. */
  protected gradOf(p: Variable): Tensor | null {
    return this.checkedGrad(p, p.grad);
  }

  /**
   * @internal `gradOf` for the optimizers of this package, which keep no reference to the gradient
   * past `step` (they copy it): reading it this way leaves it reusable when `zeroGrad` clears it.
   */
  protected ownGradOf(p: Variable): Tensor | null {
    return this.checkedGrad(p, p._grad);
  }

  private checkedGrad(p: Variable, g: Tensor | null): Tensor | null {
    if (g && !sameShape(g.shape, p.shape))
      throw new ShapeError(
        this.name,
        `gradient ${fmtShape(g.shape)} does not match its parameter ${fmtShape(p.shape)}`,
        "a gradient must have its parameter's shape",
      );
    return g;
  }

  /**
   * A snapshot of the optimizer: per-parameter state (buffers copied) keyed by the parameter's index
   * in group order, and each group's options with `params` as those indices (PyTorch's layout).
   */
  stateDict(): OptimizerStateDict<O> {
    const index = new Map<Variable, number>();
    const paramGroups = this.paramGroups.map(({ params, ...options }) => ({
      ...copyOptions(options),
      params: params.map((p) => {
        if (!index.has(p)) index.set(p, index.size);
        return index.get(p)!;
      }),
    })) as OptimizerStateDict<O>['paramGroups'];
    const state: Record<number, ParamState> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      state[i] = Object.fromEntries(
        Object.entries(s).map(([k, v]) => [k, typeof v === 'number' ? v : v.clone()]),
      );
    }
    return { state, paramGroups };
  }

  /**
   * Restores a `stateDict()` (of an optimizer of the same kind over parameters of the same shapes,
   * grouped the same way). Options come from the dict; buffers are copied and cast to each
   * parameter's dtype. Nothing changes when it throws.
   */
  loadStateDict(sd: OptimizerStateDict<O>): void {
    const name = this.name;
    if (
      sd === null ||
      typeof sd !== 'object' ||
      !Array.isArray(sd.paramGroups) ||
      sd.state === null ||
      typeof sd.state !== 'object'
    )
      throw new OptimizerError(
        name,
        'loadStateDict: expected { state, paramGroups }',
        'pass what stateDict() returned',
      );
    if (sd.paramGroups.length !== this.paramGroups.length)
      throw new OptimizerError(
        name,
        `loadStateDict: the state dict has ${sd.paramGroups.length} parameter groups, this optimizer has ${this.paramGroups.length}`,
        'load it into an optimizer built with the same groups',
      );
    const byIndex = new Map<number, Variable>();
    const groups = sd.paramGroups.map((saved, gi) => {
      const current = this.paramGroups[gi]!;
      const { params, initialLr, ...options } = saved;
      if (!Array.isArray(params) || params.length !== current.params.length)
        throw new OptimizerError(
          name,
          `loadStateDict: parameter group ${gi} has ${Array.isArray(params) ? params.length : 'no'} parameters in the state dict and ${current.params.length} here`,
          'load it into an optimizer built with the same groups',
        );
      params.forEach((idx, j) => byIndex.set(idx, current.params[j]!));
      let resolved: O;
      try {
        resolved = this.resolveOptions(copyOptions(options) as unknown as Partial<O>);
      } catch (e) {
        if (!(e instanceof OptimizerError)) throw e;
        throw new OptimizerError(
          name,
          `loadStateDict: the options of parameter group ${gi} are invalid`,
          e.message,
        );
      }
      const entry = { ...resolved, params: current.params } as ParamGroup<O>;
      if (initialLr !== undefined) entry.initialLr = initialLr;
      return entry;
    });
    const state = new Map<Variable, ParamState>();
    for (const [key, entry] of Object.entries(sd.state)) {
      checkSafeKey(name, key, 'loadStateDict: state');
      const p = byIndex.get(Number(key));
      if (!p)
        throw new OptimizerError(
          name,
          `loadStateDict: state for parameter ${key}, which no group of the state dict lists`,
          'the state dict is inconsistent; pass what stateDict() returned',
        );
      checkKeys(name, entry, this.stateKeys, 'state entry');
      const s: ParamState = {};
      for (const [k, v] of Object.entries(entry)) {
        if (typeof v === 'number') s[k] = v;
        else if (v && typeof v === 'object' && 'shape' in v && typeof v.clone === 'function') {
          if (!sameShape(v.shape, p.shape))
            throw new ShapeError(
              name,
              `loadStateDict: state '${k}' of parameter ${key} is ${fmtShape(v.shape)}, the parameter is ${fmtShape(p.shape)}`,
              'the parameters must have the shapes they had when saved',
            );
          if (v.backend !== p.data.backend)
            throw new OptimizerError(
              name,
              `loadStateDict: state '${k}' of parameter ${key} is on backend '${v.backend.name}', the parameter on '${p.data.backend.name}'`,
              'move the tensors first with `await t.to(backend)`',
            );
          s[k] = isFloat(p.dtype) && v.dtype !== p.dtype ? v.cast(p.dtype) : v.clone();
        } else
          throw new OptimizerError(
            name,
            `loadStateDict: state '${k}' of parameter ${key} is ${describe(v)}`,
            'state values are Tensors or numbers',
          );
      }
      state.set(p, s);
    }
    this.paramGroups.splice(0, this.paramGroups.length, ...groups);
    this.state.clear();
    for (const [p, s] of state) this.state.set(p, s);
  }
}

/** Copies group options (arrays such as `betas` too), so a state dict does not alias live options. */
function describe(x: unknown): string {
  if (x === null || x === undefined) return String(x);
  if (x instanceof Variable) return `a Variable ${fmtShape(x.shape)}`;
  if (typeof x === 'object') return `a ${x.constructor?.name ?? 'object'}`;
  return `${typeof x} ${String(x)}`;
}

/**
 * Temporaries of one update, disposed together. `own` marks a result that outlives the update
 * (a new state buffer), so it is not disposed.
 */
export class Scratch {
  private readonly temps: Tensor[] = [];
  t(x: Tensor): Tensor {
    this.temps.push(x);
    return x;
  }
  own(x: Tensor): Tensor {
    const i = this.temps.indexOf(x);
    if (i >= 0) this.temps.splice(i, 1);
    return x;
  }
  dispose(): void {
    for (const x of this.temps) x.dispose();
    this.temps.length = 0;
  }
}

/**
 * The gradient the update uses: `grad` negated under `maximize`, plus `weightDecay·p` (L2, coupled).
 * Either a temporary in `s` or `grad` itself.
 */
export function effectiveGrad(
  s: Scratch,
  grad: Tensor,
  p: Tensor,
  weightDecay: number,
  maximize: boolean,
): Tensor {
  if (weightDecay === 0) return maximize ? s.t(grad.neg()) : grad;
  const decay = s.t(p.mul(weightDecay));
  // -g + wd·p == wd·p - g exactly (negation is exact), one op fewer.
  return s.t(maximize ? decay.sub(grad) : grad.add(decay));
}

/** `base·keep + x·mix`, PyTorch's `base.mul_(keep).add_(x, alpha=mix)`, written into `base`. */
export function blendInto(s: Scratch, base: Tensor, keep: number, x: Tensor, mix: number): void {
  const scaled = mix === 1 ? x : s.t(x.mul(mix));
  base.assign(s.t(s.t(base.mul(keep)).add(scaled)));
}
