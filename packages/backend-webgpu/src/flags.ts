import { DTypeError, IndexError, type NablaError } from '@nablajs/tensor';

/**
 * Index errors found by kernels (`gather`, `scatterAdd`, cross-entropy labels), attributed to the
 * tensors computed from them — the host-side half of "an error belongs to the tensor that caused
 * it" (README, "Errors").
 *
 * Every dispatch of a kernel that can flag gets an id and a 4-word slot of the flags buffer (slot =
 * id mod SLOTS; the kernel reads it from parameter word `FLAG_WORD`) into which it writes
 * `[1, k, size, 0]` when it meets a bad index. Each storage carries a taint: the ids of the
 * flagging dispatches it may depend on, propagated by `Runtime.dispatch` from a kernel's inputs to
 * its outputs. A read copies the slots of every id recorded since the previous read (and clears
 * them); once the GPU has run, those ids are resolved — failed or clean — and the read raises when
 * the storage it reads depends on a failed one. Resolved clean ids are dropped from taints as they
 * are met, so a training loop that reads now and then keeps taints empty.
 *
 * Cost: nothing for a kernel that cannot flag while every flagging dispatch is resolved clean (the
 * usual state after a read), else one WeakMap lookup per input binding; a read copies 16 bytes per
 * flagging dispatch since the last read. Two bounds keep the bookkeeping small between reads, each
 * an over-approximation only when an error did happen:
 * a taint of more than `MAX_IDS` ids becomes a range of ids (a parameter updated by a thousand
 * unread steps depends on "any of them"), and more than `SLOTS` flagging dispatches between two
 * reads share slots (a flag then counts for every id of its slot).
 */

/** Slots of the flags buffer: 16 bytes each. */
export const SLOTS = 4096;
/** Words of one slot. */
export const SLOT_WORDS = 4;
import { FLAG_WORD } from './wgsl.js';
export { FLAG_WORD };
/** Ids a taint lists one by one before it becomes a range. */
const MAX_IDS = 16;

/**
 * WGSL that records a bad index `k` on an axis of size `size` (both i32 expressions) in the
 * dispatch's slot of the `flags` binding.
 */
export function flagCode(k: string, size: string): string {
  return `{ let fs = w(${FLAG_WORD}u) * ${SLOT_WORDS}u; flags[fs] = 1; flags[fs + 1u] = ${k}; flags[fs + 2u] = ${size}; }`;
}

/** What the ids of a storage's taint say: it depends on each of `ids`, and possibly on any id in
 * `lo..hi` (empty when lo > hi). `at`: the resolved watermark it was last pruned at. */
interface Taint {
  ids: number[];
  lo: number;
  hi: number;
  at: number;
}

/** How a flagging dispatch describes a bad index, or an int32 result that does not fit, for the error. */
export interface FlagInfo {
  /** The op the user called, e.g. `gather`. */
  op: string;
  /** The axis indexed (for gather and scatterAdd); -1 for class labels. */
  axis: number;
  /** An int32 sum or cumsum that does not fit int32 (a DTypeError), not a bad index. */
  overflow?: boolean;
}

/** The ids one read copied out, and where their slots are in its staging buffer. */
export interface FlagWindow {
  from: number;
  to: number;
  /** The ranges of slots copied, in order: [first slot, count]. */
  ranges: [number, number][];
  /** Resolves when every earlier window is resolved. */
  before: Promise<void>;
  done: () => void;
}

export class FlagTracker {
  /** Id of the next flagging dispatch. */
  private next = 0;
  /** Ids below it have been copied out by a read. */
  private copied = 0;
  /** Ids below it are resolved: the failed ones are in `failed`. */
  private resolved = 0;
  private readonly failed = new Map<number, NablaError>();
  /** What each unresolved id's error would say. */
  private readonly info = new Map<number, FlagInfo>();
  private readonly taints = new WeakMap<object, Taint>();
  private chain: Promise<void> = Promise.resolve();

  /** A new flagging dispatch: its id (the kernel's slot is `id % SLOTS`). */
  open(info: FlagInfo): number {
    const id = this.next++;
    this.info.set(id, info);
    return id;
  }

  /**
   * Gives each written storage the taint of the storages read (and `id`, a flagging dispatch, when
   * given); a written storage that had a taint (an in-place update) keeps it too.
   */
  propagate(read: readonly object[], write: readonly object[], id?: number): void {
    // every id resolved clean: no storage carries a taint that still counts (`get` would drop it)
    if (id === undefined && this.resolved === this.next && !this.failed.size) return;
    let t: Taint | undefined =
      id === undefined ? undefined : { ids: [id], lo: 1, hi: 0, at: this.resolved };
    for (const r of read) {
      const rt = this.get(r);
      if (rt) t = t ? this.union(t, rt) : rt;
    }
    if (!t) return;
    for (const w of write) {
      const own = this.get(w);
      this.taints.set(w, own ? this.union(own, t) : t);
    }
  }

