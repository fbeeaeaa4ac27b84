// Writing text with a trained model, one character at a time: the model's logits for the next
// character, divided by a temperature, cut to the k likeliest, and a draw from their softmax with a
// seeded generator. Browser-safe; one read per character, so it runs on WebGPU too.
import { noGrad, type Variable } from '@nablajs/autograd';
import { tensor } from '@nablajs/tensor';
import { Mulberry32 } from './data.js';
import { CharLSTM, type GPT } from './model.js';

/** How to draw each character. */
export interface SampleOptions {
  /** Characters to write. */
  length: number;
  /** Divides the logits: below 1 sharper, above 1 flatter; 0 always takes the likeliest. */
  temperature: number;
  /** Draw among the `topK` likeliest characters only (0: all). */
  topK: number;
  /** The seed of the draws: the same seed, model and prompt give the same text. */
  seed: number;
}

/**
 * The index drawn from `logits` (one row): softmax of logits / temperature over the `topK` largest
 * (ties at the k-th value included), computed in float64, then inverse-CDF with `u` in [0, 1).
 */
export function pick(
  logits: ArrayLike<number>,
  o: Pick<SampleOptions, 'temperature' | 'topK'>,
  u: number,
): number {
  const n = logits.length;
  let best = 0;
  for (let i = 1; i < n; i++) if (logits[i]! > logits[best]!) best = i;
  if (o.temperature === 0) return best;
  let floor = -Infinity;
  if (o.topK > 0 && o.topK < n) floor = Array.from(logits).sort((a, b) => b - a)[o.topK - 1]!;
  const p = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++)
    if (logits[i]! >= floor) total += p[i] = Math.exp((logits[i]! - logits[best]!) / o.temperature);
  let acc = 0;
  for (let i = 0; i < n; i++) {
    acc += p[i]! / total;
    if (p[i]! > 0 && u < acc) return i;
  }
  return best; // u within rounding of 1
}

/** The last position's logits of a [1, T, vocab] output, read. */
async function lastRow(logits: Variable): Promise<Float32Array> {
  const t = logits.shape[1]!;
  return (await logits.data.slice([0, t - 1]).data()) as Float32Array;
}

/**
 * `o.length` characters' ids after `prompt` (at least one id), in evaluation mode and without
 * recording a graph. A GPT sees the last `context` characters; an LSTM reads the prompt once, then
 * carries its state.
 */
export async function generate(
  model: GPT | CharLSTM,
  prompt: ArrayLike<number>,
  o: SampleOptions,
): Promise<Int32Array> {
  if (prompt.length === 0)
    throw new RangeError('generate: the prompt needs at least one character');
  if (!(o.temperature >= 0))
    throw new RangeError(`generate: temperature must be ≥ 0, got ${o.temperature}`);
  const rng = new Mulberry32(o.seed);
  const out = new Int32Array(o.length);
  const wasTraining = model.training;
  model.eval();
  try {
    if (model instanceof CharLSTM) {
      let ids = Int32Array.from(prompt);
      let state: [Variable, Variable] | undefined;
      for (let i = 0; i < o.length; i++) {
        const [logits, next] = noGrad(() =>
          model.forwardWithState(tensor(ids, { shape: [1, ids.length], dtype: 'int32' }), state),
        );
        state = next;
        out[i] = pick(await lastRow(logits), o, rng.next());
        ids = out.subarray(i, i + 1);
      }
    } else {
      const context = model.spec.context;
      const all = Int32Array.from([...Array.from(prompt), ...out]);
      for (let i = 0; i < o.length; i++) {
        const end = prompt.length + i;
        const window = all.subarray(Math.max(0, end - context), end);
        const logits = noGrad(() =>
          model.forward(tensor(window, { shape: [1, window.length], dtype: 'int32' })),
        );
        all[end] = out[i] = pick(await lastRow(logits), o, rng.next());
      }
    }
  } finally {
    model.train(wasTraining);
  }
  return out;
}
