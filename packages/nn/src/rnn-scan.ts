import { type Variable, customFunction, isGradEnabled } from '@nablajs/autograd';
import { NablaError, type Tensor, concat, stack } from '@nablajs/tensor';

/**
 * The recurrence of one layer in one direction, as one autograd node: the forward loops over time
 * on Tensors, the backward is back-propagation through time written out. Why not one graph node per
 * op and step: every step would slice its inputs out of the input projection, and the gradient of a
 * slice is a zero tensor of the whole projection's size, so backward would cost O(T²·N·H) for T
 * steps. Here it is O(T·N·H) plus the matmuls, and no graph is built per step.
 *
 * The cell (x_t's projection xp_t = W_ih·x_t + b_ih is computed for all steps before, in one matmul):
 * - tanh / relu: h' = act(xp_t + W_hh·h)
 * - lstm (gates i, f, g, o): c' = σ(f)⊙c + σ(i)⊙tanh(g), h' = σ(o)⊙tanh(c')
 * - gru (gates r, z, n): r, z = σ(xp + W_hh·h + b_hh), n = tanh(xp_n + r⊙(W_hn·h + b_hn)),
 *   h' = (1 − z)⊙n + z⊙h; for the other cells, b_hh is folded into xp by the caller.
 */
export type CellMode = 'tanh' | 'relu' | 'lstm' | 'gru';

/** Gates per cell: the rows of W_ih and W_hh are `GATES[mode]·hidden`. */
export const GATES: Record<CellMode, number> = { tanh: 1, relu: 1, lstm: 4, gru: 3 };

/** What the scan needs to know besides its inputs. */
export interface ScanConfig {
  /** The cell. */
  mode: CellMode;
  /** Run from the last step to the first (the reverse direction of a bidirectional layer). */
  reverse: boolean;
  /** The layer's name for messages. */
  name: string;
}

/**
 * Runs the cell over xp [T, N, G·H] from h0 [N, H] (and c0 for an LSTM), with wHh [G·H, H] and, for
 * a GRU, bHh [G·H]. Returns the hidden states of every step at their time positions, [T, N, H], with
 * the LSTM's last cell state appended along the time axis ([T + 1, N, H]).
 */
