// FileTokenStore's shape rebuilt on DESIGN.md's named libraries: proper-lockfile for the cross-process
// lock, write-file-atomic for the write. Same document, same lock files (one for the document, one per
// key for lock(key, fn)), same 0600 mode, fsync on. Only what the benchmarks exercise: get, set, lock.
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import lockfile from 'proper-lockfile';
import writeFileAtomic from 'write-file-atomic';

export class PeerFileStore {
  /**
   * `stale`: proper-lockfile's option (default 10 000 ms, minimum 2 000); the holder refreshes the
   * lock's mtime every stale/2. Waiting retries with the same jittered 5-100 ms backoff as ours.
   */
  constructor({ path, stale = 10_000, timeoutMs = 30_000 }) {
    this.path = path;
    this.options = {
      stale,
      realpath: false, // the token file may not exist yet
      retries: { retries: Math.ceil(timeoutMs / 50), minTimeout: 5, maxTimeout: 100, factor: 2, randomize: true },
    };
    this.prepared = undefined;
  }

  async get(key) {
    const document = await this.read();
    return document.entries[key]?.value;
  }

  async set(key, value) {
    await this.withLock(this.path, async () => {
      const document = await this.read();
      document.entries[key] = { value };
      await writeFileAtomic(this.path, `${JSON.stringify(document, null, 2)}\n`, { mode: 0o600, fsync: true });
    });
  }

  lock(key, fn) {
    const digest = createHash('sha256').update(key).digest('hex').slice(0, 32);
    // proper-lockfile tracks its locks by the resource path: the key's lock needs a resource of its own.
    return this.withLock(`${this.path}.key-${digest}`, fn);
  }

  /** Holds `<resource>.lock` (a directory, proper-lockfile's way) while `fn` runs. */
  async withLock(resource, fn) {
    this.prepared ??= mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    await this.prepared;
    const release = await lockfile.lock(resource, this.options);
    try {
      return await fn();
    } finally {
      await release();
    }
  }

  async read() {
    let text;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if (error.code === 'ENOENT') {
        return { version: 1, entries: {} };
      }
      throw error;
    }
    return JSON.parse(text);
  }
}
