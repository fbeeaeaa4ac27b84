import {
  DTypeError,
  type ScanOp,
  type TensorRef,
  type TypedArray,
  contiguousStrides,
  sizeOf,
} from '@nablajs/tensor';
import { alloc } from './alloc.js';

type Ref = TensorRef<TypedArray>;

/**
 * Visits every line of `x` along `axis`: the offset of its first element in x's storage and in a
 * row-major output of x's shape, and the strides along the line in each.
 */
function lines(x: Ref, axis: number, visit: (xo: number, oo: number) => void): void {
  const outStrides = contiguousStrides(x.shape);
  const others = x.shape.map((_, i) => i).filter((i) => i !== axis);
  if (sizeOf(x.shape) === 0) return;
  const idx = others.map(() => 0);
  for (;;) {
    let xo = x.offset;
    let oo = 0;
    others.forEach((a, k) => {
      xo += idx[k]! * x.strides[a]!;
      oo += idx[k]! * outStrides[a]!;
    });
    visit(xo, oo);
    let k = others.length - 1;
    while (k >= 0 && ++idx[k]! === x.shape[others[k]!]!) idx[k--] = 0;
    if (k < 0) return;
  }
}

/** The running sum or product along `axis`; an int32 sum is checked against int32's range. */
export function scan(op: ScanOp, x: Ref, axis: number): TypedArray {
  const o = alloc(x.dtype, sizeOf(x.shape));
  const n = x.shape[axis]!;
  const sx = x.strides[axis]!;
  const so = contiguousStrides(x.shape)[axis]!;
  const xs = x.storage;
  const checked = x.dtype === 'int32';
  lines(x, axis, (xo, oo) => {
    let acc = op === 'cumsum' ? 0 : 1;
    for (let i = 0; i < n; i++) {
      const v = xs[xo + i * sx]!;
      acc = op === 'cumsum' ? acc + v : acc * v;
      if (checked && (acc > 2147483647 || acc < -2147483648))
        throw new DTypeError(
          op,
          `the int32 running sum reaches ${acc}, which does not fit int32 (it would wrap)`,
          "cast to 'float64' (or 'float32') first",
        );
      o[oo + i * so] = acc;
    }
  });
  return o;
}

/** Stable sort positions along `axis`; NaN after every number (first when `descending`). */
export function argsort(x: Ref, axis: number, descending: boolean): TypedArray {
  const o = alloc('int32', sizeOf(x.shape));
  const n = x.shape[axis]!;
  const sx = x.strides[axis]!;
  const so = contiguousStrides(x.shape)[axis]!;
  const xs = x.storage;
  const vals = new Float64Array(n);
  const order = Array.from({ length: n }, (_, i) => i);
  const sign = descending ? -1 : 1;
  // NaN ranks above +∞; Array.prototype.sort is stable, so ties keep their positions
  const cmp = (a: number, b: number): number => {
    const [p, q] = [vals[a]!, vals[b]!];
    if (p !== p || q !== q) return p !== p ? (q !== q ? 0 : sign) : -sign;
    return p < q ? -sign : p > q ? sign : 0;
  };
  lines(x, axis, (xo, oo) => {
    for (let i = 0; i < n; i++) {
      vals[i] = xs[xo + i * sx]!;
      order[i] = i;
    }
    order.sort(cmp);
    for (let i = 0; i < n; i++) o[oo + i * so] = order[i]!;
  });
  return o;
}
