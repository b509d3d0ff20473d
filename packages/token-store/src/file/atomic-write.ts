import { open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomHex } from '../internal/encoding.js';
import { isProcessAlive } from './lock-file.js';

/**
 * Replaces `path` with `data` so that a reader (or a crash) sees either the old or the new file, never
 * a mix: a temp file in the same directory, fsync, rename over the target, then fsync the directory
 * so the rename itself is durable.
 */
export async function writeFileAtomic(path: string, data: string, mode = 0o600): Promise<void> {
  const temp = `${path}.${process.pid}.${randomHex(6)}.tmp`;
  const handle = await open(temp, 'wx', mode);
  try {
    try {
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
  await syncDirectory(dirname(path));
}

async function syncDirectory(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Windows cannot open or fsync a directory; the rename is as durable as that platform allows.
  } finally {
    await handle?.close().catch(() => {});
  }
}

/** Removes temp files left by writers that died mid-write (their pid is gone). */
export async function removeOrphanTempFiles(path: string): Promise<void> {
  const dir = dirname(path);
  const prefix = `${basename(path)}.`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) {
      continue;
    }
    const match = /^(\d+)\.[0-9a-f]+\.tmp$/.exec(name.slice(prefix.length));
    if (match && !isProcessAlive(Number(match[1]))) {
      await unlink(join(dir, name)).catch(() => {});
    }
  }
}
