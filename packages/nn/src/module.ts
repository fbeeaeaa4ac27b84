import { Variable } from '@nablajs/autograd';
import { type Backend, NablaError, Tensor, zerosLike } from '@nablajs/tensor';
import { type ForwardHook, type ForwardPreHook, addForwardHook } from './hooks.js';
import { type LoadResult, loadInto } from './state-dict.js';

export { type LoadResult, StateDictError } from './state-dict.js';

/** What a module's `forward` accepts: a Variable, or a Tensor (wrapped as a constant). */
export type Input = Variable | Tensor;

/** A Tensor as a constant Variable; a Variable as itself. */
export function asVariable(x: Input): Variable {
  return x instanceof Variable ? x : new Variable(x);
}

/** A learnable tensor of a module: a Variable that requires grad (PyTorch's `nn.Parameter`). */
export class Parameter extends Variable {
  constructor(data: Tensor, requiresGrad = true, name?: string) {
    super(data, requiresGrad, name);
  }
}

/**
 * A layer or a model (PyTorch's `nn.Module`): a `forward` from input Variables to an output Variable,
 * plus parameters and submodules. These are discovered from the instance's own enumerable
 * properties, in definition order: a `Parameter`, a `Module`, or an array of either. Names are
 * PyTorch's dotted paths (`0.weight`, `layers.1.bias`), so state dicts line up with PyTorch's.
 *
 * ```ts
 * class Net extends Module {
 *   fc1 = new Linear(784, 30);
 *   fc2 = new Linear(30, 10);
 *   forward(x: Input) { return this.fc2.forward(this.fc1.forward(x).sigmoid()); }
 * }
 * ```
 */
export abstract class Module {
  /** Whether the module is in training mode (dropout active); `train()` and `eval()` set it. */
  training = true;
  readonly #buffers = new Map<string, { tensor: Tensor | null; persistent: boolean }>();

  /** The module's computation: from input Variables (or Tensors, as constants) to an output Variable. */
  abstract forward(...inputs: Input[]): Variable;

