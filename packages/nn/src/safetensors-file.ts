import type { Backend } from '@nablajs/tensor';
import type { Module } from './module.js';
import {
  type Metadata,
  type Safetensors,
  type StateDict,
  deserialize,
  serializeAsync,
} from './safetensors.js';

// safetensors files (Node, Deno, Bun): an atomic save and a load, on top of the byte format of
// safetensors.ts; node:fs is imported when called, so browsers can bundle the package.

/** `path.tmp-<pid>-<8 letters>`: the temporary file `save` writes before it renames. */
const tmpName = (path: string, pid: number) =>
  `${path}.tmp-${pid}-${Math.random().toString(36).slice(2, 10).padEnd(8, '0')}`;

/**
 * Removes the temporary files a `save` to `path` left behind when its process was killed
 * (`path.tmp-<pid>-…` of a process that no longer runs); returns their paths. `save` calls it;
 * an app may call it when it starts. Files of live processes and other names are left alone.
 */
export async function removeStaleTemporaries(path: string): Promise<string[]> {
  const { readdir, unlink } = await import('node:fs/promises');
  const { basename, dirname, join } = await import('node:path');
  const dir = dirname(path);
  const prefix = `${basename(path)}.tmp-`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return []; // no folder: nothing to clean, and save says what is wrong
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = name.startsWith(prefix)
      ? /^(\d+)-[0-9a-z]{8}$/.exec(name.slice(prefix.length))
      : null;
    if (!m || isAlive(Number(m[1]))) continue;
    const file = join(dir, name);
    await unlink(file).then(
      () => removed.push(file),
      () => undefined, // another process cleaned it first
    );
  }
  return removed;
}

/** Whether process `pid` runs (signal 0 checks without sending anything). */
function isAlive(pid: number): boolean {
  const proc = (globalThis as { process?: { pid: number; kill(pid: number, sig: 0): void } })
    .process;
  if (!proc || pid === proc.pid) return true;
  try {
    proc.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM'; // it runs, as another user
  }
}

/**
 * Saves a module's (or a state dict's) tensors to a safetensors file (Node, Deno, Bun). Atomic: the
 * bytes go to a temporary file beside `path`, are flushed to disk (fsync), and the file is renamed
 * over `path`, so a crash leaves the old file or the new one, never half of one; temporary files a
 * killed writer left are removed first. Errors name `path`, not the temporary file.
 */
export async function save(
  source: Module | StateDict,
  path: string,
  metadata?: Metadata,
): Promise<void> {
  const bytes = await serializeAsync(source, metadata);
  const { open, rename, unlink } = await import('node:fs/promises');
  const { dirname } = await import('node:path');
  const pid = (globalThis as { process?: { pid?: number } }).process?.pid ?? 0;
  await removeStaleTemporaries(path);
  const tmp = tmpName(path, pid);
  try {
    const fh = await open(tmp, 'wx');
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw writeError(path, dirname(path), e);
  }
  // make the rename itself durable; not every platform can open a directory
  try {
    const dir = await open(dirname(path), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch {
    // best effort
  }
}

/** A file-system error of `save` restated for `path` (the temporary file is ours, not the user's);
 * `code` and `cause` are kept. */
function writeError(path: string, dir: string, e: unknown): Error {
  const code = (e as { code?: string }).code;
  if (!code) return e as Error;
  const why: Record<string, string> = {
    ENOENT: `the folder ${dir} does not exist`,
    ENOTDIR: `${dir} is not a folder`,
    EACCES: `no permission to write in ${dir}`,
    EPERM: `no permission to write in ${dir}`,
    EROFS: `${dir} is on a read-only file system`,
    ENOSPC: 'the disk is full (the previous file, if any, is unchanged)',
    EISDIR: `${path} is a folder`,
  };
  const err = new Error(
    `save: cannot write ${path}: ${why[code] ?? (e as Error).message} (${code})`,
    {
      cause: e,
    },
  );
  return Object.assign(err, { code });
}

/** Reads a safetensors file (Node): its tensors (on `backend`, by default the current one) and metadata. */
export async function load(path: string, opts: { backend?: Backend } = {}): Promise<Safetensors> {
  const { readFile } = await import('node:fs/promises');
  const bytes = await readFile(path);
  return deserialize(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
    ...opts,
    name: path,
  });
}
