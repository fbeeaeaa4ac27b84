import { type Variable, concat, linear, stack } from '@nablajs/autograd';
import {
  type Backend,
  type DType,
  NablaError,
  ShapeError,
  fmtShape,
  getBackend,
  zeros,
} from '@nablajs/tensor';
import { checkDropout, dropoutVar } from './dropout.js';
import { uniform } from './init.js';
import { type Input, Module, Parameter, asVariable } from './module.js';
import { type CellMode, GATES, scan } from './rnn-scan.js';

/** Options of `RNN`, `LSTM` and `GRU` (PyTorch's, in camelCase). */
export interface RNNOptions {
  /** Stacked layers, each fed the previous one's output (default 1). */
  numLayers?: number;
  /** Learn the biases `bias_ih_l*` and `bias_hh_l*` (default true). */
  bias?: boolean;
  /** Input and output are [batch, seq, feature] instead of [seq, batch, feature] (default false);
   * the hidden states stay [layers·directions, batch, hidden], as in PyTorch. */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last, in training mode (default 0). */
  dropout?: number;
  /** Run a second layer over the reversed sequence and concatenate (default false). */
  bidirectional?: boolean;
  /** float32 (default) or float64 (CPU backend). */
  dtype?: DType;
  /** The backend of the parameters (default: the one chosen with `useBackend`). */
  backend?: Backend;
}

/** Options of the plain `RNN`: its nonlinearity too. */
export interface RNNTanhOptions extends RNNOptions {
  /** `'tanh'` (default) or `'relu'`. */
  nonlinearity?: 'tanh' | 'relu';
}

interface Cell {
  wIh: Parameter;
  wHh: Parameter;
  bIh: Parameter | null;
  bHh: Parameter | null;
}

/**
 * What `RNN`, `LSTM` and `GRU` share (PyTorch's `nn.RNNBase`): the parameters of each layer and
 * direction, named as in PyTorch's state dicts (`weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`,
 * `bias_hh_l0`, then `…_l0_reverse`, `…_l1`, …) and drawn from U(−1/√hidden, 1/√hidden), and the
 * loop over layers and directions. `S` is the hidden state: one tensor, or `[h, c]` for an LSTM.
 */
export abstract class RNNBase<S> extends Module {
  /** Stacked layers. */
  readonly numLayers: number;
  /** Whether the layers have biases. */
  readonly bias: boolean;
  /** Whether input and output are [batch, seq, feature]. */
  readonly batchFirst: boolean;
  /** Dropout between layers, in training mode. */
  readonly dropout: number;
  /** Whether each layer also runs over the reversed sequence. */
  readonly bidirectional: boolean;
  readonly #cells: Cell[][] = [];

  constructor(
    /** The class name, for messages. */
    readonly name: string,
    /** The cell. */
    readonly mode: CellMode,
    /** The size of each input step's features. */
    readonly inputSize: number,
    /** The size of the hidden state. */
    readonly hiddenSize: number,
    opts: RNNOptions,
  ) {
    super();
    const n = opts.numLayers ?? 1;
    for (const [what, v, min] of [
      ['inputSize', inputSize, 1],
      ['hiddenSize', hiddenSize, 1],
      ['numLayers', n, 1],
    ] as const)
      if (!Number.isInteger(v) || v < min)
        throw new ShapeError(name, `${what} must be a positive integer, got ${v}`);
    this.numLayers = n;
    this.bias = opts.bias ?? true;
    this.batchFirst = opts.batchFirst ?? false;
    this.dropout = checkDropout(name, opts.dropout ?? 0);
    this.bidirectional = opts.bidirectional ?? false;
    const backend = opts.backend ?? getBackend(name);
    const dtype = opts.dtype ?? 'float32';
    const gh = GATES[mode] * hiddenSize;
    const bound = 1 / Math.sqrt(hiddenSize);
    const param = (key: string, shape: number[]) => {
      const p = new Parameter(zeros(shape, { dtype, backend }), true, key);
      uniform(p, { low: -bound, high: bound });
      // the property's name is the state-dict key, PyTorch's
      Object.defineProperty(this, key, { value: p, enumerable: true });
      return p;
    };
    const dirs = this.bidirectional ? 2 : 1;
    for (let l = 0; l < n; l++) {
      const layer: Cell[] = [];
      for (let d = 0; d < dirs; d++) {
        const sfx = `_l${l}${d ? '_reverse' : ''}`;
        const inSize = l === 0 ? inputSize : hiddenSize * dirs;
        const wIh = param(`weight_ih${sfx}`, [gh, inSize]);
        const wHh = param(`weight_hh${sfx}`, [gh, hiddenSize]);
        const bIh = this.bias ? param(`bias_ih${sfx}`, [gh]) : null;
        const bHh = this.bias ? param(`bias_hh${sfx}`, [gh]) : null;
        layer.push({ wIh, wHh, bIh, bHh });
      }
      this.#cells.push(layer);
    }
  }

