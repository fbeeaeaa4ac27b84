import { BackendError } from '@nablajs/tensor';
import { GROUPS_WORD, type Layout, fbits, indexCode, layoutWords } from './wgsl.js';

/** How a parameter word is read in WGSL: as u32 (`w`), i32 (`wi`) or float bits (`wf`). */
export type WordType = 'u32' | 'i32' | 'f32';

/** A run of `length` words of one type (offsets, a shape, scalars). */
export interface Words {
  type: WordType;
  length: number;
}

/** A strided layout of `views` views over `rank` axes: `coalesce` makes it, `Params.index` reads it. */
export interface Strided {
  rank: number;
  views: number;
}

/** A field of a kernel's parameters: one word, a run of words, or a strided layout. */
export type Field = WordType | Words | Strided;

/** `length` words of type `type`. */
export const words = (type: WordType, length: number): Words => ({ type, length });
/** A strided layout of `views` views over `rank` axes. */
export const strided = (rank: number, views: number): Strided => ({ rank, views });

/** What `Params.pack` takes for a field: a number (f32 ones as numbers, not bits), numbers, a layout. */
export type FieldValue<F extends Field> = F extends WordType
  ? number
  : F extends Words
    ? readonly number[]
    : Layout;

/** The fields of `S` that are one word. */
type WordName<S> = { [K in keyof S]: S[K] extends WordType ? K : never }[keyof S] & string;

const READ: Record<WordType, string> = { u32: 'w', i32: 'wi', f32: 'wf' };

const width = (f: Field): number =>
  typeof f === 'string' ? 1 : 'length' in f ? f.length : f.rank + f.views * (f.rank + 1);

/**
 * A kernel's parameter words, declared once by name and in order: the host packs values with
 * `pack`, and the kernel's WGSL reads them with `lets` (`let M = w(0u);`), `get` and `index`, so
 * the two cannot disagree about a slot. A dispatch has `GROUPS_WORD` words for them.
 */
export class Params<S extends Record<string, Field>> {
  /** Words the fields take. */
  readonly size: number;
  private readonly slots: Record<string, number> = {};

  constructor(private readonly fields: S) {
    let at = 0;
    for (const [name, f] of Object.entries(fields)) {
      this.slots[name] = at;
      at += width(f);
    }
    if (at > GROUPS_WORD)
      throw new BackendError(
        'webgpu',
        `a kernel needs ${at} parameter words, more than the ${GROUPS_WORD} a dispatch has`,
        'tensors of this rank are too many axes for the WebGPU kernels: reshape them to fewer',
      );
    this.size = at;
  }

  /** The first word of field `name`. */
  at(name: keyof S & string): number {
    return this.slots[name]!;
  }

  /** WGSL that reads one-word field `name`, or word `i` of a run: `w(0u)`, `wi(5u)`, `wf(7u)`. */
  get(name: keyof S & string, i = 0): string {
    const f = this.fields[name]!;
    if (typeof f !== 'string' && !('length' in f && i < f.length))
      throw new RangeError(`parameter ${name} has no word ${i} to read alone`);
    const type = typeof f === 'string' ? (f as WordType) : f.type;
    return `${READ[type]}(${this.slots[name]! + i}u)`;
  }

  /** `let <name> = w(…);` for each one-word field named (`let M = w(0u); let N = w(1u);`). */
  lets(...names: WordName<S>[]): string {
    return names.map((n) => `let ${n} = ${this.get(n)};`).join(' ');
  }

  /** WGSL that sets `let <names[j]>: u32` to view j's element index in the strided layout `name`
   * for the linear id in the WGSL variable `id` (see `indexCode`). */
  index(name: keyof S & string, names: string[], id: string): string {
    const f = this.fields[name] as Strided;
    return indexCode(f.rank, f.views, this.slots[name]!, names, id);
  }

  /** The dispatch's parameter words. */
  pack(values: { [K in keyof S]: FieldValue<S[K]> }): number[] {
    const out = new Array<number>(this.size).fill(0);
    for (const [name, f] of Object.entries(this.fields)) {
      const at = this.slots[name]!;
      const v = values[name] as number | readonly number[] | Layout;
      if (typeof f === 'string') out[at] = word(f, v as number);
      else if ('length' in f) {
        const xs = v as readonly number[];
        if (xs.length > f.length) throw new RangeError(`parameter ${name} takes ${f.length} words`);
        xs.forEach((x, i) => (out[at + i] = word(f.type, x)));
      } else {
        const l = v as Layout;
        if (l.shape.length !== f.rank || l.views.length !== f.views)
          throw new RangeError(`parameter ${name} is a layout of rank ${f.rank}, ${f.views} views`);
        layoutWords(l).forEach((x, i) => (out[at + i] = x));
      }
    }
    return out;
  }
}

/** A value as the word WGSL reads: float bits for f32; integers as they are (the uniform buffer is
 * a Uint32Array, which stores a negative i32 as its two's complement). */
const word = (type: WordType, x: number): number => (type === 'f32' ? fbits(x) : x);