  /** The storage's taint, without resolved clean ids; undefined when it has none left. */
  private get(s: object): Taint | undefined {
    const t = this.taints.get(s);
    if (!t) return undefined;
    if (t.at === this.resolved) return t;
    const ids = t.ids.filter((i) => i >= this.resolved || this.failed.has(i));
    const hi = t.hi;
    let lo = t.lo;
    if (lo <= hi && lo < this.resolved) {
      for (const i of this.failed.keys()) if (i >= lo && i <= hi && i < this.resolved) ids.push(i);
      lo = this.resolved;
    }
    if (!ids.length && lo > hi) {
      this.taints.delete(s);
      return undefined;
    }
    const pruned = { ids: ids.sort((a, b) => a - b), lo, hi, at: this.resolved };
    this.taints.set(s, pruned);
    return pruned;
  }

  private union(a: Taint, b: Taint): Taint {
    if (a === b) return a;
    const ids = [...new Set([...a.ids, ...b.ids])].sort((x, y) => x - y);
    const lo = Math.min(a.lo <= a.hi ? a.lo : Infinity, b.lo <= b.hi ? b.lo : Infinity);
    const hi = Math.max(a.lo <= a.hi ? a.hi : -Infinity, b.lo <= b.hi ? b.hi : -Infinity);
    const t: Taint = {
      ids,
      lo: lo === Infinity ? 1 : lo,
      hi: hi === -Infinity ? 0 : hi,
      at: Math.min(a.at, b.at),
    };
    if (ids.length <= MAX_IDS) return t;
    // too many to list: unresolved ids become a range (failed ones stay listed: they are few)
    const pending = ids.filter((i) => !this.failed.has(i));
    if (!pending.length) return t;
    t.ids = ids.filter((i) => this.failed.has(i));
    t.lo = Math.min(t.lo <= t.hi ? t.lo : Infinity, pending[0]!);
    t.hi = Math.max(t.hi, pending[pending.length - 1]!);
    return t;
  }

  /**
   * The ids recorded since the last read, and the slot ranges a read must copy (then clear) to learn
   * about them. The caller resolves it with `resolve` once the copy is mapped.
   */
  window(): FlagWindow {
    const from = this.copied;
    const to = (this.copied = this.next);
    const ranges: [number, number][] = [];
    if (to - from >= SLOTS) ranges.push([0, SLOTS]);
    else if (to > from) {
      const a = from % SLOTS;
      const b = to % SLOTS;
      if (a < b || b === 0) ranges.push([a, (b === 0 ? SLOTS : b) - a]);
      else ranges.push([a, SLOTS - a], [0, b]);
    }
    const before = this.chain;
    let done!: () => void;
    this.chain = new Promise<void>((r) => (done = r));
    return { from, to, ranges, before, done };
  }

  /** Words of the slots a window copies. */
  static words(w: FlagWindow): number {
    return w.ranges.reduce((n, [, c]) => n + c * SLOT_WORDS, 0);
  }

  /**
   * Records which ids of `w` failed, from the slot words the read copied (`null`: the copy never
   * arrived; its ids count as clean). Waits for earlier windows first, so ids resolve in order.
   */
  async resolve(w: FlagWindow, words: Int32Array | null): Promise<void> {
    try {
      await w.before;
      if (words) {
        let at = 0;
        const hit = new Map<number, [number, number]>();
        for (const [first, count] of w.ranges)
          for (let j = 0; j < count; j++, at += SLOT_WORDS)
            if (words[at] !== 0) hit.set(first + j, [words[at + 1]!, words[at + 2]!]);
        if (hit.size)
          for (let id = w.from; id < w.to; id++) {
            const h = hit.get(id % SLOTS);
            if (h) this.failed.set(id, this.error(this.info.get(id)!, h[0], h[1]));
          }
      }
      for (let id = w.from; id < w.to; id++) this.info.delete(id);
      this.resolved = Math.max(this.resolved, w.to);
    } finally {
      w.done();
    }
  }

  /** The error a storage carries once the ids it depends on are resolved (the earliest one). */
  errorOf(s: object): NablaError | undefined {
    const t = this.get(s);
    if (!t) return undefined;
    let first: number | undefined = t.ids.find((i) => this.failed.has(i));
    if (t.lo <= t.hi)
      for (const i of this.failed.keys())
        if (i >= t.lo && i <= t.hi && (first === undefined || i < first)) first = i;
    return first === undefined ? undefined : this.failed.get(first);
  }

  private error({ op, axis, overflow }: FlagInfo, k: number, size: number): NablaError {
    const found = '(found by the GPU)';
    if (overflow)
      return new DTypeError(
        op,
        `an int32 result does not fit int32 (it would wrap) ${found}`,
        "cast to 'float32' first (exact below 2^24)",
      );
    return axis < 0
      ? new IndexError(
          op,
          `target label ${k} is out of range for ${size} classes ${found}`,
          `labels must be integers in 0..${size - 1}`,
        )
      : new IndexError(
          op,
          `index ${k} is out of range for axis ${axis} of size ${size} ${found}`,
          `indices must be in 0..${size - 1}`,
        );
  }
}
