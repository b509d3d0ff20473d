import { createHash } from 'node:crypto';
import { lstat, mkdir, rename } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { TokenStoreError } from '../errors.js';
import { randomHex } from '../internal/encoding.js';
import { assertStorable, expiryOf, isExpired } from '../internal/expiry.js';
import { millisecondsOption } from '../internal/options.js';
import type { SetOptions, StoredTokenSet, TokenStore } from '../types.js';
import { removeOrphanTempFiles, writeFileAtomic } from './atomic-write.js';
import { secureDirectory } from './directory.js';
import { withFileLock } from './lock-file.js';
import { defaultTokenFilePath } from './paths.js';
import { readRegularFile } from './safe-read.js';

/** The schema version this release reads and writes. */
const VERSION = 1;

interface FileEntry {
  value: StoredTokenSet;
  /** Expiry in epoch milliseconds. */
  expiresAt?: number;
}

interface TokenDocument {
  version: typeof VERSION;
  entries: Record<string, FileEntry>;
}

/**
 * The token file did not parse or did not have the expected shape. It was moved aside to `movedTo`
 * (kept, never deleted) and the store went on with an empty document.
 *
 * @example
 * ```ts
 * import { CorruptTokenFileError, FileTokenStore } from '@keyway/token-store/file';
 *
 * const store = new FileTokenStore({
 *   onCorrupt: (error: CorruptTokenFileError) => {
 *     process.stderr.write(`${error.message}\n`); // "... moved aside to ...corrupt-..."
 *   },
 * });
 * ```
 */
export class CorruptTokenFileError extends TokenStoreError {
  static override readonly brand: string = 'CorruptTokenFileError';
  static override readonly revivable: readonly string[] = ['path', 'movedTo'] satisfies (keyof CorruptTokenFileError)[];
  /** The token file. */
  readonly path: string;
  /** Where the damaged file now is. */
  readonly movedTo: string;

  constructor(path: string, movedTo: string, reason: string) {
    super(`The token file ${path} is corrupt (${reason}); it was moved aside to ${movedTo} and a new one is used.`, {
      code: 'corrupt_file',
    });
    this.path = path;
    this.movedTo = movedTo;
  }
}

/**
 * Options of {@link FileTokenStore}.
 */
export interface FileTokenStoreOptions {
  /** The token file; defaults to {@link defaultTokenFilePath} (`<user cache dir>/keyway/tokens.json`). */
  path?: string;
  /**
   * Called when a corrupt file was moved aside. Defaults to `process.emitWarning` (code
   * `KEYWAY_TOKEN_FILE_CORRUPT`).
   */
  onCorrupt?: (error: CorruptTokenFileError) => void;
  /**
   * Give up waiting for a lock after this many milliseconds (0 to 2 147 483 647), counted from the call.
   * Default 30 000.
   */
  lockTimeoutMs?: number;
  /**
   * A lock whose owner cannot be checked (another host, a reused pid) is stale after this many
   * milliseconds without a heartbeat (1000 to 2 147 483 647). A lock whose owner process is gone is taken
   * over at once. Default 30 000.
   */
  staleLockMs?: number;
  /** Clock in epoch milliseconds; defaults to `Date.now`. */
  now?: () => number;
}

/**
 * Keeps token sets in one JSON file, shared by every process of the user: the store of CLIs and
 * desktop tools. Node only.
 *
 * - The file is `{ "version": 1, "entries": { "<key>": { "value": {...}, "expiresAt"?: <epoch ms> } } }`,
 *   mode 0600, in a directory created with mode 0700.
 * - Writes are atomic (temp file in the same directory, fsync, rename, directory fsync) and every
 *   read-modify-write runs under a cross-process lock file (`<path>.lock`, created with O_EXCL; a lock
 *   left by a dead process is taken over at once).
 * - `lock(key, fn)` holds a separate per-key lock file, so `fn` may call `get`/`set`/`delete`. It is
 *   not re-entrant: do not call `lock` on the same key inside `fn`.
 * - It refuses what a careless or hostile neighbour could leave: a symlink at the token file or a lock
 *   path (`symlink_refused`), something other than a regular file there (`not_a_file`), a directory or
 *   token file of another user, or a shared directory others can write to (`insecure_permissions`).
 *   A directory of the user's that others can write to is tightened to 0700, a token file to 0600.
 * - A file written by a newer version of this package throws `unsupported_version` and is never
 *   overwritten. A corrupt or truncated file is moved aside to `<path>.corrupt-<timestamp>`, reported
 *   through `onCorrupt`, and the store goes on with an empty document.
 *
 * @example
 * ```ts
 * import { FileTokenStore } from '@keyway/token-store/file';
 *
 * const store = new FileTokenStore(); // ~/.cache/keyway/tokens.json on Linux
 * await store.set('key', { access_token: 'at', refresh_token: 'rt' });
 * await store.lock('key', async () => {
 *   const current = await store.get('key');
 *   // refresh `current`, then store.set(...): no other process does the same meanwhile
 * });
 * ```
 */
