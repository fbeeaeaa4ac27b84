import type { Primitives } from './composites.js';
import { arange, full, tensor } from './create.js';
import { checkMask } from './math.js';
import { scatterAdd } from './structured.js';
import { BackendError, ShapeError, fmtShape } from './errors.js';
import { normAxes, normAxis, sizeOf } from './shape.js';
import { type SliceSpec, Tensor } from './tensor.js';

// Indexing and rearranging, written once over the primitives for Tensor and Variable: everything
// is a slice, a reshape/expand or a gather, so it differentiates through their rules. Masks are
// bool (what comparisons give), as in PyTorch; indices are int32.

/** int32 indices or a bool mask: a Tensor (a Variable's values count), or numbers or booleans (an
 * array, a typed array). */
export type IndexLike =
  | Tensor
  | {
      /** The values of a Variable (autograd's), whose indices are its data. */
      readonly data: Tensor;
    }
  | ArrayLike<number>
  | ArrayLike<boolean>;

/** The Tensor behind an index or a mask (a Variable's data), or undefined for plain numbers. */
function tensorOf(x: unknown): Tensor | undefined {
  if (x instanceof Tensor) return x;
  const d = (x as { data?: unknown } | null)?.data;
  return d instanceof Tensor ? d : undefined;
}

/** `index` as an int32 Tensor on `backend`, negative entries counting from the end of `size`. */
function indexTensor(
  op: string,
  index: IndexLike,
  size: number,
  backend: Tensor['backend'],
): Tensor {
  const t =
    tensorOf(index) ?? tensor(Array.from(index as ArrayLike<number>), { dtype: 'int32', backend });
  if (t.dtype !== 'int32')
    throw new ShapeError(
      op,
      `indices must be int32, got ${t.dtype}`,
      t.dtype === 'bool' ? 'for a mask use maskedSelect' : "cast them: i.cast('int32')",
    );
  return t.where(t.ge(0), t.add(size));
}

/**
 * The values of a mask and its shape: read synchronously (the CPU), or given as numbers, which
 * mask axis 0 of `x` (as many as its first size) or every element (as many as its size).
 */
function maskValues(
  op: string,
  mask: unknown,
  x: readonly number[],
): { values: ArrayLike<number | boolean>; shape: number[] } {
  const t = tensorOf(mask);
  if (!t) {
    const values = mask as ArrayLike<number | boolean>;
    const n = values.length;
    return { values, shape: n === x[0] || n !== sizeOf(x) ? [n] : [...x] };
  }
  checkMask(op, 'mask', t);
  if (!t.backend.readSync)
    throw new BackendError(
      op,
      `the result's shape depends on the mask's values, which backend '${t.backend.name}' cannot read synchronously`,
      `read them first: x.${op}(await mask.data())`,
    );
  return { values: t.dataSync(), shape: [...t.shape] };
}

/** One string of `at`: ':' or 'start:stop:step' (each part optional) keeps a range; '2' picks. */
function parseSpec(op: string, s: string): SliceSpec {
  const parts = s.split(':').map((p) => p.trim());
  const num = (p: string | undefined): number | null => {
    if (p === undefined || p === '') return null;
    const v = Number(p);
    if (!Number.isInteger(v))
      throw new ShapeError(op, `'${s}' is not a slice: '${p}' is not an integer`);
    return v;
  };
  if (parts.length === 1) {
    const v = num(parts[0]);
    if (v === null) throw new ShapeError(op, `'${s}' is not a slice`, "use ':' for a whole axis");
    return v;
  }
  if (parts.length > 3)
    throw new ShapeError(op, `'${s}' is not a slice`, "write 'start:stop:step'");
  return [num(parts[0]), num(parts[1]), num(parts[2])];
}

/** The axis `axis` of `shape` sized `k`, the others 1: how a 1-D index broadcasts along an axis. */
const along = (rank: number, axis: number, k: number): number[] =>
  Array.from({ length: rank }, (_, i) => (i === axis ? k : 1));

