import { describe, expect, it } from 'vitest';
import {
  accuracyCell,
  detailTable,
  fastest,
  rate,
  ratioCell,
  resultsTable,
  sig,
  summarize,
} from './mnist/format.js';
import {
  breakdown,
  CATEGORIES,
  categorize,
  type CpuProfile,
  profileTable,
  type StepProfile,
} from './mnist/profile.js';
import { RESULT_MARKER, parseResult } from './mnist/protocol.js';
import {
  batchesPerEpoch,
  describeWorkload,
  initStd,
  type Measurement,
  workload,
  workloads,
} from './mnist/workloads.js';

const m = (peer: string, id: 'W1' | 'W2' | 'W3', s: number[], acc: number[]): Measurement => ({
  peer,
  workload: id,
  epochSeconds: s,
  accuracies: acc,
  warmupSeconds: 0.05,
});

describe('mnist workloads', () => {
  it('are those of BENCHMARKING.md', () => {
    expect(workloads.map(describeWorkload)).toEqual([
      '784-30-10 sigmoid, SGD lr 0.5, batch 10',
      '784-30-10 sigmoid, SGD lr 0.5, batch 128',
      '784-100-100-100-100-10 ReLU, Adam lr 0.001, batch 64',
    ]);
    expect(() => workload('W4')).toThrow(/unknown workload/);
  });

  it('initialise with sd 1/√fan_in or √(2/fan_in)', () => {
    expect(initStd(workload('W1'), 784)).toBeCloseTo(1 / 28);
    expect(initStd(workload('W3'), 100)).toBeCloseTo(Math.sqrt(0.02));
  });

  it('count the last partial batch', () => {
    expect(batchesPerEpoch(60_000, 10)).toBe(6000);
    expect(batchesPerEpoch(60_000, 128)).toBe(469);
    expect(batchesPerEpoch(60_000, 64)).toBe(938);
  });
});

describe('mnist table formatting', () => {
  it('sig keeps 3 significant digits without exponents', () => {
    expect(sig(0.8234)).toBe('0.823');
    expect(sig(5.8381)).toBe('5.84');
    expect(sig(84.64)).toBe('84.6');
    expect(sig(1234.5)).toBe('1235');
    expect(sig(0.0123)).toBe('0.0123');
    expect(sig(0)).toBe('0');
  });

  it('rate rounds samples/s to 3 significant digits', () => {
    expect(rate(60_000 / 0.823)).toBe('72,900');
    expect(rate(60_000 / 84.6)).toBe('709');
    expect(rate(12.34)).toBe('12');
  });

  it('summarize takes the median epoch and checks accuracy', () => {
    const s = summarize(m('x', 'W1', [3, 1, 2], [0.94, 0.935, 0.941]), workload('W1'));
    expect(s.seconds).toBe(2);
    expect(s.samplesPerSecond).toBe(30_000);
    expect(s.accuracy).toEqual([0.935, 0.941]);
    expect(s.accuracyOk).toBe(true);
    expect(accuracyCell(s)).toBe('93.5–94.1 %');
    const bad = summarize(m('x', 'W1', [1], [0.1]), workload('W1'));
    expect(accuracyCell(bad)).toBe('10.0 % ⚠');
  });

  it('fastest picks the lowest median', () => {
    const a = m('torch-1t', 'W2', [1, 5, 1], [0.91]);
    const b = m('torch-2t', 'W2', [2, 2, 2], [0.91]);
    expect(fastest([b, a])).toBe(a);
    expect(fastest([])).toBeUndefined();
  });

  it('ratioCell is peer time over Nabla time', () => {
    expect(ratioCell(1, 4)).toBe('0.250×');
    expect(ratioCell(30, 4)).toBe('7.50×');
  });

  it('resultsTable lays out a row per peer and three columns per workload', () => {
    const ws = [workload('W1'), workload('W3')];
    const table = resultsTable(
      ws,
      [
        { name: 'Nabla', cells: [m('nabla', 'W1', [6], [0.936]), m('nabla', 'W3', [10], [0.95])] },
        {
          name: 'PyTorch',
          cells: [m('torch-1t', 'W1', [2], [0.937]), undefined],
          notes: ['1 thread', undefined],
        },
      ],
      'Nabla',
    );
    expect(table.split('\n')).toEqual([
      '| peer | W1 s/epoch (samples/s) | W1 ÷ Nabla | W1 test acc. | W3 s/epoch (samples/s) | W3 ÷ Nabla | W3 test acc. |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
      '| Nabla | 6.00 (10,000) [1 epoch] | 1.00× | 93.6 % | 10.0 (6,000) [1 epoch] | 1.00× | 95.0 % |',
      '| PyTorch | 2.00 (30,000) [1 thread, 1 epoch] | 0.333× | 93.7 % | — | — | — |',
    ]);
  });

  it('detailTable lists every epoch', () => {
    const t = detailTable([m('nabla', 'W2', [2.5, 2.25, 3], [0.9051, 0.91, 0.909])]);
    expect(t.split('\n')[2]).toBe(
      '| nabla | W2 | 2.50, 2.25, 3.00 | 2.50 | 90.51, 91.00, 90.90 | 0.0500 |',
    );
  });
});

