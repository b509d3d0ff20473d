import { type FileHandle, lstat, open, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { TokenStoreError } from '../errors.js';
import { backoff, KeyedMutex, sleep } from '../internal/async.js';
import { randomHex } from '../internal/encoding.js';
import { readRegularFile, symlinkRefused } from './safe-read.js';

/*
 * A cross-process lock as a file created with O_EXCL (`wx`). Why not proper-lockfile: its stale
 * detection is by age only (5 s minimum), so a CLI killed while holding the lock would make the next
 * run wait. Here the lock file names its owner (pid, host, nonce), so a lock whose owner process is gone
 * (same host) is taken over at once; a lock whose owner we cannot check (another host on a shared
 * file system, or a reused pid) is stale once its mtime, refreshed by the holder, is older than
 * `staleMs`. Breaking a stale lock is itself guarded by a short-lived `.break` file so that two waiters
 * cannot both break it and then both hold it.
 *
 * A lock file whose content is not an owner this module writes (garbage, or JSON without a pid, host and
 * nonce) is treated like an empty one: stale after a short grace. A live lock is never taken: its holder
 * refreshes the mtime, and a pid that is alive here (ours or another user's: EPERM) keeps it held until
 * the heartbeat stops for `staleMs`.
 *
 * A symlink (or a directory, FIFO...) at a lock path is refused at once with `symlink_refused`
 * (`not_a_file`): O_EXCL never creates through a link, so no holder ever made it and none will release
 * it — waiting could only end in `lock_timeout`. Removing it would be harmless to its target (unlink
 * removes the link), but nothing this module writes is a link, so one there was put by someone else in
 * a directory that should be the user's alone: the store names it and lets a person decide, rather than
 * silently tidying up after whoever is tampering with the directory.
 */

interface LockOwner {
  pid: number;
  host: string;
  nonce: string;
}

interface FileLockOptions {
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

/**
 * Runs `fn` while holding the lock file `lockPath`. The timeout counts from this call: waiting behind
 * other callers of this process is part of it.
 */
export function withFileLock<R>(lockPath: string, options: FileLockOptions, fn: () => Promise<R>): Promise<R> {
  const deadline = Date.now() + options.timeoutMs;
  const timeout = () => lockTimeout(lockPath, options.timeoutMs);
  return localQueue.run(
    lockPath,
    async () => {
      const release = await acquire(lockPath, options.staleMs, deadline, timeout);
      try {
        return await fn();
      } finally {
        await release();
      }
    },
    { until: deadline, timeout },
  );
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

async function acquire(
  lockPath: string,
  staleMs: number,
  deadline: number,
  timeout: () => TokenStoreError,
): Promise<() => Promise<void>> {
  const owner: LockOwner = { pid: process.pid, host: hostname(), nonce: randomHex() };
  const content = JSON.stringify(owner);
  let quickRetries = 0;
  for (let attempt = 0; ; attempt++) {
    const handle = await tryCreate(lockPath, content);
    if (handle) {
      return holdUntilReleased(lockPath, handle, content, staleMs);
    }
    const freed = await breakIfStale(lockPath, staleMs);
    // Checked on every turn, whatever happened: no state of the lock path can keep this loop going.
    const left = deadline - Date.now();
    if (left <= 0) {
      throw timeout();
    }
    // A lock just freed is retried at once, but only a few times per call, so this cannot spin.
    if (freed && quickRetries++ < 3) {
      continue;
    }
    await sleep(Math.min(left, backoff(attempt, 5, 100)));
  }
}

function lockTimeout(lockPath: string, timeoutMs: number): TokenStoreError {
  return new TokenStoreError(`Timed out after ${timeoutMs} ms waiting for the lock file ${lockPath}.`, {
    code: 'lock_timeout',
  });
}

/** Creates `path` with O_EXCL (never through a symlink) holding `content`; undefined when it exists. */
async function tryCreate(path: string, content: string): Promise<FileHandle | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      return undefined;
    }
    throw new TokenStoreError(`Cannot create the lock file ${path}.`, { code: 'backend_error', cause: error });
  }
  try {
    await handle.writeFile(content, 'utf8');
  } catch (error) {
    await handle.close().catch(() => {});
    await unlink(path).catch(() => {});
    throw new TokenStoreError(`Cannot write the lock file ${path}.`, { code: 'backend_error', cause: error });
  }
  return handle;
}

function holdUntilReleased(path: string, handle: FileHandle, content: string, staleMs: number): () => Promise<void> {
  // Refresh the mtime so that waiters which cannot check our pid do not take the lock as stale. Through
  // the handle: it touches our lock file, never whatever might have been put at the path since.
  const heartbeat = setInterval(
    () => {
      const now = new Date();
      handle.utimes(now, now).catch(() => {});
    },
    Math.max(100, Math.floor(staleMs / 3)),
  );
  heartbeat.unref?.();
  return async () => {
    clearInterval(heartbeat);
    await handle.close().catch(() => {});
    // Only remove the lock if it is still ours: after a (wrong) stale break it may be another's.
    const current = await readRegularFile(path, { what: 'lock file' }).catch(() => undefined);
    if (current?.text === content) {
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
  const breakHandle = await tryCreate(breaker, String(process.pid));
  if (!breakHandle) {
    // lstat: the break file itself, not what a link there would point to.
    const info = await lstat(breaker).catch(() => undefined);
    if (info?.isSymbolicLink()) {
      throw symlinkRefused(breaker, 'lock file');
    }
    if (info && Date.now() - info.mtimeMs > BREAK_LOCK_STALE_MS) {
      await unlink(breaker).catch(() => {});
    }
    return false;
  }
  await breakHandle.close().catch(() => {});
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
  const read = await readRegularFile(path, { what: 'lock file' });
  return read && { content: read.text, ageMs: Date.now() - read.stats.mtimeMs };
}

function isStale(seen: SeenLock, staleMs: number): boolean {
  const owner = parseOwner(seen.content);
  if (!owner) {
    return seen.ageMs > EMPTY_LOCK_GRACE_MS;
  }
  if (owner.host === hostname() && !isProcessAlive(owner.pid)) {
    return true;
  }
  return seen.ageMs > staleMs;
}

/** The owner named by a lock file, or undefined when it is not one this module writes. */
function parseOwner(content: string): LockOwner | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    return undefined;
  }
  const { pid, host, nonce } = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Partial<LockOwner>;
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0 || typeof host !== 'string') {
    return undefined;
  }
  return typeof nonce === 'string' ? { pid, host, nonce } : undefined;
}
