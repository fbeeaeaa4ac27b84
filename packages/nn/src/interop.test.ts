// A Nabla Sequential CNN with batch norm (parameters and buffers) saved as safetensors loads into the same
// PyTorch model by key, strictly, and gives the same outputs; and a PyTorch model's file loads into
// Nabla's. The PyTorch side is scripts/torch_interop.py, run with /usr/bin/python3 (PyTorch 1.13).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpu } from '@nablajs/backend-cpu';
import { noGrad } from '@nablajs/autograd';
import { manualSeed, randn, useBackend } from '@nablajs/tensor';
import { afterAll, expect, test } from 'vitest';
import {
  AdaptiveAvgPool2d,
  BatchNorm1d,
  BatchNorm2d,
  Conv2d,
  Flatten,
  Linear,
  MaxPool2d,
  type Module,
  ReLU,
  Sequential,
  load,
  save,
} from './index.js';

useBackend(cpu());

/** A layer as [PyTorch class, positional args, keyword args]; both sides build from this list. */
type Spec = [string, unknown[], Record<string, unknown>];
const BUILD: Record<string, (args: never[], kwargs: Record<string, never>) => Module> = {
  Conv2d: ([i, o, k], { padding }) => new Conv2d(i!, o!, k!, { padding }),
  MaxPool2d: ([k]) => new MaxPool2d(k!),
  BatchNorm2d: ([c]) => new BatchNorm2d(c!),
  BatchNorm1d: ([c]) => new BatchNorm1d(c!),
  ReLU: () => new ReLU(),
  AdaptiveAvgPool2d: ([s]) => new AdaptiveAvgPool2d(s!),
  Flatten: () => new Flatten(),
  Linear: ([i, o]) => new Linear(i!, o!),
};
const SPEC: Spec[] = [
  ['Conv2d', [2, 4, 3], { padding: 1 }],
  ['BatchNorm2d', [4], {}],
  ['ReLU', [], {}],
  ['MaxPool2d', [2], {}],
  ['AdaptiveAvgPool2d', [[3, 2]], {}],
  ['Flatten', [], {}],
  ['Linear', [24, 8], {}],
  ['BatchNorm1d', [8], {}],
  ['ReLU', [], {}],
  ['Linear', [8, 3], {}],
];
const build = (spec: Spec[]) =>
  new Sequential(
    ...spec.map(([kind, args, kwargs]) =>
      BUILD[kind]!(args as never[], kwargs as Record<string, never>),
    ),
  );

function torchMissing(): string | undefined {
  const r = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : (r.error?.message ?? r.stderr.trim().split('\n').pop());
}
const missing = torchMissing();
if (missing)
  console.warn(
    `skipping the PyTorch state-dict interop test: /usr/bin/python3 cannot import torch (${missing})`,
  );

const dir = mkdtempSync(join(tmpdir(), 'nabla-interop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const close = (a: ArrayLike<number>, b: number[], what: string) => {
  expect(a.length, what).toBe(b.length);
  b.forEach((e, i) => {
    if (Math.abs(a[i]! - e) > 1e-5 * (1 + Math.abs(e)))
      expect.fail(`${what}[${i}]: Nabla ${a[i]}, PyTorch ${e}`);
  });
};

test.skipIf(missing !== undefined)(
  'Sequential CNN state dict: Nabla → PyTorch and PyTorch → Nabla, same outputs',
  { timeout: 60_000 },
  async () => {
    manualSeed(3);
    const x = randn([4, 2, 9, 8]); // conv → [4, 4, 9, 8], pool → [4, 4, 4, 4], adaptive → [4, 4, 3, 2]
    const x2 = randn([4, 2, 9, 8]).mul(2).add(1);
    const net = build(SPEC);
    noGrad(() => [x2, x].forEach((b) => net.forward(b))); // training batches move the running statistics
    await save(net, join(dir, 'nabla.safetensors'));
    await save({ x, x2 }, join(dir, 'input.safetensors'));
    writeFileSync(join(dir, 'spec.json'), JSON.stringify(SPEC));
    const script = fileURLToPath(new URL('../scripts/torch_interop.py', import.meta.url));
    const r = spawnSync('/usr/bin/python3', [script, dir], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as {
      keys: string[];
      fromNabla: number[];
      fromTorch: number[];
      batchesTracked: Record<string, number>;
    };
    expect(Object.keys(net.stateDict())).toEqual(report.keys);
    close(noGrad(() => net.eval().forward(x)).data.dataSync(), report.fromNabla, 'Nabla weights');

    const theirs = build(SPEC).eval();
    theirs.loadStateDict((await load(join(dir, 'torch.safetensors'))).tensors);
    close(noGrad(() => theirs.forward(x)).data.dataSync(), report.fromTorch, 'PyTorch weights');
    for (const [key, n] of Object.entries(report.batchesTracked)) {
      expect(n).toBe(2);
      expect(Array.from(theirs.stateDict()[key]!.dataSync())).toEqual([2]);
    }
  },
);
