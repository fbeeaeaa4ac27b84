import type { Variable } from '@nablajs/autograd';
import { NablaError, ShapeError } from '@nablajs/tensor';
import { Module } from './module.js';

function checkModule(op: string, m: unknown, what: string): Module {
  if (!(m instanceof Module)) throw new NablaError(op, `${what} is not a Module`);
  return m;
}

/**
 * A list of modules, registered under '0', '1', … (PyTorch's `nn.ModuleList`): their parameters
 * appear as `layers.0.weight` when the list is the property `layers`. Index it like an array
 * (`list[i]`, or `list.get(-1)`) and iterate it; it has no `forward` of its own.
 */
export class ModuleList extends Module {
  readonly [index: number]: Module;

  constructor(modules: Iterable<Module> = []) {
    super();
    this.extend(modules);
  }

  /** The number of modules. */
  get length(): number {
    return this.namedChildren().length;
  }

  /** The module at `index` (negative counts from the end). */
  get(index: number): Module {
    const n = this.length;
    const i = index < 0 ? index + n : index;
    if (!Number.isInteger(index) || i < 0 || i >= n)
      throw new ShapeError('ModuleList', `index ${index} is out of range for ${n} modules`);
    return this[i]!;
  }

  /** Adds a module at the end. */
  append(module: Module): this {
    const i = this.length;
    // integer keys enumerate first and in ascending order, whatever the order of definition
    Object.defineProperty(this, i, {
      value: checkModule('ModuleList', module, `module ${i}`),
      enumerable: true,
      configurable: true,
    });
    return this;
  }

  /** Adds each module at the end, in order. */
  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  /** Inserts a module before `index`, shifting the later ones up. */
  insert(index: number, module: Module): this {
    const items = this.children();
    const n = items.length;
    const i = index < 0 ? Math.max(0, index + n) : Math.min(index, n);
    items.splice(i, 0, checkModule('ModuleList', module, 'the module inserted'));
    items.forEach((m, k) =>
      Object.defineProperty(this, k, { value: m, enumerable: true, configurable: true }),
    );
    return this;
  }

  /** The modules, in order (`for (const layer of list)`). */
  [Symbol.iterator](): Iterator<Module> {
    return this.children()[Symbol.iterator]();
  }

  /** A ModuleList is a container: call its modules' `forward`. */
  forward(): Variable {
    throw new NablaError(
      'ModuleList',
      'has no forward of its own',
      'iterate over it: for (const layer of this.layers) x = layer.forward(x)',
    );
  }
}

/**
 * Modules by name (PyTorch's `nn.ModuleDict`), registered under their keys: `heads.cls.weight` when
 * the dict is the property `heads`. Keys are kept in insertion order; a key is a non-empty string
 * without '.', which would make state-dict names ambiguous. It has no `forward` of its own.
 */
export class ModuleDict extends Module {
  // a private field: discovery goes through namedChildren() below, never through this Map
  readonly #modules = new Map<string, Module>();

  constructor(modules: Record<string, Module> | Iterable<[string, Module]> = {}) {
    super();
    const entries =
      Symbol.iterator in Object(modules)
        ? (modules as Iterable<[string, Module]>)
        : Object.entries(modules as Record<string, Module>);
    for (const [k, m] of entries) this.set(k, m);
  }

  /** The modules with their keys, in insertion order. */
  override namedChildren(): [string, Module][] {
    return [...this.#modules];
  }

  /** The number of modules. */
  get size(): number {
    return this.#modules.size;
  }

  /** The module under `key`; a NablaError naming the keys if there is none. */
  get(key: string): Module {
    const m = this.#modules.get(key);
    if (!m)
      throw new NablaError(
        'ModuleDict',
        `no module under '${key}'`,
        `the keys are ${[...this.#modules.keys()].map((k) => `'${k}'`).join(', ') || 'none'}`,
      );
    return m;
  }

  /** Whether a module is stored under `key`. */
  has(key: string): boolean {
    return this.#modules.has(key);
  }

  /** Stores `module` under `key` (replacing any module there, in its place). */
  set(key: string, module: Module): this {
    if (typeof key !== 'string' || key === '' || key.includes('.'))
      throw new NablaError(
        'ModuleDict',
        `key ${JSON.stringify(key)} is not a valid module name`,
        "use a non-empty string without '.'",
      );
    this.#modules.set(key, checkModule('ModuleDict', module, `'${key}'`));
    return this;
  }

  /** Removes the module under `key`; returns whether there was one. */
  delete(key: string): boolean {
    return this.#modules.delete(key);
  }

  /** The keys, in insertion order. */
  keys(): string[] {
    return [...this.#modules.keys()];
  }

  /** The modules, in insertion order. */
  values(): Module[] {
    return [...this.#modules.values()];
  }

  /** [key, module] pairs, in insertion order. */
  entries(): [string, Module][] {
    return [...this.#modules];
  }

  /** [key, module] pairs (`for (const [name, m] of dict)`). */
  [Symbol.iterator](): Iterator<[string, Module]> {
    return this.#modules[Symbol.iterator]();
  }

  /** A ModuleDict is a container: call its modules' `forward`. */
  forward(): Variable {
    throw new NablaError(
      'ModuleDict',
      'has no forward of its own',
      "call a module's: this.heads.get('cls').forward(x)",
    );
  }
}
