import type { Primitives } from './composites.js';
import { ShapeError, fmtShape } from './errors.js';
import { sizeOf } from './shape.js';

/** An operand with the letter of each of its axes. */
interface Term<T> {
  x: T;
  letters: string[];
}

/** Sums away the axes of `t` whose letters are not in `keep`. */
function sumAway<T extends Primitives<T>>(t: Term<T>, keep: Set<string>): Term<T> {
  const axes = t.letters.flatMap((l, i) => (keep.has(l) ? [] : [i]));
  if (!axes.length) return t;
  return { x: t.x.sum(axes), letters: t.letters.filter((l) => keep.has(l)) };
}

/** `t` with its axes in the order of `letters`. */
function arrange<T extends Primitives<T>>(t: Term<T>, letters: readonly string[]): T {
  const order = letters.map((l) => t.letters.indexOf(l));
  return order.every((a, i) => a === i) ? t.x : t.x.permute(...order);
}

/** Two operands contracted into one term that keeps the letters of `keep`: one batched matmul. */
function pair<T extends Primitives<T>>(
  a: Term<T>,
  b: Term<T>,
  keep: Set<string>,
  size: Map<string, number>,
): Term<T> {
  const inB = new Set(b.letters);
  const inA = new Set(a.letters);
  a = sumAway(a, new Set([...keep, ...inB]));
  b = sumAway(b, new Set([...keep, ...inA]));
  const batch = a.letters.filter((l) => inB.has(l) && keep.has(l));
  const contract = a.letters.filter((l) => inB.has(l) && !keep.has(l));
  const left = a.letters.filter((l) => !inB.has(l));
  const right = b.letters.filter((l) => !inA.has(l));
  const n = (ls: string[]) => sizeOf(ls.map((l) => size.get(l)!));
  const A = arrange(a, [...batch, ...left, ...contract]).reshape([n(batch), n(left), n(contract)]);
  const B = arrange(b, [...batch, ...contract, ...right]).reshape([
    n(batch),
    n(contract),
    n(right),
  ]);
  const dims = [...batch, ...left, ...right];
  return { x: A.matmul(B).reshape(dims.map((l) => size.get(l)!)), letters: dims };
}

/**
 * Einstein summation, as `torch.einsum` for the common cases: `'ij,jk->ik'` (matmul),
 * `'bij,bjk->bik'` (batched), `'i,i->'` (dot), `'i,j->ij'` (outer), `'ij->ji'` (transpose),
 * `'ij->j'` (sums), `'bhqd,bhkd->bhqk'` (attention scores), any number of operands (contracted left
 * to right, each pair one batched matmul). Without `->` the output is the letters used once, in
 * alphabetical order (NumPy's implicit mode). Repeated letters within one operand (traces,
 * diagonals) and `...` are not supported. Works on Tensors and on Variables (differentiable).
 */
export function einsum<T extends Primitives<T>>(equation: string, ...operands: T[]): T {
  const op = 'einsum';
  const eq = equation.replace(/\s+/g, '');
  if (eq.includes('.'))
    throw new ShapeError(
      op,
      `'...' is not supported in '${equation}'`,
      'name every axis with a letter',
    );
  const [lhs, rhs] = eq.split('->') as [string, string | undefined];
  const specs = lhs.split(',');
  if (specs.length !== operands.length)
    throw new ShapeError(
      op,
      `'${equation}' names ${specs.length} operands, got ${operands.length}`,
    );
  const size = new Map<string, number>();
  const counts = new Map<string, number>();
  const terms: Term<T>[] = specs.map((spec, k) => {
    const letters = [...spec];
    const x = operands[k]!;
    if (letters.some((l) => !/[a-zA-Z]/.test(l)))
      throw new ShapeError(op, `'${spec}' must be letters, one per axis`);
    if (letters.length !== x.shape.length)
      throw new ShapeError(
        op,
        `operand ${k} is ${fmtShape(x.shape)}, but '${spec}' names ${letters.length} axes`,
      );
    if (new Set(letters).size !== letters.length)
      throw new ShapeError(
        op,
        `'${spec}' repeats a letter (a trace or diagonal)`,
        'not supported: take the diagonal first',
      );
    letters.forEach((l, i) => {
      const d = x.shape[i]!;
      if (size.has(l) && size.get(l) !== d)
        throw new ShapeError(
          op,
          `'${l}' is ${size.get(l)} in one operand and ${d} in operand ${k}`,
        );
      size.set(l, d);
      counts.set(l, (counts.get(l) ?? 0) + 1);
    });
    return { x, letters };
  });
  const out =
    rhs === undefined
      ? [...counts]
          .filter(([, c]) => c === 1)
          .map(([l]) => l)
          .sort()
      : [...rhs];
  for (const l of out)
    if (!size.has(l))
      throw new ShapeError(op, `output letter '${l}' names no input axis in '${equation}'`);
  if (new Set(out).size !== out.length)
    throw new ShapeError(op, `the output '${rhs}' repeats a letter`);
  let acc = terms[0]!;
  for (let k = 1; k < terms.length; k++) {
    const later = new Set([...out, ...terms.slice(k + 1).flatMap((t) => t.letters)]);
    acc = pair(acc, terms[k]!, later, size);
  }
  return arrange(sumAway(acc, new Set(out)), out);
}
