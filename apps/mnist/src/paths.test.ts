import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from 'app-kit';
import { afterAll, describe, expect, test } from 'vitest';
import { checkOutputs } from './paths.js';

const dir = mkdtempSync(join(tmpdir(), 'nabla-paths-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the trainer checks where it will write before any work', () => {
  test('a --save in a missing folder, under a file, or naming a folder is refused', async () => {
    writeFileSync(join(dir, 'a-file'), 'x');
    mkdirSync(join(dir, 'a-folder'));
    const cases: [string, string][] = [
      [join(dir, 'missing', 'ck.safetensors'), `the folder ${join(dir, 'missing')} does not exist`],
      [join(dir, 'a-file', 'ck.safetensors'), `${join(dir, 'a-file')} is not a folder`],
      [join(dir, 'a-folder'), 'is a folder, not a file'],
    ];
    for (const [save, why] of cases) {
      const err = await checkOutputs({ save }).catch((e: unknown) => e);
      expect(err, save).toBeInstanceOf(UsageError);
      expect((err as Error).message, save).toBe(`--save ${save}: ${why}`);
    }
  });

  test('a --out that cannot be a folder is refused; a new one is made', async () => {
    const out = join(dir, 'a-file', 'results');
    await expect(checkOutputs({ out })).rejects.toThrow(`--out ${out}: `);
    await expect(checkOutputs({ out: join(dir, 'new', 'results') })).resolves.toBeUndefined();
    expect(readdirSync(join(dir, 'new'))).toEqual(['results']);
    expect(readdirSync(join(dir, 'new', 'results'))).toEqual([]); // the probe is gone
  });

  test('a writable --save passes, and temporary files of a killed run are removed', async () => {
    const save = join(dir, 'ok.safetensors');
    const stale = `${save}.tmp-4194305-abcdefgh`; // a pid above Linux's limit: never alive
    writeFileSync(stale, 'half a checkpoint');
    await expect(checkOutputs({ save })).resolves.toBeUndefined();
    expect(readdirSync(dir)).not.toContain('ok.safetensors.tmp-4194305-abcdefgh');
  });
});