export function scan(
  cfg: ScanConfig,
  xp: Variable,
  wHh: Variable,
  bHh: Variable | null,
  h0: Variable,
  c0: Variable | null,
): Variable {
  const { mode, reverse } = cfg;
  const [T, , GH] = xp.shape as [number, number, number];
  const H = GH / GATES[mode];
  const seg = (a: Tensor, k: number) => a.slice([null, [k * H, (k + 1) * H]]);
  // per time step (indexed by t), what backward needs
  const hPrev: Tensor[] = new Array<Tensor>(T);
  const hs: Tensor[] = new Array<Tensor>(T);
  const acts: Tensor[] = new Array<Tensor>(T); // lstm: σ′ = σ(1 − σ) of all gates; gru: [r, z]
  const cand: Tensor[] = new Array<Tensor>(T); // lstm: tanh(g); gru: n
  const cs: Tensor[] = new Array<Tensor>(T); // lstm: c_t
  const tcs: Tensor[] = new Array<Tensor>(T); // lstm: tanh(c_t)
  const gates: Tensor[] = new Array<Tensor>(T); // lstm: σ of all gates
  const hpN: Tensor[] = new Array<Tensor>(T); // gru: W_hn·h + b_hn
  const order = Array.from({ length: T }, (_, s) => (reverse ? T - 1 - s : s));
  const inputs = [xp, wHh, ...(bHh ? [bHh] : []), h0, ...(c0 ? [c0] : [])];

  const fn = customFunction({
    name: `${cfg.name}.scan`,
    forward: (_ctx, xpT: Tensor, w: Tensor, ...rest: Tensor[]) => {
      const b = bHh ? rest.shift()! : null;
      let h = rest[0]!;
      let c = rest[1] ?? null;
      const wT = w.transpose();
      for (const t of order) {
        const x = xpT.slice([t]);
        let hp = h.matmul(wT);
        hPrev[t] = h;
        if (mode === 'lstm') {
          const a = x.add(hp);
          const sig = a.sigmoid();
          const g = seg(a, 2).tanh();
          c = seg(sig, 1).mul(c!).add(seg(sig, 0).mul(g));
          const tc = c.tanh();
          h = seg(sig, 3).mul(tc);
          // σ′ of the gates now, in 3 ops over all four, instead of 3 per gate in backward
          acts[t] = sig.mul(sig.neg().add(1));
          gates[t] = sig;
          cand[t] = g;
          cs[t] = c;
          tcs[t] = tc;
        } else if (mode === 'gru') {
          if (b) hp = hp.add(b);
          const rz = x
            .slice([null, [0, 2 * H]])
            .add(hp.slice([null, [0, 2 * H]]))
            .sigmoid();
          const hn = seg(hp, 2);
          const n = seg(x, 2).add(seg(rz, 0).mul(hn)).tanh();
          h = n.add(seg(rz, 1).mul(h.sub(n)));
          acts[t] = rz;
          cand[t] = n;
          hpN[t] = hn;
        } else {
          const a = x.add(hp);
          h = mode === 'tanh' ? a.tanh() : a.relu();
        }
        hs[t] = h;
      }
      const out = stack(hs, 0);
      if (mode !== 'lstm') return out;
      const cT = c!.unsqueeze(0);
      return concat([out, cT], 0);
    },
    backward: (ctx, g: Tensor) => {
      if (isGradEnabled())
        throw new NablaError(
          cfg.name,
          'second derivatives (createGraph) through a recurrent layer are not supported',
          'differentiate a network without RNN/LSTM/GRU layers twice, or take first derivatives only',
        );
      const c0T = c0?.data ?? null;
      const dXp: Tensor[] = new Array<Tensor>(T);
      const dHp: Tensor[] = new Array<Tensor>(T);
      const w = wHh.data;
      let dh: Tensor | null = null;
      let dc: Tensor | null = mode === 'lstm' ? g.slice([T]) : null;
      for (let s = T - 1; s >= 0; s--) {
        const t = order[s]!;
        const gt = g.slice([t]);
        const dht: Tensor = dh ? gt.add(dh) : gt;
        if (mode === 'lstm') {
          const [sig, sd] = [gates[t]!, acts[t]!];
          const gg = cand[t]!;
          const [i, f, o] = [seg(sig, 0), seg(sig, 1), seg(sig, 3)];
          const tc = tcs[t]!;
          const dcT = dht.mul(o).mul(tc.square().neg().add(1)).add(dc!);
          const cPrev = s === 0 ? c0T! : cs[order[s - 1]!]!;
          const dA = concat(
            [
              dcT.mul(gg).mul(seg(sd, 0)),
              dcT.mul(cPrev).mul(seg(sd, 1)),
              dcT.mul(i).mul(gg.square().neg().add(1)),
              dht.mul(tc).mul(seg(sd, 3)),
            ],
            1,
          );
          dc = dcT.mul(f);
          dXp[t] = dA;
          dHp[t] = dA;
        } else if (mode === 'gru') {
          const rz = acts[t]!;
          const [r, z] = [seg(rz, 0), seg(rz, 1)];
          const n = cand[t]!;
          const dnPre = dht.mul(z.neg().add(1)).mul(n.square().neg().add(1));
          const drPre = dnPre.mul(hpN[t]!).mul(r.mul(r.neg().add(1)));
          const dzPre = dht.mul(hPrev[t]!.sub(n)).mul(z.mul(z.neg().add(1)));
          dXp[t] = concat([drPre, dzPre, dnPre], 1);
          dHp[t] = concat([drPre, dzPre, dnPre.mul(r)], 1);
        } else {
          const h = hs[t]!;
          const dA =
            mode === 'tanh' ? dht.mul(h.square().neg().add(1)) : dht.mul(h.gt(0).cast(h.dtype));
          dXp[t] = dA;
          dHp[t] = dA;
        }
        const back = dHp[t]!.matmul(w);
        dh = mode === 'gru' ? back.add(dht.mul(seg(acts[t]!, 1))) : back;
      }
      const needs = ctx.needsInputGrad;
      const dHpAll =
        needs[1] || (bHh && needs[2]) ? stack(dHp, 0).reshape([T * dHp[0]!.shape[0]!, GH]) : null;
      const grads: (Tensor | null)[] = [
        needs[0] ? stack(dXp, 0) : null,
        needs[1] ? dHpAll!.transpose().matmul(stack(hPrev, 0).reshape([-1, H])) : null,
      ];
      if (bHh) grads.push(needs[2] ? dHpAll!.sum(0) : null);
      grads.push(dh);
      if (c0) grads.push(dc);
      return grads;
    },
  });
  return fn(...inputs);
}