  /** The parameters of layer `layer`, direction `direction` (1: reverse), by role. */
  weights(layer: number, direction = 0): Readonly<Cell> {
    const c = this.#cells[layer]?.[direction];
    if (!c) throw new ShapeError(this.name, `no layer ${layer}, direction ${direction}`);
    return c;
  }

  /** The hidden state's parts, [h, c] or [h]. */
  protected abstract split(state: S): [Input, Input?];
  /** The hidden state from its parts. */
  protected abstract join(h: Variable, c: Variable | null): S;

  /**
   * PyTorch's `forward`: `input` [seq, batch, inputSize] ([batch, seq, inputSize] with
   * `batchFirst`, or unbatched [seq, inputSize]) and the initial state (zeros if omitted; each part
   * [layers·directions, batch, hidden], or [layers·directions, hidden] unbatched) give the output
   * [seq, batch, directions·hidden] (the last layer's hidden state at every step; batch first with
   * `batchFirst`) and the final state, shaped like the initial one.
   */
  forwardWithState(input: Input, state?: S): [Variable, S] {
    const [h0, c0] = state === undefined ? [undefined, undefined] : this.split(state);
    const [out, h, c] = this.run(input, h0, c0);
    return [out, this.join(h, c)];
  }

  private run(input: Input, h0?: Input, c0?: Input): [Variable, Variable, Variable | null] {
    const name = this.name;
    const H = this.hiddenSize;
    const dirs = this.bidirectional ? 2 : 1;
    const LD = this.numLayers * dirs;
    const x0 = asVariable(input);
    const batched = x0.rank === 3;
    if ((x0.rank !== 3 && x0.rank !== 2) || x0.shape[x0.rank - 1] !== this.inputSize)
      throw new ShapeError(
        name,
        `input ${fmtShape(x0.shape)} is not [seq, batch, ${this.inputSize}]${this.batchFirst ? ' (batchFirst: [batch, seq, …])' : ''} or [seq, ${this.inputSize}]`,
      );
    const x = !batched ? x0.unsqueeze(1) : this.batchFirst ? x0.transpose(0, 1) : x0;
    const [T, N] = x.shape as [number, number];
    if (T === 0) throw new ShapeError(name, `input ${fmtShape(x0.shape)} has no time steps`);
    const stateOf = (s: Input | undefined, what: string): Variable => {
      const want = batched ? [LD, N, H] : [LD, H];
      if (s === undefined)
        return asVariable(zeros([LD, N, H], { dtype: x.dtype, backend: x.data.backend }));
      const v = asVariable(s);
      if (v.rank !== want.length || v.shape.some((d, i) => d !== want[i]))
        throw new ShapeError(
          name,
          `${what} ${fmtShape(v.shape)} should be ${fmtShape(want)} (layers·directions, batch, hidden)`,
        );
      return batched ? v : v.unsqueeze(1);
    };
    const lstm = this.mode === 'lstm';
    if (!lstm && c0 !== undefined)
      throw new NablaError(name, 'takes one hidden state; a cell state is for an LSTM');
    const h0v = stateOf(h0, 'h0');
    const c0v = lstm ? stateOf(c0, 'c0') : null;
    const hN: Variable[] = [];
    const cN: Variable[] = [];
    let layerIn = x;
    for (let l = 0; l < this.numLayers; l++) {
      const outs: Variable[] = [];
      for (let d = 0; d < dirs; d++) {
        const { wIh, wHh, bIh, bHh } = this.#cells[l]![d]!;
        const k = l * dirs + d;
        // b_hh is constant over time: it joins b_ih in the projection (one bias, one gradient sum),
        // except the GRU's, which sits inside r⊙(W_hn·h + b_hn)
        const bias = bIh && bHh && this.mode !== 'gru' ? bIh.add(bHh) : bIh;
        const xp = linear(layerIn.reshape([T * N, layerIn.shape[2]!]), wIh, bias ?? undefined);
        const packed = scan(
          { mode: this.mode, reverse: d === 1, name },
          xp.reshape([T, N, wIh.shape[0]!]),
          wHh,
          this.mode === 'gru' ? bHh : null,
          h0v.slice([k]),
          c0v ? c0v.slice([k]) : null,
        );
        const out = lstm ? packed.slice([[0, T]]) : packed;
        hN.push(out.slice([d === 1 ? 0 : T - 1]));
        if (lstm) cN.push(packed.slice([T]));
        outs.push(out);
      }
      layerIn = dirs === 2 ? concat(outs, 2) : outs[0]!;
      if (l < this.numLayers - 1) layerIn = dropoutVar(layerIn, this.dropout, this.training);
    }
    const output = !batched
      ? layerIn.squeeze(1)
      : this.batchFirst
        ? layerIn.transpose(0, 1)
        : layerIn;
    const fix = (s: Variable) => (batched ? s : s.squeeze(1));
    return [output, fix(stack(hN, 0)), lstm ? fix(stack(cN, 0)) : null];
  }

