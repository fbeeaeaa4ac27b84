import { mkdir, open, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { removeStaleTemporaries } from '@nablajs/nn';
import { UsageError } from 'app-kit';

/**
 * Checks, before the data is loaded or a step is taken, that the trainer can write where it was told:
 * `--save` (a file whose folder exists and takes new files) and `--out` (a folder, made if missing).
 * A wrong path once trained a whole sweep before it failed. Also removes the temporary files a killed
 * run left beside the checkpoint. Throws a UsageError naming the flag and the path.
 */
export async function checkOutputs(o: { save?: string; out?: string }): Promise<void> {
  if (o.save !== undefined) {
    const fail = (why: string): never => {
      throw new UsageError(`--save ${o.save}: ${why}`);
    };
    const dir = dirname(o.save);
    const folder = await stat(dir).catch(() => null);
    if (!folder) fail(`the folder ${dir} does not exist`);
    if (!folder!.isDirectory()) fail(`${dir} is not a folder`);
    if ((await stat(o.save).catch(() => null))?.isDirectory()) fail('is a folder, not a file');
    await probe(dir).catch((e: Error) => fail(`cannot write in ${dir} (${e.message})`));
    await removeStaleTemporaries(o.save);
  }
  if (o.out !== undefined) {
    const out = o.out;
    await mkdir(out, { recursive: true }).catch((e: Error) => {
      throw new UsageError(`--out ${out}: cannot make the folder (${e.message})`);
    });
    await probe(out).catch((e: Error) => {
      throw new UsageError(`--out ${out}: cannot write in it (${e.message})`);
    });
  }
}

/** Creates and removes a file in `dir`: what "writable" means (permissions, read-only mounts, …). */
async function probe(dir: string): Promise<void> {
  const file = join(dir, `.nabla-write-check-${process.pid}`);
  const fh = await open(file, 'w');
  await fh.close();
  await unlink(file);
}
