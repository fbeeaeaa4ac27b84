import type { Variable } from '@nablajs/autograd';
import type { Input, Module } from './module.js';

/** Called before `forward` with the module and its inputs; may return inputs to use instead. */
export type ForwardPreHook = (module: Module, inputs: Input[]) => Input[] | void;
/** Called after `forward` with the module, its inputs and its output; may return another output. */
export type ForwardHook = (module: Module, inputs: Input[], output: Variable) => Variable | void;

interface Hooks {
  pre: ForwardPreHook[];
  post: ForwardHook[];
}

const HOOKS = new WeakMap<Module, Hooks>();

/**
 * Adds a forward hook to `module`. The first one replaces the instance's `forward` by a wrapper (a
 * non-enumerable own property, so it is neither a parameter nor a submodule) that runs the
 * pre-hooks, the class's `forward`, then the hooks, as PyTorch's `__call__` does; `model.forward(x)`
 * runs them. Returns a function that removes the hook.
 */
export function addForwardHook<K extends keyof Hooks>(
  module: Module,
  kind: K,
  hook: Hooks[K][number],
): () => void {
  let hooks = HOOKS.get(module);
  if (!hooks) {
    const h: Hooks = { pre: [], post: [] };
    HOOKS.set(module, (hooks = h));
    const forward = module.forward.bind(module);
    Object.defineProperty(module, 'forward', {
      configurable: true,
      writable: true,
      enumerable: false,
      value: (...inputs: Input[]): Variable => {
        for (const pre of [...h.pre]) inputs = pre(module, inputs) ?? inputs;
        let out = forward(...inputs);
        for (const post of [...h.post]) out = post(module, inputs, out) ?? out;
        return out;
      },
    });
  }
  const list = hooks[kind] as Hooks[K][number][];
  list.push(hook);
  return () => {
    const i = list.indexOf(hook);
    if (i >= 0) list.splice(i, 1);
  };
}