/** The composites of this file, installed as methods of Tensor and Variable. */
export const INDEXING = {
  /** The slices at int32 `index` (1-D) along `axis`: PyTorch's `index_select`. */
  indexSelect<T extends Primitives<T>>(x: T, axis: number, index: IndexLike): T {
    const ax = normAxis('indexSelect', axis, x.shape.length);
    const idx = indexTensor('indexSelect', index, x.shape[ax]!, x.backend);
    if (idx.shape.length !== 1)
      throw new ShapeError(
        'indexSelect',
        `index must be 1-D, got ${fmtShape(idx.shape)}`,
        'or use index()',
      );
    const k = idx.shape[0]!;
    const full = x.shape.map((d, i) => (i === ax ? k : d));
    return x.gather(ax, idx.reshape(along(x.shape.length, ax, k)).expand(full));
  },
  /** PyTorch's `x[idx]`: integer-array indexing along axis 0 (the result is [...idx.shape,
   * ...x.shape[1:]]), or with a bool mask (or booleans) `maskedSelect`. */
  index<T extends Primitives<T>>(x: T, index: IndexLike): T {
    const t = tensorOf(index);
    if (t ? t.dtype === 'bool' : typeof (index as ArrayLike<unknown>)[0] === 'boolean')
      return INDEXING.maskedSelect(x, index);
    if (x.shape.length === 0) throw new ShapeError('index', 'a 0-d tensor has no axis to index');
    const idx = indexTensor('index', index, x.shape[0]!, x.backend);
    const picked = INDEXING.indexSelect(x, 0, idx.reshape([-1]));
    return picked.reshape([...idx.shape, ...x.shape.slice(1)]);
  },
  /**
   * Boolean-mask indexing, PyTorch's `x[mask]`: the elements (or, for a mask over leading axes,
   * the slices) where bool `mask` is true, in row-major order. The result's shape depends on the
   * mask's values, so a mask on the GPU is read first (`x.maskedSelect(await mask.data())`).
   */
  maskedSelect<T extends Primitives<T>>(x: T, mask: IndexLike): T {
    const { values, shape } = maskValues('maskedSelect', mask, x.shape);
    const lead = x.shape.slice(0, shape.length);
    if (shape.length > x.shape.length || shape.some((d, i) => d !== lead[i]))
      throw new ShapeError(
        'maskedSelect',
        `mask ${fmtShape(shape)} does not match the leading axes of ${fmtShape(x.shape)}`,
      );
    const at: number[] = [];
    for (let i = 0; i < values.length; i++) if (values[i]) at.push(i);
    const flat = x.reshape([sizeOf(shape), ...x.shape.slice(shape.length)]);
    return INDEXING.indexSelect(flat, 0, at);
  },
  /** `value` where bool `mask` is true, this elsewhere (PyTorch's `masked_fill`); `mask` broadcasts. */
  maskedFill<T extends Primitives<T>>(x: T, mask: T | Tensor, value: T | number): T {
    checkMask('maskedFill', 'mask', mask);
    return x.where(mask.eq(0), value);
  },
  /**
   * This with `src` written at `index` along `axis` (PyTorch's `scatter`, out of place):
   * out[i][index[i][j]] = src[i][j] for axis 1. Where an index repeats, the values are summed
   * (PyTorch leaves that case undefined).
   */
  scatter<T extends Primitives<T>>(x: T, axis: number, index: T | Tensor, src: T | number): T {
    const backend = x.backend;
    index = tensorOf(index)!;
    const hits = scatterAdd(
      x.shape,
      axis,
      index,
      full(index.shape, 1, { dtype: 'int32', backend }),
    );
    const from =
      typeof src === 'number' ? full(index.shape, src, { dtype: x.dtype, backend }) : src;
    const placed = x.where(hits.lt(0), 0).scatterAdd(axis, index, from); // zeros, then src
    return x.where(hits.eq(0), placed);
  },
  /**
   * Readable slicing, one argument per axis as in Python: `x.at(':', '1:3', 0)` is `x[:, 1:3, 0]`.
   * A number or an integer string picks an index (the axis goes), ':' or 'start:stop:step' keeps a
   * range (negative values count from the end; steps are positive), '...' stands for the axes in
   * between. A view, differentiable.
   */
  at<T extends Primitives<T>>(x: T, ...specs: (string | number | null)[]): T {
    const rank = x.shape.length;
    const dots = specs.filter((s) => s === '...').length;
    if (dots > 1) throw new ShapeError('at', "'...' may appear once");
    const out: SliceSpec[] = [];
    for (const s of specs) {
      if (s === '...') for (let i = 0; i < rank - (specs.length - 1); i++) out.push(null);
      else out.push(typeof s === 'string' ? parseSpec('at', s) : s);
    }
    if (out.length > rank)
      throw new ShapeError(
        'at',
        `${out.length} indices for a tensor of rank ${rank} ${fmtShape(x.shape)}`,
      );
    return x.slice(out);
  },
  /** Reversed along `axes` (PyTorch's `flip(dims)`): a copy. */
  flip<T extends Primitives<T>>(x: T, axes: number | readonly number[]): T {
    let y = x;
    for (const a of normAxes('flip', axes, x.shape.length)) {
      const n = x.shape[a]!;
      y = INDEXING.indexSelect(y, a, arange(n - 1, -1, -1, { backend: x.backend }));
    }
    return y;
  },
  /**
   * Rolled by `shifts` along `axes` (elements leaving one end come in at the other), PyTorch's
   * `roll`; without axes the flattened tensor is rolled and reshaped back.
   */
  roll<T extends Primitives<T>>(
    x: T,
    shifts: number | readonly number[],
    axes?: number | readonly number[],
  ): T {
    if (axes === undefined)
      return INDEXING.roll(
        x.reshape([-1]),
        typeof shifts === 'number' ? shifts : shifts[0]!,
        0,
      ).reshape(x.shape);
    const ax = (typeof axes === 'number' ? [axes] : axes).map((a) =>
      normAxis('roll', a, x.shape.length),
    );
    const sh = typeof shifts === 'number' ? ax.map(() => shifts) : [...shifts];
    if (sh.length !== ax.length)
      throw new ShapeError(
        'roll',
        `${sh.length} shifts for ${ax.length} axes`,
        'give one shift per axis',
      );
    let y = x;
    ax.forEach((a, i) => {
      const n = x.shape[a]!;
      if (n === 0) return;
      const s = ((sh[i]! % n) + n) % n;
      const from = Array.from({ length: n }, (_, j) => (j - s + n) % n);
      y = INDEXING.indexSelect(y, a, from);
    });
    return y;
  },
  /** The lower triangle of the last two axes (j − i ≤ k), zeros above: PyTorch's `tril`. */
  tril<T extends Primitives<T>>(x: T, k = 0): T {
    return x.where(triangle('tril', x, k, true), 0);
  },
  /** The upper triangle of the last two axes (j − i ≥ k), zeros below: PyTorch's `triu`. */
  triu<T extends Primitives<T>>(x: T, k = 0): T {
    return x.where(triangle('triu', x, k, false), 0);
  },
  /**
   * Views of consecutive pieces along `axis`: of `size` each (the last may be smaller), or of the
   * sizes listed (PyTorch's `split`).
   */
  split<T extends Primitives<T>>(x: T, size: number | readonly number[], axis = 0): T[] {
    const ax = normAxis('split', axis, x.shape.length);
    const n = x.shape[ax]!;
    let sizes: number[];
    if (typeof size === 'number') {
      if (!Number.isInteger(size) || size < 1)
        throw new ShapeError('split', `size ${size} must be a positive integer`);
      sizes = Array.from({ length: Math.max(1, Math.ceil(n / size)) }, (_, i) =>
        Math.min(size, n - i * size),
      );
    } else sizes = [...size];
    if (sizes.reduce((a, b) => a + b, 0) !== n || sizes.some((s) => !Number.isInteger(s) || s < 0))
      throw new ShapeError(
        'split',
        `sizes [${sizes.join(',')}] do not add up to ${n}, the size of axis ${ax}`,
      );
    let start = 0;
    return sizes.map((s) => {
      const piece = x.slice(x.shape.map((_, i) => (i === ax ? [start, start + s] : null)));
      start += s;
      return piece;
    });
  },
  /** `chunks` pieces along `axis` of ⌈size / chunks⌉ each (fewer if that covers it): PyTorch's `chunk`. */
  chunk<T extends Primitives<T>>(x: T, chunks: number, axis = 0): T[] {
    const ax = normAxis('chunk', axis, x.shape.length);
    if (!Number.isInteger(chunks) || chunks < 1)
      throw new ShapeError('chunk', `chunks ${chunks} must be a positive integer`);
    return INDEXING.split(x, Math.max(1, Math.ceil(x.shape[ax]! / chunks)), ax);
  },
  /**
   * Repeated `reps[i]` times along each axis (PyTorch's `repeat`): `reps` has at least this
   * tensor's rank; extra leading entries add axes. A copy.
   */
  repeat<T extends Primitives<T>>(x: T, ...reps: number[]): T {
    const r = reps.length;
    if (r < x.shape.length)
      throw new ShapeError(
        'repeat',
        `${r} repeats for a tensor of rank ${x.shape.length}`,
        'give one per axis (or use tile)',
      );
    const shape = [...Array<number>(r - x.shape.length).fill(1), ...x.shape];
    const inter = shape.flatMap((d) => [1, d]);
    const big = shape.flatMap((d, i) => [reps[i]!, d]);
    return x
      .reshape(inter)
      .expand(big)
      .reshape(shape.map((d, i) => d * reps[i]!));
  },
  /** Repeated along each axis, NumPy's and PyTorch's `tile`: fewer `reps` than axes repeat the last axes. */
  tile<T extends Primitives<T>>(x: T, ...reps: number[]): T {
    const pad = Math.max(0, x.shape.length - reps.length);
    return INDEXING.repeat(x, ...Array<number>(pad).fill(1), ...reps);
  },
};

