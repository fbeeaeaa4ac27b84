// The WebGPU samples, apart from the CPU ones (they select another backend). They run where an
// adapter exists: Dawn (the `webgpu` package) in Node, on SwiftShader in CI, where
// NABLA_REQUIRE_WEBGPU=1 turns a missing adapter into a failure instead of a skip.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { webgpu } from '@nablajs/backend-webgpu';
import { beforeAll, describe, expect, it, vi } from 'vitest';

const reason = await webgpu().then(
  () => null,
  (e: unknown) => `no WebGPU adapter: ${(e as Error).message}`,
);
const required = Boolean(process.env.NABLA_REQUIRE_WEBGPU);
if (reason && !required) console.warn(`WebGPU samples skipped: ${reason}`);

describe.skipIf(reason !== null && !required)('WebGPU samples', () => {
  beforeAll(() => void vi.spyOn(console, 'log').mockImplementation(() => {}));

  it('finds an adapter', () => expect(reason).toBeNull());

  it('webgpu-node', async () => {
    const m = await import('../samples/webgpu-node.ts');
    expect(m.result).toEqual([
      [8, 11],
      [16, 23],
    ]);
    expect(m.sync).toBe(false);
  });

  // The first network's program on WebGPU gives the losses it prints on the CPU (run here in a
  // process of its own, so that its backend choice stays there), to float32 rounding.
  it('webgpu-train', async () => {
    const { losses } = await import('../samples/webgpu-train.ts');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--conditions=@nablajs/source', 'samples/first-network.ts'],
      { cwd: fileURLToPath(new URL('..', import.meta.url)) },
    );
    const onCpu = stdout
      .trim()
      .split('\n')
      .map((line) => Number(line.split(' ')[1]));
    expect(losses).toHaveLength(5);
    expect(onCpu).toHaveLength(5);
    losses.forEach((l, i) => expect(Math.abs(l / onCpu[i]! - 1)).toBeLessThan(1e-3));
  });

  // Without navigator.gpu, webgpu() falls back to Dawn: the browser sample runs in Node too.
  it('webgpu-browser', async () => {
    const m = await import('../samples/webgpu-browser.ts');
    expect(Number.isFinite(m.total)).toBe(true);
    expect(m.total).toBeGreaterThan(0); // a sum of ReLU outputs
  });
});
