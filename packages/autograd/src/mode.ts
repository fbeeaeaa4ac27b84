let enabled = true;

/** Whether operations on Variables record the graph now. */
export function isGradEnabled(): boolean {
  return enabled;
}

/** Runs `fn` with graph recording switched on or off, restoring the previous mode after. */
export function withGradMode<R>(on: boolean, fn: () => R): R {
  const prev = enabled;
  enabled = on;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}

/**
 * Runs `fn` without recording the graph (like `torch.no_grad()`): for evaluation and manual
 * parameter updates. Synchronous: an `await` inside `fn` would leave the mode to other code.
 */
export function noGrad<R>(fn: () => R): R {
  return withGradMode(false, fn);
}

/** Runs `fn` with graph recording on, even inside `noGrad` (PyTorch's `enable_grad`). */
export function enableGrad<R>(fn: () => R): R {
  return withGradMode(true, fn);
}
