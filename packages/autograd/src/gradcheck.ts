import { NablaError, type Tensor, tensor } from '@nablajs/tensor';
import { grad } from './engine.js';
import { concat } from './functions.js';
import { Variable } from './variable.js';

/** Options of `gradcheck` and `gradgradcheck`; the defaults suit float64 inputs. */
export interface GradcheckOptions {
  /** Finite-difference step. */
  eps?: number;
  /**
   * Absolute tolerance: an entry passes when |analytical − numerical| ≤ atol + rtol·|numerical|.
   */
  atol?: number;
  /** Relative tolerance (see `atol`). */
  rtol?: number;
}

/** Raised when analytical and numerical derivatives disagree; the message locates the entry. */
export class GradcheckError extends NablaError {}

function flat(t: Tensor): Float64Array {
  return Float64Array.from(t.dataSync());
}

/**
 * Compares the Jacobian that autograd computes for `fn` at `inputs` with central finite differences,
 * entry by entry (`|a − n| ≤ atol + rtol·|n|`). Use float64 inputs on the CPU backend. Returns true,
 * or throws a GradcheckError naming the input, the output entry and both values.
 */
export function gradcheck(
  fn: (...xs: Variable[]) => Variable,
  inputs: readonly Variable[],
  opts: GradcheckOptions = {},
): true {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3 } = opts;
  const out = fn(...inputs);
  const nOut = out.size;
  const wrt = inputs.filter((v) => v.requiresGrad);
  // analytical: one backward per output entry; an output that no input's grad reaches (a linear
  // function's gradient, in gradgradcheck) has a zero Jacobian
  const analytical = wrt.map((v) => new Float64Array(nOut * v.size));
  for (let j = 0; out.requiresGrad && j < nOut; j++) {
    const seed = new Float64Array(nOut);
    seed[j] = 1;
    const gs = grad(out, wrt, {
      gradOutputs: [
        tensor(seed, { shape: out.shape, dtype: out.dtype, backend: out.data.backend }),
      ],
      retainGraph: true,
      allowUnused: true,
    });
    gs.forEach((g, k) => analytical[k]!.set(flat(g.data), j * wrt[k]!.size));
  }
  // numerical: perturb each input entry both ways
  const values = inputs.map((v) => flat(v.data));
  const evaluate = (k: number, i: number, delta: number): Float64Array => {
    const args = inputs.map((v, m) => {
      if (m !== k) return v;
      const data = values[m]!.slice();
      data[i]! += delta;
      return new Variable(
        tensor(data, { shape: v.shape, dtype: v.dtype, backend: v.data.backend }),
        v.requiresGrad,
      );
    });
    return flat(fn(...args).data);
  };
  wrt.forEach((v, k) => {
    const m = inputs.indexOf(v);
    for (let i = 0; i < v.size; i++) {
      const plus = evaluate(m, i, eps);
      const minus = evaluate(m, i, -eps);
      for (let j = 0; j < nOut; j++) {
        const n = (plus[j]! - minus[j]!) / (2 * eps);
        const a = analytical[k]![j * v.size + i]!;
        if (!(Math.abs(a - n) <= atol + rtol * Math.abs(n)))
          throw new GradcheckError(
            'gradcheck',
            `d output[${j}] / d input ${m}[${i}]: autograd gives ${a}, finite differences ${n}`,
            `tolerance atol=${atol} rtol=${rtol}`,
          );
      }
    }
  });
  return true;
}

/**
 * Checks second derivatives: gradcheck of x ↦ ∇ₓ Σ w·fn(x) (computed with `createGraph`), for a
 * fixed random-looking weighting w.
 */
export function gradgradcheck(
  fn: (...xs: Variable[]) => Variable,
  inputs: readonly Variable[],
  opts: GradcheckOptions = {},
): true {
  const probe = fn(...inputs);
  const w = tensor(
    Array.from({ length: probe.size }, (_, i) => 0.5 + ((i * 0.618) % 1)),
    { shape: probe.shape, dtype: probe.dtype, backend: probe.data.backend },
  );
  const gradFn = (...xs: Variable[]) => {
    const wrt = xs.filter((x) => x.requiresGrad);
    const gs = grad(
      fn(...xs)
        .mul(w)
        .sum(),
      wrt,
      { createGraph: true, allowUnused: true },
    );
    return concat(gs.map((g) => g.reshape([-1])));
  };
  return gradcheck(gradFn, inputs, opts);
}
