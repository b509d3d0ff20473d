import { chmod, stat } from 'node:fs/promises';
import { TokenStoreError } from '../errors.js';

/*
 * Whoever can write to the token directory can swap the token file, plant a symlink at a lock path or
 * remove a lock: the directory must be the user's own and closed to others' writes. The directory itself
 * may be a symlink (a cache directory moved to another disk is common): its target is what is checked.
 * Its parents are the user's business.
 */

/**
 * Checks the token directory: nothing to do when it does not exist (yet); a directory of another user,
 * or a shared one (sticky bit, like /tmp) that others can write to, throws `insecure_permissions` naming
 * it; one of ours that is group- or world-writable is tightened to 0700.
 */
export async function secureDirectory(dir: string): Promise<void> {
  let stats: Awaited<ReturnType<typeof stat>>;
  try {
    stats = await stat(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return;
    }
    throw new TokenStoreError(`Cannot check the token directory ${dir}.`, { code: 'backend_error', cause: error });
  }
  if (!stats.isDirectory()) {
    throw new TokenStoreError(`The token directory ${dir} is not a directory.`, { code: 'backend_error' });
  }
  const uid = process.getuid?.();
  if (uid === undefined) {
    // Windows: access is by ACL, which the user profile directory already restricts; modes mean nothing.
    return;
  }
  if (stats.uid !== uid) {
    throw new TokenStoreError(
      `The token directory ${dir} belongs to another user (uid ${stats.uid}), who could replace the token file; give the store a directory of your own.`,
      { code: 'insecure_permissions' },
    );
  }
  if ((stats.mode & 0o022) === 0) {
    return;
  }
  if ((stats.mode & 0o1000) !== 0) {
    // Shared by design (/tmp): closing it would break every other user of it, so refuse instead.
    throw new TokenStoreError(
      `The token directory ${dir} is a shared directory that other users can write to; give the store a directory of its own.`,
      { code: 'insecure_permissions' },
    );
  }
  try {
    await chmod(dir, 0o700);
  } catch (cause) {
    throw new TokenStoreError(`The token directory ${dir} is writable by other users and cannot be made private.`, {
      code: 'insecure_permissions',
      cause,
    });
  }
}
