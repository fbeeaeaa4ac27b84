import { Variable } from '@nablajs/autograd';
import {
  NablaError,
  ShapeError,
  Tensor,
  fmtShape,
  sameShape,
  tensor,
  zerosLike,
} from '@nablajs/tensor';
import { type ForwardHook, type ForwardPreHook, addForwardHook } from './hooks.js';

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

/** Keys a state dict lacks or has too many, raised by a strict `loadStateDict`. */
export class StateDictError extends NablaError {
  constructor(
    op: string,
    /** Parameters of the module that the state dict lacks. */
    readonly missingKeys: readonly string[],
    /** Keys of the state dict that name no parameter of the module. */
    readonly unexpectedKeys: readonly string[],
  ) {
    const parts = [
      ...(missingKeys.length ? [`missing keys: ${missingKeys.join(', ')}`] : []),
      ...(unexpectedKeys.length ? [`unexpected keys: ${unexpectedKeys.join(', ')}`] : []),
    ];
    super(
      op,
      parts.join('; '),
      'the state dict must come from a module of the same architecture (or pass { strict: false })',
    );
  }
}

/** What `loadStateDict` reports: with `strict: false`, the keys it skipped. */
export interface LoadResult {
  /** Parameters of the module that the state dict lacks (left as they were). */
  missingKeys: string[];
  /** Keys of the state dict that name no parameter of the module (ignored). */
  unexpectedKeys: string[];
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
    for (const p of this.parameters())
      p.grad = opts.setToNone === false && p.grad ? zerosLike(p.grad) : null;
  }

  /**
   * Name → tensor for every parameter, in definition order (a shared parameter under each of its
   * names, like PyTorch). The tensors are the parameters' own `data`, not copies: clone them to keep
   * a snapshot across training steps.
   */
  stateDict(): Record<string, Tensor> {
    const sd: Record<string, Tensor> = {};
    for (const [name, p] of this.allParameters()) sd[name] = p.data;
    return sd;
  }

  /**
   * Copies `stateDict`'s tensors into the parameters, in place (cast to each parameter's dtype).
   * Shapes must match: a mismatch raises a ShapeError naming every such key, e.g.
   * `0.weight: expected [30,784], got [784,30]`. With `strict` (the default), missing and unexpected
   * keys raise a StateDictError naming them. Nothing is written unless every check passes.
   */
  loadStateDict(stateDict: Record<string, Tensor>, opts: { strict?: boolean } = {}): LoadResult {
    const op = 'loadStateDict';
    if (typeof stateDict !== 'object' || stateDict === null || Array.isArray(stateDict))
      throw new NablaError(
        op,
        `expected a state dict (name → Tensor), got ${Array.isArray(stateDict) ? 'an array' : String(stateDict)}`,
        'pass what stateDict() or load() returned',
      );
    const strict = opts.strict ?? true;
    const own = this.allParameters();
    const names = new Set(own.map(([n]) => n));
    // own keys only: a name like 'constructor' must not find Object.prototype's
    const missingKeys = own.map(([n]) => n).filter((n) => !Object.hasOwn(stateDict, n));
    const unexpectedKeys = Object.keys(stateDict).filter((k) => !names.has(k));
    const mismatches: string[] = [];
    for (const [name, p] of own) {
      const t = Object.hasOwn(stateDict, name) ? stateDict[name] : undefined;
      if (t === undefined) continue;
      if (!(t instanceof Tensor))
        throw new NablaError(
          op,
          `${name}: expected a Tensor, got ${typeof t}`,
          'a state dict maps names to Tensors',
        );
      t.assertLive(op);
      if (!sameShape(t.shape, p.shape))
        mismatches.push(`${name}: expected ${fmtShape(p.shape)}, got ${fmtShape(t.shape)}`);
    }
    if (mismatches.length)
      throw new ShapeError(
        op,
        `shape mismatch for ${mismatches.join('; ')}`,
        'the state dict must come from a module of the same architecture',
      );
    if (strict && (missingKeys.length || unexpectedKeys.length))
      throw new StateDictError(op, missingKeys, unexpectedKeys);
    for (const [name, p] of own) {
      const t = stateDict[name];
      if (t === undefined) continue;
      p.data.assign(onBackend(t, p.data));
    }
    return { missingKeys, unexpectedKeys };
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

/** `t` on `like`'s backend: itself, or a copy when it lives elsewhere and can be read synchronously. */
function onBackend(t: Tensor, like: Tensor): Tensor {
  if (t.backend === like.backend || !t.backend.readSync) return t; // assign raises a clear BackendError
  return tensor(t.dataSync(), { shape: t.shape, dtype: t.dtype, backend: like.backend });
}