export class FileTokenStore<T extends StoredTokenSet = StoredTokenSet> implements TokenStore<T> {
  /** The absolute path of the token file. */
  readonly path: string;
  readonly #onCorrupt: (error: CorruptTokenFileError) => void;
  readonly #lockOptions: { timeoutMs: number; staleMs: number };
  readonly #now: () => number;
  #prepared: Promise<void> | undefined;

  constructor(options: FileTokenStoreOptions = {}) {
    this.path = resolve(options.path ?? defaultTokenFilePath());
    this.#onCorrupt =
      options.onCorrupt ??
      ((error) => process.emitWarning(error.message, { code: 'KEYWAY_TOKEN_FILE_CORRUPT', type: 'TokenStoreWarning' }));
    this.#lockOptions = {
      timeoutMs: millisecondsOption('lockTimeoutMs', options.lockTimeoutMs, 30_000),
      // Below a second a holder's heartbeat (every third of it, at least 100 ms) could not keep a live
      // lock fresh through a GC pause or a slow disk, and waiters would take it.
      staleMs: millisecondsOption('staleLockMs', options.staleLockMs, 30_000, 1000),
    };
    this.#now = options.now ?? Date.now;
  }

  async get(key: string): Promise<T | undefined> {
    const document = await this.#readLive();
    const entry = document.entries[key];
    if (!entry || isExpired(entry.expiresAt, this.#now())) {
      return undefined;
    }
    return entry.value as T;
  }

  /**
   * The keys that hold a live (unexpired) token set, sorted. With `parseTokenKey()` (from
   * `@keyway/token-store`) this lists the stored logins without reading any token.
   *
   * @example
   * ```ts
   * import { parseTokenKey } from '@keyway/token-store';
   * import { FileTokenStore } from '@keyway/token-store/file';
   *
   * for (const key of await new FileTokenStore().keys()) console.log(parseTokenKey(key)?.issuer);
   * ```
   */
  async keys(): Promise<string[]> {
    const document = await this.#readLive();
    const now = this.#now();
    return Object.entries(document.entries)
      .filter(([, entry]) => !isExpired(entry.expiresAt, now))
      .map(([key]) => key)
      .sort();
  }

  async set(key: string, value: T, options?: SetOptions): Promise<void> {
    assertStorable(value);
    const now = this.#now();
    const expiresAt = expiryOf(value, options, now);
    await this.#underFileLock(async () => {
      const document = await this.#readForWrite();
      if (isExpired(expiresAt, now)) {
        delete document.entries[key];
      } else {
        document.entries[key] = expiresAt === undefined ? { value } : { value, expiresAt };
      }
      await this.#write(document, now);
    });
  }

  async delete(key: string): Promise<void> {
    await this.#underFileLock(async () => {
      const document = await this.#readForWrite();
      if (Object.hasOwn(document.entries, key)) {
        delete document.entries[key];
        await this.#write(document, this.#now());
      }
    });
  }

  /** Runs `fn` while holding a cross-process lock on `key` (a lock file beside the token file). */
  async lock<R>(key: string, fn: () => Promise<R>): Promise<R> {
    await this.#prepare();
    const digest = createHash('sha256').update(key).digest('hex').slice(0, 32);
    return withFileLock(`${this.path}.lock-${digest}`, this.#lockOptions, fn);
  }

  /** The document for `get` and `keys`. */
  async #readLive(): Promise<TokenDocument> {
    await secureDirectory(dirname(this.path));
    try {
      // No lock for reads: writes replace the file atomically, so a read sees a whole document.
      return await this.#read();
    } catch (error) {
      if (!(error instanceof CorruptFile)) {
        throw error;
      }
      return this.#underFileLock(() => this.#readForWrite());
    }
  }

  async #underFileLock<R>(fn: () => Promise<R>): Promise<R> {
    await this.#prepare();
    return withFileLock(`${this.path}.lock`, this.#lockOptions, fn);
  }

  /** Creates the directory (once) and checks it (every time: its mode may change under us). */
  async #prepare(): Promise<void> {
    await this.#created();
    await secureDirectory(dirname(this.path));
  }

  #created(): Promise<void> {
    this.#prepared ??= (async () => {
      try {
        await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
      } catch (cause) {
        this.#prepared = undefined;
        throw new TokenStoreError(`Cannot create the directory of the token file ${this.path}.`, {
          code: 'backend_error',
          cause,
        });
      }
    })();
    return this.#prepared;
  }

  /**
   * Reads the document, never through a symlink and only from a regular file of this user (tightened to
   * 0600); throws `CorruptFile` (internal) for a damaged one.
   */
  async #read(): Promise<TokenDocument> {
    const read = await readRegularFile(this.path, { what: 'token file', private: true });
    if (read === undefined) {
      return { version: VERSION, entries: emptyEntries() };
    }
    return parseDocument(read.text, this.path);
  }

  /** Under the file lock: reads the document, moving a corrupt one aside. */
  async #readForWrite(): Promise<TokenDocument> {
    try {
      return await this.#read();
    } catch (error) {
      if (!(error instanceof CorruptFile)) {
        throw error;
      }
      const movedTo = await this.#moveAside();
      this.#onCorrupt(new CorruptTokenFileError(this.path, movedTo, error.reason));
      return { version: VERSION, entries: emptyEntries() };
    }
  }

  async #moveAside(): Promise<string> {
    const stamp = new Date(this.#now()).toISOString().replace(/[:.]/g, '-');
    let target = `${this.path}.corrupt-${stamp}`;
    if (await exists(target)) {
      target = `${target}-${randomHex(4)}`;
    }
    try {
      await rename(this.path, target);
    } catch (cause) {
      throw new TokenStoreError(`Cannot move the corrupt token file ${this.path} aside.`, {
        code: 'backend_error',
        cause,
      });
    }
    return target;
  }

  async #write(document: TokenDocument, now: number): Promise<void> {
    for (const [key, entry] of Object.entries(document.entries)) {
      if (isExpired(entry.expiresAt, now)) {
        delete document.entries[key];
      }
    }
    try {
      await writeFileAtomic(this.path, `${JSON.stringify(document, null, 2)}\n`);
    } catch (cause) {
      throw new TokenStoreError(`Cannot write the token file ${this.path}.`, { code: 'backend_error', cause });
    }
    // Writers killed mid-write leave temp files; sweep them now that we hold the lock.
    await removeOrphanTempFiles(this.path);
  }
}

