import { open, readFile, stat, unlink, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { TokenStoreError } from '../errors.ts';
import { backoff, KeyedMutex, sleep } from '../internal/async.ts';
import { randomHex } from '../internal/encoding.ts';

/*
 * A cross-process lock as a file created with O_EXCL (`wx`). Why not proper-lockfile: its stale
 * detection is by age only (5 s minimum), so a CLI killed while holding the lock would make the next
 * run wait. Here the lock file names its owner (pid, host, nonce), so a lock whose owner process is gone
 * (same host) is taken over at once; a lock whose owner we cannot check (another host on a shared
 * file system, or a reused pid) is stale once its mtime, refreshed by the holder, is older than
 * `staleMs`. Breaking a stale lock is itself guarded by a short-lived `.break` file so that two waiters
 * cannot both break it and then both hold it.
 */

interface LockOwner {
  pid: number;
  host: string;
  nonce: string;
}

export interface FileLockOptions {
  /** Give up after this many milliseconds of waiting (TokenStoreError `lock_timeout`). */
  timeoutMs: number;
  /** A lock not refreshed for this long is stale even when its owner cannot be checked. */
  staleMs: number;
}

/** An owner that crashed between creating the lock file and writing it leaves it empty: stale after this. */
const EMPTY_LOCK_GRACE_MS = 1000;
const BREAK_LOCK_STALE_MS = 2000;

// Callers in this process queue here first, so only one of them polls the lock file.
const localQueue = new KeyedMutex();

/** Runs `fn` while holding the lock file `lockPath`. */
export function withFileLock<R>(lockPath: string, options: FileLockOptions, fn: () => Promise<R>): Promise<R> {
  return localQueue.run(lockPath, async () => {
    const release = await acquire(lockPath, options);
    try {
      return await fn();
    } finally {
      await release();
    }
  });
}

/** True when a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) {
    return false;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function acquire(lockPath: string, options: FileLockOptions): Promise<() => Promise<void>> {
  const owner: LockOwner = { pid: process.pid, host: hostname(), nonce: randomHex() };
  const content = JSON.stringify(owner);
  const deadline = Date.now() + options.timeoutMs;
  for (let attempt = 0; ; attempt++) {
    if (await tryCreate(lockPath, content)) {
      return holdUntilReleased(lockPath, content, options.staleMs);
    }
    if (await breakIfStale(lockPath, options.staleMs)) {
      continue;
    }
    if (Date.now() >= deadline) {
      throw new TokenStoreError(`Timed out after ${options.timeoutMs} ms waiting for the lock file ${lockPath}.`, {
        code: 'lock_timeout',
      });
    }
    await sleep(backoff(attempt, 5, 100));
  }
}

async function tryCreate(path: string, content: string): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      return false;
    }
    throw new TokenStoreError(`Cannot create the lock file ${path}.`, { code: 'backend_error', cause: error });
  }
  try {
    await handle.writeFile(content, 'utf8');
  } finally {
    await handle.close();
  }
  return true;
}

function holdUntilReleased(path: string, content: string, staleMs: number): () => Promise<void> {
  // Refresh the mtime so that waiters which cannot check our pid do not take the lock as stale.
  const heartbeat = setInterval(
    () => {
      const now = new Date();
      utimes(path, now, now).catch(() => {});
    },
    Math.max(100, Math.floor(staleMs / 3)),
  );
  heartbeat.unref?.();
  return async () => {
    clearInterval(heartbeat);
    // Only remove the lock if it is still ours: after a (wrong) stale break it may be another's.
    const current = await readFile(path, 'utf8').catch(() => undefined);
    if (current === content) {
      await unlink(path).catch(() => {});
    }
  };
}

/** Returns true when the lock is gone or was broken (retry at once), false when it is held. */
async function breakIfStale(path: string, staleMs: number): Promise<boolean> {
  const seen = await inspect(path);
  if (seen === undefined) {
    return true;
  }
  if (!isStale(seen, staleMs)) {
    return false;
  }
  const breaker = `${path}.break`;
  if (!(await tryCreate(breaker, String(process.pid)))) {
    const info = await stat(breaker).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > BREAK_LOCK_STALE_MS) {
      await unlink(breaker).catch(() => {});
    }
    return false;
  }
  try {
    const again = await inspect(path);
    if (again !== undefined && again.content === seen.content && isStale(again, staleMs)) {
      await unlink(path).catch(() => {});
    }
  } finally {
    await unlink(breaker).catch(() => {});
  }
  return true;
}

interface SeenLock {
  content: string;
  ageMs: number;
}

async function inspect(path: string): Promise<SeenLock | undefined> {
  try {
    const [content, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { content, ageMs: Date.now() - info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw new TokenStoreError(`Cannot read the lock file ${path}.`, { code: 'backend_error', cause: error });
  }
}

function isStale(seen: SeenLock, staleMs: number): boolean {
  let owner: Partial<LockOwner> | undefined;
  try {
    owner = JSON.parse(seen.content) as Partial<LockOwner>;
  } catch {
    owner = undefined;
  }
  if (!owner || typeof owner.pid !== 'number') {
    return seen.ageMs > EMPTY_LOCK_GRACE_MS;
  }
  if (owner.host === hostname() && !isProcessAlive(owner.pid)) {
    return true;
  }
  return seen.ageMs > staleMs;
}
