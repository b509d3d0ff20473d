import { constants, type Stats } from 'node:fs';
import { type FileHandle, lstat, open } from 'node:fs/promises';
import { TokenStoreError } from '../errors.js';

/*
 * Every file the store reads (the token file, lock files) is opened with O_NOFOLLOW, so a symlink at the
 * path fails the open instead of being followed: the check and the read are one step, with no window in
 * which the path could be swapped for a link. O_NONBLOCK makes a FIFO put at the path open at once
 * instead of hanging until a writer comes; fstat on the open handle then refuses anything but a regular
 * file. Windows has neither flag (both are undefined there): an lstat before the open does the check.
 */
const NO_FOLLOW = constants.O_NOFOLLOW;
const READ_FLAGS = constants.O_RDONLY | (NO_FOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

interface SafeReadOptions {
  /** What the file is, for messages: `token file`, `lock file`. */
  what: string;
  /**
   * For the token file: refuse a file of another user (`insecure_permissions`), tighten a mode wider than
   * 0600 to 0600.
   */
  private?: boolean;
}

interface SafeRead {
  text: string;
  stats: Stats;
}

/**
 * Reads the regular file at `path` without following a symlink; `undefined` when nothing is there.
 * Throws `symlink_refused`, `not_a_file`, `insecure_permissions` or `backend_error`. Messages name the
 * path, never the content.
 */
export async function readRegularFile(path: string, options: SafeReadOptions): Promise<SafeRead | undefined> {
  const handle = await openNoFollow(path, options.what);
  if (handle === undefined) {
    return undefined;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      throw new TokenStoreError(
        `The ${options.what} ${path} is not a regular file; Keyway neither reads nor replaces it.`,
        {
          code: 'not_a_file',
        },
      );
    }
    if (options.private) {
      await makePrivate(handle, stats, path, options.what);
    }
    return { text: await handle.readFile('utf8'), stats };
  } catch (error) {
    throw TokenStoreError.is(error) ? error : backendError(path, options.what, error);
  } finally {
    await handle.close().catch(() => {});
  }
}

/** True when `path` itself (not what it points to) is a symbolic link. */
async function isSymlink(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isSymbolicLink();
  } catch {
    return false;
  }
}

/** The error for a symlink at one of the store's paths. */
export function symlinkRefused(path: string, what: string, cause?: unknown): TokenStoreError {
  const fix = what === 'token file' ? 'Remove it, or pass the real file as `path`.' : 'Remove it.';
  return new TokenStoreError(
    `The ${what} ${path} is a symbolic link; Keyway never reads or writes through a link. ${fix}`,
    {
      code: 'symlink_refused',
      cause,
    },
  );
}

async function openNoFollow(path: string, what: string): Promise<FileHandle | undefined> {
  if (NO_FOLLOW === undefined && (await isSymlink(path))) {
    throw symlinkRefused(path, what);
  }
  try {
    return await open(path, READ_FLAGS);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    // A symlink under O_NOFOLLOW is ELOOP on Linux, EMLINK on FreeBSD, EFTYPE on NetBSD: ask lstat.
    if (await isSymlink(path)) {
      throw symlinkRefused(path, what, error);
    }
    throw backendError(path, what, error);
  }
}

async function makePrivate(handle: FileHandle, stats: Stats, path: string, what: string): Promise<void> {
  const uid = process.getuid?.();
  if (uid === undefined) {
    // Windows: access is by ACL, which the user profile directory already restricts; modes mean nothing.
    return;
  }
  if (stats.uid !== uid) {
    throw new TokenStoreError(
      `The ${what} ${path} belongs to another user (uid ${stats.uid}), who could have written anything into it; Keyway reads only its own user's file. Remove it.`,
      { code: 'insecure_permissions' },
    );
  }
  // Group or other bits, owner execute, setuid, setgid, sticky: anything past 0600.
  if ((stats.mode & 0o7177) !== 0) {
    // fchmod on the handle: the file we checked, even if the path was swapped meanwhile.
    await handle.chmod(0o600);
  }
}

function backendError(path: string, what: string, cause: unknown): TokenStoreError {
  return new TokenStoreError(`Cannot read the ${what} ${path}.`, { code: 'backend_error', cause });
}
