import { Variable, noGrad } from '@nablajs/autograd';
import { Module } from '@nablajs/nn';
import { NablaError, normAxis, tensor } from '@nablajs/tensor';

/** Parameters: a module's, or any Variables. */
export type Params = Module | Iterable<Variable>;

function list(op: string, params: Params): Variable[] {
  const out = params instanceof Module ? params.parameters() : [...params];
  if (!out.every((p) => p instanceof Variable))
    throw new NablaError(op, 'expects a Module or Variables (e.g. model.parameters())');
  return out;
}

/** A strength or rate: a finite number ≥ 0 (NaN would silently turn every weight into NaN). */
function checkRate(op: string, name: string, v: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
    throw new NablaError(op, `${name} must be a finite number ≥ 0, got ${String(v)}`);
  return v;
}

function zeroLike(op: string, ps: Variable[]): Variable {
  if (ps.length === 0) throw new NablaError(op, 'got no parameters');
  return new Variable(tensor(0, { dtype: ps[0]!.dtype, backend: ps[0]!.data.backend }));
}

/**
 * The L2 penalty λ/2·‖θ‖² = λ/2·Σ θ² over all parameters, to add to the loss: its gradient is λθ,
 * so SGD on loss + penalty is SGD with weight decay λ (the lecture's Gaussian prior N(0, 1/λ)).
 * Usually only weights are penalized: pass them, e.g. `params.filter((p) => p.rank > 1)`.
 */
export function l2Penalty(params: Params, lambda: number): Variable {
  checkRate('l2Penalty', 'lambda', lambda);
  const ps = list('l2Penalty', params);
  return ps.reduce((s, p) => s.add(p.square().sum()), zeroLike('l2Penalty', ps)).mul(lambda / 2);
}

/** The L1 penalty λ·Σ|θ| (a Laplace prior): its (sub)gradient λ·sign(θ) drives weights to exactly 0. */
export function l1Penalty(params: Params, lambda: number): Variable {
  checkRate('l1Penalty', 'lambda', lambda);
  const ps = list('l1Penalty', params);
  return ps.reduce((s, p) => s.add(p.abs().sum()), zeroLike('l1Penalty', ps)).mul(lambda);
}

/**
 * Decoupled weight decay (Loshchilov & Hutter, AdamW): θ ← θ − lr·wd·θ = (1 − lr·wd)·θ, in place,
 * apart from the gradient step. With plain SGD, this then `θ ← θ − lr·∇` is the lecture's update
 * θ ← (1 − ηλ)θ − η∇ (whose slide prints 1 + ηλ, a sign typo).
 */
export function decoupledWeightDecay(params: Params, lr: number, weightDecay: number): void {
  const op = 'decoupledWeightDecay';
  const factor = 1 - checkRate(op, 'lr', lr) * checkRate(op, 'weightDecay', weightDecay);
  noGrad(() => {
    for (const p of list(op, params)) p.data.assign(p.data.mul(factor));
  });
}

/**
 * Max-norm (Srivastava et al. 2014): rescales, in place, each slice of a weight along `axis` whose L2
 * norm exceeds `maxNorm` back to `maxNorm` (like `torch.renorm(w, 2, axis, maxNorm)`). For a Linear
 * weight [out, in] and `axis` 0, each slice is one unit's incoming weights. Parameters of rank < 2
 * (biases) are left alone. Returns how many slices were rescaled (NaN on a backend that cannot read
 * synchronously, where counting would need a read).
 */
export function maxNorm(params: Params, maxNorm: number, axis = 0): number {
  const op = 'maxNorm';
  if (!(maxNorm >= 0)) throw new NablaError(op, `maxNorm must be ≥ 0, got ${maxNorm}`);
  let clipped = 0;
  noGrad(() => {
    for (const p of list(op, params)) {
      if (p.rank < 2) continue;
      const ax = normAxis(op, axis, p.rank);
      const others = Array.from({ length: p.rank }, (_, i) => i).filter((i) => i !== ax);
      const norms = p.data.square().sum(others, true).sqrt();
      const over = norms.gt(maxNorm);
      // torch.renorm's scale: maxNorm / (norm + 1e-7) where the norm is too large, else 1
      const scale = over.cast(p.dtype).mul(norms.add(1e-7).reciprocal().mul(maxNorm).sub(1)).add(1);
      p.data.assign(p.data.mul(scale));
      clipped += p.data.backend.readSync ? over.sum().dataSync()[0]! : NaN;
    }
  });
  return clipped;
}