  protected override extraRepr(): string {
    const extras = [
      this.numLayers !== 1 && `numLayers=${this.numLayers}`,
      !this.bias && 'bias=false',
      this.batchFirst && 'batchFirst=true',
      this.dropout && `dropout=${this.dropout}`,
      this.bidirectional && 'bidirectional=true',
    ].filter(Boolean);
    return [`${this.inputSize}, ${this.hiddenSize}`, ...extras].join(', ');
  }
}

/** The layers whose state is one hidden tensor h (RNN and GRU; LSTM's is [h, c]). */
abstract class HiddenStateRNN extends RNNBase<Variable> {
  /** The output for `input` from the initial hidden state `h0` (zeros if omitted). */
  forward(input: Input, h0?: Input): Variable {
    return this.forwardWithState(input, h0 === undefined ? undefined : asVariable(h0))[0];
  }
  protected split(state: Variable): [Input] {
    return [state];
  }
  protected join(h: Variable): Variable {
    return h;
  }
}

/**
 * An Elman RNN (PyTorch's `nn.RNN`): h_t = tanh(W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh), or ReLU with
 * `nonlinearity: 'relu'`. `forward(input, h0?)` gives the output; `forwardWithState(input, h0?)`
 * gives `[output, hN]`.
 */
export class RNN extends HiddenStateRNN {
  /** The nonlinearity. */
  readonly nonlinearity: 'tanh' | 'relu';
  constructor(inputSize: number, hiddenSize: number, opts: RNNTanhOptions = {}) {
    const nl = opts.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu')
      throw new NablaError('RNN', `unknown nonlinearity '${String(nl)}'`, "use 'tanh' or 'relu'");
    super('RNN', nl, inputSize, hiddenSize, opts);
    this.nonlinearity = nl;
  }
}

/**
 * Long short-term memory (Hochreiter & Schmidhuber 1997; PyTorch's `nn.LSTM`), gates in PyTorch's
 * order i, f, g, o (rows of `weight_ih_l*`): c_t = f⊙c_{t−1} + i⊙g, h_t = o⊙tanh(c_t).
 * `forward(input, h0?, c0?)` gives the output; `forwardWithState(input, [h0, c0]?)` gives
 * `[output, [hN, cN]]`.
 */
export class LSTM extends RNNBase<[Variable, Variable]> {
  constructor(inputSize: number, hiddenSize: number, opts: RNNOptions = {}) {
    super('LSTM', 'lstm', inputSize, hiddenSize, opts);
  }
  /** The output for `input` from the initial states `h0` and `c0` (zeros if omitted). */
  forward(input: Input, h0?: Input, c0?: Input): Variable {
    if ((h0 === undefined) !== (c0 === undefined))
      throw new NablaError('LSTM', 'pass both h0 and c0, or neither');
    const state =
      h0 === undefined ? undefined : ([asVariable(h0), asVariable(c0!)] as [Variable, Variable]);
    return this.forwardWithState(input, state)[0];
  }
  protected split(state: [Variable, Variable]): [Input, Input] {
    if (!Array.isArray(state) || state.length !== 2)
      throw new NablaError('LSTM', 'the state is [h, c]', 'pass forwardWithState(x, [h0, c0])');
    return state;
  }
  protected join(h: Variable, c: Variable | null): [Variable, Variable] {
    return [h, c!];
  }
}

/**
 * A gated recurrent unit (Cho et al. 2014; PyTorch's `nn.GRU`), gates in PyTorch's order r, z, n:
 * n_t = tanh(W_in·x_t + b_in + r_t⊙(W_hn·h_{t−1} + b_hn)), h_t = (1 − z_t)⊙n_t + z_t⊙h_{t−1}.
 * `forward(input, h0?)` gives the output; `forwardWithState(input, h0?)` gives `[output, hN]`.
 */
export class GRU extends HiddenStateRNN {
  constructor(inputSize: number, hiddenSize: number, opts: RNNOptions = {}) {
    super('GRU', 'gru', inputSize, hiddenSize, opts);
  }
}