describe('mnist child results', () => {
  it('parseResult reads the last marked line', () => {
    const a = m('nabla', 'W1', [1], [0.9]);
    const out = `noise\n${RESULT_MARKER}${JSON.stringify({ ...a, peer: 'old' })}\n${RESULT_MARKER}${JSON.stringify(a)}\ntrailing\n`;
    expect(parseResult(out)).toEqual(a);
    expect(() => parseResult('no result here')).toThrow(/no result/);
  });
});

describe('the per-step profile', () => {
  const url = (p: string) => `file:///repo/packages/${p}`;

  it('puts frames in categories by their source file', () => {
    expect(categorize('wasm-function[4]', 'wasm://wasm/01b558a6')).toBe(
      'WebAssembly kernels (matmuls, convolutions, elementwise, losses)',
    );
    expect(categorize('place', url('backend-cpu/src/wasm/matmul.ts'))).toBe(
      'copies into and out of WebAssembly memory',
    );
    expect(categorize('await', url('backend-cpu/src/wasm/threads.ts'))).toBe(
      'waiting for matmul threads',
    );
    expect(categorize('carve', url('backend-cpu/src/alloc.ts'))).toBe('allocation of results');
    expect(categorize('binaryRun', url('backend-cpu/src/cpu.ts'))).toBe(
      'elementwise, reduction and fused kernels (TypeScript)',
    );
    expect(categorize('wrap', url('tensor/src/math.ts'))).toBe(
      'Tensor bookkeeping (checks, shapes, views, accounting)',
    );
    expect(categorize('tensor', url('tensor/src/create.ts'))).toBe(
      'data loading (DataLoader, tensor())',
    );
    expect(categorize('run', url('autograd/src/engine.ts'))).toBe(
      'autograd bookkeeping (graph, backward engine, rules)',
    );
    expect(categorize('step', url('optim/src/optimizer.ts'))).toBe(
      'layers, losses and optimizer (nn, optim)',
    );
    expect(categorize('(garbage collector)', '')).toBe('garbage collection');
    expect(categorize('readFileSync', 'node:fs')).toBe('other');
  });

  it('counts the samples under the root function, and the collector between them', () => {
    // root → train → wrap; root → gc; root → loader (outside the training loop)
    const p: CpuProfile = {
      nodes: [
        { id: 1, callFrame: { functionName: '(root)', url: '' }, children: [2, 4, 5] },
        { id: 2, callFrame: { functionName: 'train', url: 'file:///b/nabla.ts' }, children: [3] },
        { id: 3, callFrame: { functionName: 'wrap', url: url('tensor/src/math.ts') } },
        { id: 4, callFrame: { functionName: '(garbage collector)', url: '' } },
        { id: 5, callFrame: { functionName: 'load', url: url('data/src/mnist.ts') } },
      ],
      // load, train's own frame, wrap, gc, wrap, load (after the loop: not counted)
      samples: [5, 2, 3, 4, 3, 5],
      timeDeltas: [0, 1000, 2000, 3000, 4000, 5000],
    };
    const ms = breakdown(p, 'train');
    expect(ms['Tensor bookkeeping (checks, shapes, views, accounting)']).toBe(3 + 5);
    expect(ms['garbage collection']).toBe(4);
    expect(ms.other).toBe(2); // train's own frame (a bench file)
    expect(ms['data loading (DataLoader, tensor())']).toBe(0);
  });

  it('tabulates µs per step and shares, leaving out empty categories', () => {
    const ms = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as StepProfile['ms'];
    ms['WebAssembly kernels (matmuls, convolutions, elementwise, losses)'] = 30;
    ms['garbage collection'] = 10;
    const table = profileTable([{ workload: 'W1', steps: 1000, ms }]);
    expect(table.split('\n')).toEqual([
      '| where the time goes | W1 µs/step (share) |',
      '| --- | ---: |',
      '| WebAssembly kernels (matmuls, convolutions, elementwise, losses) | 30 µs (75 %) |',
      '| garbage collection | 10 µs (25 %) |',
      '| **total** | **40 µs** |',
    ]);
  });
});