/** Internal marker: the file is damaged. Never leaves this module. */
class CorruptFile extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

function parseDocument(text: string, path: string): TokenDocument {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // The parse error is not kept: its message quotes file content, which holds tokens.
    throw new CorruptFile(text.trim() === '' ? 'empty file' : 'not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CorruptFile('not a JSON object');
  }
  const { version, entries } = parsed as { version?: unknown; entries?: unknown };
  if (typeof version === 'number' && Number.isInteger(version) && version > VERSION) {
    throw new TokenStoreError(
      `The token file ${path} has schema version ${version}, written by a newer @keyway/token-store; upgrade to use it. It was left untouched.`,
      { code: 'unsupported_version' },
    );
  }
  if (version !== VERSION) {
    throw new CorruptFile('missing or invalid "version"');
  }
  if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) {
    throw new CorruptFile('missing or invalid "entries"');
  }
  const clean = emptyEntries();
  for (const [key, entry] of Object.entries(entries)) {
    if (!isFileEntry(entry)) {
      throw new CorruptFile('an entry has an invalid shape');
    }
    clean[key] = entry;
  }
  return { version: VERSION, entries: clean };
}

// No prototype: a key such as `__proto__` is then an ordinary entry.
function emptyEntries(): Record<string, FileEntry> {
  return Object.create(null) as Record<string, FileEntry>;
}

function isFileEntry(entry: unknown): entry is FileEntry {
  if (typeof entry !== 'object' || entry === null) {
    return false;
  }
  const { value, expiresAt } = entry as { value?: unknown; expiresAt?: unknown };
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as StoredTokenSet).access_token === 'string' &&
    (expiresAt === undefined || typeof expiresAt === 'number')
  );
}

/** True when anything, a dangling symlink included, is at `path`. */
async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}