  /** This module's own parameters (not its children's), with their property names. */
  protected ownParameters(): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Parameter) out.push([key, value]);
      else if (Array.isArray(value))
        value.forEach((v, i) => {
          if (v instanceof Parameter) out.push([`${key}.${i}`, v]);
        });
      else checkNotHidden(this, key, value);
    }
    return out;
  }

  /** The direct submodules with their names (property names; `name.i` for arrays). */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [key, value] of Object.entries(this)) {
      checkNotHidden(this, key, value);
      if (value instanceof Module) out.push([key, value]);
      else if (Array.isArray(value))
        value.forEach((v, i) => {
          if (v instanceof Module) out.push([`${key}.${i}`, v]);
        });
    }
    return out;
  }

  /** The direct submodules, in definition order. */
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and every module below it, each once (a module reached twice keeps its first name). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    const visit = (name: string, m: Module) => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([name, m]);
      for (const [child, c] of m.namedChildren()) visit(name ? `${name}.${child}` : child, c);
    };
    visit(prefix, this);
    return out;
  }

  /** This module and every module below it, each once. */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** Every parameter with its dotted name, each once (a shared parameter keeps its first name). */
  namedParameters(): [string, Parameter][] {
    const seen = new Set<Parameter>();
    return this.allParameters().filter(([, p]) => !seen.has(p) && Boolean(seen.add(p)));
  }

  /** Every parameter of this module and its submodules, each once: what an optimizer takes. */
  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  private allParameters(): [string, Parameter][] {
    return this.namedModules().flatMap(([prefix, m]) =>
      m
        .ownParameters()
        .map(([name, p]): [string, Parameter] => [prefix ? `${prefix}.${name}` : name, p]),
    );
  }

  /** Sets training mode here and in every submodule. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Evaluation mode: `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /**
   * Clears `.grad` of every parameter: to null (`setToNone`, the default, as PyTorch 2), or to zeros
   * (PyTorch 1.13's default; new tensors, so no gradient shared with another is written over).
   */
  zeroGrad(opts: { setToNone?: boolean } = {}): void {
    for (const p of this.parameters()) {
      const zeros = opts.setToNone === false && p._grad ? zerosLike(p._grad) : null;
      p.zeroGrad();
      if (zeros) p.grad = zeros;
    }
  }

  /**
   * Registers a tensor the module keeps but does not learn (PyTorch's `register_buffer`), such as
   * batch norm's running statistics. A buffer is not a parameter (no gradient, not in
   * `parameters()`), moves with the module (`to`), and, when `persistent` (the default), is saved in
   * `stateDict()` and restored by `loadStateDict()` under its dotted name, after the module's own
   * parameters as in PyTorch. `null` declares the buffer without a value (left out of the state
   * dict). Registering a name again replaces the buffer.
   */
  registerBuffer(name: string, value: Tensor | null, opts: { persistent?: boolean } = {}): void {
    const op = `${this.constructor.name}.registerBuffer`;
    if (typeof name !== 'string' || name === '' || name.includes('.') || name === '__proto__')
      throw new NablaError(
        op,
        `invalid buffer name ${JSON.stringify(name)}`,
        'a non-empty name without "."',
      );
    if (!this.#buffers.has(name) && name in this)
      throw new NablaError(
        op,
        `'${name}' is already a property of the module`,
        'pick another name',
      );
    if (value !== null && !(value instanceof Tensor))
      throw new NablaError(op, `'${name}' must be a Tensor or null, got ${typeof value}`);
    this.#buffers.set(name, { tensor: value, persistent: opts.persistent ?? true });
  }

  /** The buffer registered under `name` here (a dotted name reaches into submodules); undefined if none. */
  getBuffer(name: string): Tensor | null | undefined {
    const at = name.lastIndexOf('.');
    const owner = at < 0 ? this : this.namedModules().find(([n]) => n === name.slice(0, at))?.[1];
    return owner ? owner.#buffers.get(name.slice(at + 1))?.tensor : undefined;
  }

  /** This module's own buffers (not its children's) that hold a tensor, with their names. */
  private ownBuffers(persistentOnly: boolean): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [name, b] of this.#buffers)
      if (b.tensor && (b.persistent || !persistentOnly)) out.push([name, b.tensor]);
    return out;
  }

  /** Every buffer of this module and its submodules with its dotted name, each tensor once. */
  namedBuffers(): [string, Tensor][] {
    const seen = new Set<Tensor>();
    return this.namedModules()
      .flatMap(([prefix, m]) =>
        m.ownBuffers(false).map(([n, t]): [string, Tensor] => [join(prefix, n), t]),
      )
      .filter(([, t]) => !seen.has(t) && Boolean(seen.add(t)));
  }

  /** Every buffer of this module and its submodules, each once. */
  buffers(): Tensor[] {
    return this.namedBuffers().map(([, t]) => t);
  }

  /** What a state dict holds, module by module: its parameters, then its persistent buffers. */
  private stateEntries(): [string, Tensor][] {
    return this.namedModules().flatMap(([prefix, m]) =>
      [
        ...m.ownParameters().map(([n, p]): [string, Tensor] => [n, p.data]),
        ...m.ownBuffers(true),
      ].map(([n, t]): [string, Tensor] => [join(prefix, n), t]),
    );
  }

  /**
   * Name → tensor for every parameter and persistent buffer, in definition order, each module's
   * parameters before its buffers (a shared parameter under each of its names, like PyTorch). The
   * tensors are the module's own, not copies: clone them to keep a snapshot across training steps.
   */
  stateDict(): Record<string, Tensor> {
    const sd: Record<string, Tensor> = {};
    for (const [name, t] of this.stateEntries()) sd[name] = t;
    return sd;
  }

  /**
   * Copies `stateDict`'s tensors into the parameters and persistent buffers, in place (cast to each
   * one's dtype). Shapes must match: a mismatch raises a ShapeError naming every such key, e.g.
   * `0.weight: expected [30,784], got [784,30]`. With `strict` (the default), missing and unexpected
   * keys raise a StateDictError naming them. Nothing is written unless every check passes.
   */
  loadStateDict(stateDict: Record<string, Tensor>, opts: { strict?: boolean } = {}): LoadResult {
    return loadInto(this.stateEntries(), stateDict, opts.strict ?? true);
  }

  /**
   * Moves every parameter (and its gradient) and every buffer to `backend`, in place: the Parameter
   * objects stay the same, so make the optimizer after moving (its state stays where it was made).
   */
  async to(backend: Backend): Promise<this> {
    for (const p of this.parameters()) {
      if (p.data.backend !== backend) p.data = await p.data.to(backend);
      if (p.grad && p.grad.backend !== backend) p.grad = await p.grad.to(backend);
    }
    for (const m of this.modules())
      for (const b of m.#buffers.values())
        if (b.tensor && b.tensor.backend !== backend) b.tensor = await b.tensor.to(backend);
    return this;
  }

  /** Calls `fn` on every submodule, children first, then on this module (PyTorch's `apply`, e.g.
   * for weight initialization); returns this module. */
  apply(fn: (module: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  /** Sets `requiresGrad` on every parameter: `requiresGrad_(false)` freezes the module. */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad = requiresGrad;
    return this;
  }

  /** Runs `hook(module, inputs)` before each `forward`; a returned array replaces the inputs.
   * Returns a function that removes the hook (PyTorch's `register_forward_pre_hook`). */
  registerForwardPreHook(hook: ForwardPreHook): () => void {
    return addForwardHook(this, 'pre', hook);
  }

  /** Runs `hook(module, inputs, output)` after each `forward`; a returned Variable replaces the
   * output. Returns a function that removes the hook (PyTorch's `register_forward_hook`). */
  registerForwardHook(hook: ForwardHook): () => void {
    return addForwardHook(this, 'post', hook);
  }

  /** Extra text for `toString()`, e.g. `in=784, out=30`. */
  protected extraRepr(): string {
    return '';
  }

  /** PyTorch-style description of the module tree. */
  toString(): string {
    const name = this.constructor.name;
    const kids = this.namedChildren();
    if (!kids.length) return `${name}(${this.extraRepr()})`;
    const lines = kids.map(([n, m]) => `  (${n}): ${m.toString().replace(/\n/g, '\n  ')}`);
    const extra = this.extraRepr();
    return `${name}(${extra ? `\n  ${extra}` : ''}\n${lines.join('\n')}\n)`;
  }
}

/** Whether `v` is a Module or Parameter, or a collection holding one at any depth. */
function holdsLearnable(v: unknown, depth = 0): boolean {
  if (v instanceof Module || v instanceof Parameter) return true;
  if (depth > 3 || v === null || typeof v !== 'object' || ArrayBuffer.isView(v)) return false;
  const items =
    v instanceof Map || v instanceof Set
      ? [...v.values()]
      : Array.isArray(v) || isPlainObject(v)
        ? Object.values(v as object)
        : [];
  return items.some((x) => holdsLearnable(x, depth + 1));
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Discovery sees a Module or Parameter property, and arrays of them; a plain object, a Map or a Set
 * of modules, or an array of arrays, would be skipped silently (PyTorch's classic bug with a dict
 * of layers): it raises instead, naming the property and the container that registers it.
 */
function checkNotHidden(owner: Module, key: string, value: unknown): void {
  if (value === null || typeof value !== 'object' || value instanceof Module) return;
  if (value instanceof Parameter) return;
  const hidden = Array.isArray(value)
    ? value.some((v) => !(v instanceof Module) && !(v instanceof Parameter) && holdsLearnable(v))
    : holdsLearnable(value);
  if (hidden)
    throw new NablaError(
      owner.constructor.name,
      `property '${key}' holds modules or parameters inside ${Array.isArray(value) ? 'a nested array' : value instanceof Map ? 'a Map' : value instanceof Set ? 'a Set' : 'a plain object'}, which parameters() and stateDict() cannot see`,
      'use a ModuleDict (or ModuleList) for it, or an array of modules, so that they are registered',
    );
}

const join = (prefix: string, name: string) => (prefix ? `${prefix}.${name}` : name);