/** true (bool) on the kept triangle of `x`'s last two axes. */
function triangle<T extends Primitives<T>>(op: string, x: T, k: number, lower: boolean): Tensor {
  if (x.shape.length < 2)
    throw new ShapeError(op, `needs at least 2 axes, got ${fmtShape(x.shape)}`);
  const [n, m] = x.shape.slice(-2) as [number, number];
  const d = arange(m, undefined, 1, { backend: x.backend })
    .reshape([1, m])
    .sub(arange(n, undefined, 1, { backend: x.backend }).reshape([n, 1]));
  return lower ? d.le(k) : d.ge(k);
}

/** The methods `INDEXING` gives Tensor (`T = Tensor`) and Variable (`T = Variable`). */
export interface IndexingMethods<T> {
  /** The slices at int32 `index` (1-D) along `axis` (PyTorch's `index_select`). */
  indexSelect(axis: number, index: IndexLike): T;
  /** Integer-array indexing along axis 0 (PyTorch's `x[idx]`). */
  index(index: IndexLike): T;
  /** Boolean-mask indexing (PyTorch's `x[mask]`): the elements or slices where bool `mask` is true. */
  maskedSelect(mask: IndexLike): T;
  /** `value` where bool `mask` is true (PyTorch's `masked_fill`). */
  maskedFill(mask: T | Tensor, value: T | number): T;
  /** `src` written at `index` along `axis` (PyTorch's `scatter`, out of place). */
  scatter(axis: number, index: T | Tensor, src: T | number): T;
  /** Python-style slicing: `x.at(':', '1:3', 0)` is `x[:, 1:3, 0]`. */
  at(...specs: (string | number | null)[]): T;
  /** Reversed along `axes`. */
  flip(axes: number | readonly number[]): T;
  /** Rolled by `shifts` along `axes` (the flattened tensor without axes). */
  roll(shifts: number | readonly number[], axes?: number | readonly number[]): T;
  /** The lower triangle of the last two axes (diagonal offset `k`). */
  tril(k?: number): T;
  /** The upper triangle of the last two axes (diagonal offset `k`). */
  triu(k?: number): T;
  /** Pieces along `axis` of `size` each, or of the sizes listed. */
  split(size: number | readonly number[], axis?: number): T[];
  /** `chunks` roughly equal pieces along `axis`. */
  chunk(chunks: number, axis?: number): T[];
  /** Repeated `reps[i]` times along each axis (PyTorch's `repeat`). */
  repeat(...reps: number[]): T;
  /** Repeated along the last axes (NumPy's `tile`). */
  tile(...reps: number[]): T;
}
