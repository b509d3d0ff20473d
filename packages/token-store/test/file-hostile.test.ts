/*
 * FileTokenStore in a hostile or careless local environment: symlinks and other non-files where the store
 * expects its own files, loose permissions, other users' files, dead and foreign locks, bad options. Every
 * case uses real files in a fresh temp dir, real symlinks and FIFOs, and real processes where a pid matters.
 * The suite runs as root in CI, where permission checks are bypassed: nothing here depends on EACCES.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import {
  chmod,
  chown,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TokenStoreError, type TokenStoreErrorCode } from '../src/errors.js';
import { FileTokenStore } from '../src/file.js';
import { fixturesDir, requireDist } from './harness/node.js';

const SECRET = 'S3CR3T-hostile-neighbour-4d2a';
const tokens = { access_token: `at-${SECRET}`, refresh_token: `rt-${SECRET}` };
/** A whole token document holding `tokens` under `k`, as the store writes it. */
const documentText = `${JSON.stringify({ version: 1, entries: { k: { value: tokens } } }, null, 2)}\n`;
const LOCK_TIMEOUT = 1500;
const MAX_TIMER_MS = 2 ** 31 - 1;

let dir: string;
/** The token file; its directory (`<temp>/tokens`) is not created. */
let path: string;
const children: ChildProcess[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyway-hostile-'));
  path = join(dir, 'tokens', 'tokens.json');
});
afterEach(async () => {
  vi.restoreAllMocks();
  for (const child of children.splice(0)) {
    child.kill('SIGKILL');
  }
  await rm(dir, { recursive: true, force: true });
});

function store(options: { lockTimeoutMs?: number; staleLockMs?: number } = {}): FileTokenStore {
  return new FileTokenStore({
    path,
    lockTimeoutMs: LOCK_TIMEOUT,
    onCorrupt: () => expect.fail('no file is corrupt here'),
    ...options,
  });
}

/** A store holding `tokens` under `k`, its lock files gone. */
async function storeWithTokens(): Promise<FileTokenStore> {
  const s = store();
  await s.set('k', tokens);
  return s;
}

/** Awaits `promise` for at most `ms`: a spin or a hang fails the test instead of stalling the runner. */
async function within<R>(ms: number, promise: Promise<R>): Promise<{ value: R; ms: number }> {
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running after ${ms} ms (spinning or hung)`)), ms);
  });
  try {
    const value = await Promise.race([promise, hung]);
    return { value, ms: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

/** Expects `promise` to reject, well within the lock timeout, with exactly a TokenStoreError of `code`. */
async function expectRefused(
  promise: Promise<unknown>,
  code: TokenStoreErrorCode,
  maxMs = LOCK_TIMEOUT,
): Promise<TokenStoreError> {
  const { value: error, ms } = await within(
    maxMs + 1000,
    promise.then(
      () => {
        throw new Error(`expected ${code}, but the call succeeded`);
      },
      (e: unknown) => e,
    ),
  );
  expect(error).toBeInstanceOf(TokenStoreError);
  expect((error as Error).constructor).toBe(TokenStoreError);
  expect((error as TokenStoreError).code, String(error)).toBe(code);
  expect(ms).toBeLessThan(maxMs);
  expectNoSecrets(error);
  return error as TokenStoreError;
}

/** Expects `promise` to succeed well within the lock timeout. */
async function expectDone<R>(promise: Promise<R>): Promise<R> {
  const { value, ms } = await within(LOCK_TIMEOUT + 1000, promise);
  expect(ms).toBeLessThan(LOCK_TIMEOUT);
  return value;
}

function expectNoSecrets(error: unknown): void {
  const shown = [
    String(error),
    JSON.stringify(error),
    inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
    (error as Error).stack ?? '',
  ];
  for (const text of shown) {
    expect(text).not.toContain(SECRET);
  }
}

/** The name of the lock file `lock(key)` uses, seen from inside the lock. */
async function keyLockPath(s: FileTokenStore, key: string): Promise<string> {
  const names = await s.lock(key, () => readdir(join(path, '..')));
  const name = names.find((n) => n.startsWith('tokens.json.lock-'));
  expect(name).toBeDefined();
  return join(path, '..', name!);
}

/** Puts a symlink of the given kind at `at`. */
const links: Record<string, (at: string) => Promise<void>> = {
  dangling: (at) => symlink(join(dir, 'nowhere'), at),
  'looping (a -> b -> a)': async (at) => {
    await symlink(at, `${at}.b`);
    await symlink(`${at}.b`, at);
  },
  'to a file of tokens': async (at) => {
    await writeFile(join(dir, 'elsewhere.json'), documentText, { mode: 0o600 });
    await symlink(join(dir, 'elsewhere.json'), at);
  },
};

async function expectStillALink(at: string): Promise<void> {
  expect((await lstat(at)).isSymbolicLink()).toBe(true);
  if ((await lstat(join(dir, 'elsewhere.json')).catch(() => undefined)) !== undefined) {
    expect(await readFile(join(dir, 'elsewhere.json'), 'utf8')).toBe(documentText);
  }
}

/** Makes `at` belong to another user. Needs root, as in CI: only root can give a file away. */
async function giveToAnotherUser(at: string): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new Error('this test chowns a file to another user, which needs root (CI runs the suite as root)');
  }
  await chown(at, 4242, 4242);
}

function modeOf(stats: { mode: number }): number {
  return stats.mode & 0o7777;
}

describe('FileTokenStore options', () => {
  const bad: Array<[string, unknown]> = [
    ['NaN', Number.NaN],
    ['negative', -1],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['past the timer range (2^31)', 2 ** 31],
    ['far past the timer range', 1e12],
    ['a string', '5000'],
    ['null', null],
  ];
  for (const option of ['lockTimeoutMs', 'staleLockMs'] as const) {
    for (const [label, value] of bad) {
      it(`refuses ${option} ${label} with invalid_options at construction`, () => {
        let error: unknown;
        try {
          new FileTokenStore({ path, [option]: value as number });
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(TokenStoreError);
        expect((error as Error).constructor).toBe(TokenStoreError);
        expect((error as TokenStoreError).code).toBe('invalid_options');
        expect((error as TokenStoreError).message).toContain(`\`${option}\``);
      });
    }
  }

  it('refuses a staleLockMs under a second, which would let waiters take live locks', () => {
    expect(() => new FileTokenStore({ path, staleLockMs: 999 })).toThrow(
      expect.objectContaining({ code: 'invalid_options', message: expect.stringContaining('staleLockMs') }),
    );
    expect(() => new FileTokenStore({ path, staleLockMs: 1000 })).not.toThrow();
  });

  it('takes the longest timer value for both, and never hands a timer more than that', async () => {
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    const setIntervalSpy = vi.spyOn(globalThis, 'setInterval');
    const s = store({ lockTimeoutMs: MAX_TIMER_MS, staleLockMs: MAX_TIMER_MS });
    await s.set('k', tokens);
    await s.lock('k', () => s.set('k', tokens));
    const delays = [...setTimeoutSpy.mock.calls, ...setIntervalSpy.mock.calls].map(([, delay]) => delay);
    // The heartbeat of the lock holder, at least.
    expect(setIntervalSpy).toHaveBeenCalled();
    for (const delay of delays) {
      expect(delay === undefined || (Number.isFinite(delay) && delay >= 0 && delay <= MAX_TIMER_MS), `${delay}`).toBe(
        true,
      );
    }
  });

  it('with lockTimeoutMs 0 tries the lock once: free it is taken, held it fails at once', async () => {
    const s = store({ lockTimeoutMs: 0 });
    await s.set('k', tokens);
    await writeFile(`${path}.lock`, JSON.stringify({ pid: process.pid, host: hostname(), nonce: 'theirs' }));
    await expectRefused(s.set('k', tokens), 'lock_timeout', 200);
  });
});

describe('FileTokenStore refuses symlinks', () => {
  for (const [kind, plant] of Object.entries(links)) {
    it(`with a ${kind} symlink as the token file: get, keys, set and delete refuse it at once; lock works`, async () => {
      await mkdir(join(path, '..'), { recursive: true, mode: 0o700 });
      await plant(path);
      const s = store();
      for (const call of [
        () => s.get('k'),
        () => s.keys(),
        () => s.set('k', { access_token: 'at-new' }),
        () => s.delete('k'),
      ]) {
        const error = await expectRefused(call(), 'symlink_refused');
        expect(error.message).toContain(`token file ${path} is a symbolic link`);
      }
      expect(await expectDone(s.lock('k', async () => 'ran'))).toBe('ran');
      // Never read through, never written through, never replaced.
      await expectStillALink(path);
    });

    it(`with a ${kind} symlink as the document lock: writes refuse it at once, reads and lock() work`, async () => {
      const s = await storeWithTokens();
      await plant(`${path}.lock`);
      for (const call of [() => s.set('k', { access_token: 'at-new' }), () => s.delete('k')]) {
        const error = await expectRefused(call(), 'symlink_refused');
        expect(error.message).toContain(`lock file ${path}.lock is a symbolic link`);
      }
      expect(await expectDone(s.get('k'))).toEqual(tokens);
      expect(await expectDone(s.keys())).toEqual(['k']);
      expect(await expectDone(s.lock('k', async () => 'ran'))).toBe('ran');
      await expectStillALink(`${path}.lock`);
    });

    it(`with a ${kind} symlink as a key's lock: lock(key) refuses it at once without running fn`, async () => {
      const s = await storeWithTokens();
      const lockPath = await keyLockPath(s, 'k');
      await plant(lockPath);
      const fn = vi.fn(async () => 'ran');
      const error = await expectRefused(s.lock('k', fn), 'symlink_refused');
      expect(error.message).toContain(lockPath);
      expect(fn).not.toHaveBeenCalled();
      expect(await expectDone(s.lock('other', async () => 'ran'))).toBe('ran');
      await expectDone(s.set('k', tokens));
      await expectStillALink(lockPath);
    });
  }

  it('refuses a symlink at the break file of a stale lock instead of waiting out the timeout', async () => {
    const s = await storeWithTokens();
    await writeFile(`${path}.lock`, 'garbage');
    const old = new Date(Date.now() - 60_000);
    await utimes(`${path}.lock`, old, old);
    await symlink(join(dir, 'nowhere'), `${path}.lock.break`);
    const error = await expectRefused(s.set('k', tokens), 'symlink_refused');
    expect(error.message).toContain(`${path}.lock.break`);
  });
});

describe('FileTokenStore refuses what is not a regular file', () => {
  it('a FIFO as the token file: refused at once, never opened for a blocking read', async () => {
    await mkdir(join(path, '..'), { recursive: true, mode: 0o700 });
    expect(spawnSync('mkfifo', ['-m', '600', path]).status).toBe(0);
    const s = store();
    for (const call of [() => s.get('k'), () => s.keys(), () => s.set('k', tokens), () => s.delete('k')]) {
      expect((await expectRefused(call(), 'not_a_file')).message).toContain(`token file ${path}`);
    }
    expect((await lstat(path)).isFIFO()).toBe(true);
  });

  it('a FIFO as the document lock: writes refused at once', async () => {
    const s = await storeWithTokens();
    expect(spawnSync('mkfifo', ['-m', '600', `${path}.lock`]).status).toBe(0);
    expect((await expectRefused(s.set('k', tokens), 'not_a_file')).message).toContain(`lock file ${path}.lock`);
    expect(await s.get('k')).toEqual(tokens);
  });

  it('a directory as the token file: refused, left alone', async () => {
    await mkdir(path, { recursive: true, mode: 0o700 });
    const s = store();
    for (const call of [() => s.get('k'), () => s.set('k', tokens)]) {
      await expectRefused(call(), 'not_a_file');
    }
    expect((await stat(path)).isDirectory()).toBe(true);
  });
});

describe('FileTokenStore and the permissions of its directory and file', () => {
  for (const mode of [0o777, 0o770, 0o757, 0o722]) {
    it(`tightens a token directory of ours with mode ${mode.toString(8)} to 0700, on a read as on a write`, async () => {
      const s = await storeWithTokens();
      const tokenDir = join(path, '..');
      await chmod(tokenDir, mode);
      expect(await s.get('k')).toEqual(tokens);
      expect(modeOf(await stat(tokenDir))).toBe(0o700);
      await chmod(tokenDir, mode);
      await s.set('k2', { access_token: 'at-2' });
      expect(modeOf(await stat(tokenDir))).toBe(0o700);
      await chmod(tokenDir, mode);
      await s.lock('k', async () => {});
      expect(modeOf(await stat(tokenDir))).toBe(0o700);
    });
  }

  it('leaves a directory others can read but not write (0755) as it is', async () => {
    const s = await storeWithTokens();
    await chmod(join(path, '..'), 0o755);
    expect(await s.get('k')).toEqual(tokens);
    expect(modeOf(await stat(join(path, '..')))).toBe(0o755);
  });

  it('refuses a shared (sticky, world-writable) directory such as /tmp instead of closing it', async () => {
    const s = await storeWithTokens();
    const tokenDir = join(path, '..');
    await chmod(tokenDir, 0o1777);
    for (const call of [
      () => s.get('k'),
      () => s.keys(),
      () => s.set('k', tokens),
      () => s.delete('k'),
      () => s.lock('k', async () => {}),
    ]) {
      const error = await expectRefused(call(), 'insecure_permissions');
      expect(error.message).toContain(`token directory ${tokenDir} is a shared directory`);
    }
    expect(modeOf(await stat(tokenDir))).toBe(0o1777);
    expect(await readFile(path, 'utf8')).toContain(`rt-${SECRET}`);
  });

  it('refuses a token directory of another user on every call, naming the directory, and changes nothing', async () => {
    const s = await storeWithTokens();
    const tokenDir = join(path, '..');
    await giveToAnotherUser(tokenDir);
    const before = await readFile(path, 'utf8');
    for (const call of [
      () => s.get('k'),
      () => s.keys(),
      () => s.set('k', { access_token: 'at' }),
      () => s.delete('k'),
      () => s.lock('k', async () => {}),
    ]) {
      const error = await expectRefused(call(), 'insecure_permissions');
      expect(error.message).toContain(`token directory ${tokenDir} belongs to another user (uid 4242)`);
    }
    expect(await readFile(path, 'utf8')).toBe(before);
    expect((await stat(tokenDir)).uid).toBe(4242);
  });

  for (const mode of [0o644, 0o666, 0o640, 0o700, 0o4600]) {
    it(`tightens a token file of ours with mode ${mode.toString(8)} to 0600 on a read, keeping every token`, async () => {
      const s = await storeWithTokens();
      await chmod(path, mode);
      expect(await s.get('k')).toEqual(tokens);
      expect(modeOf(await stat(path))).toBe(0o600);
      expect(await readFile(path, 'utf8')).toBe(documentText);
    });
  }

  it('refuses a token file of another user: never read, never replaced, its tokens kept', async () => {
    const s = await storeWithTokens();
    await giveToAnotherUser(path);
    await chmod(path, 0o644);
    for (const call of [
      () => s.get('k'),
      () => s.keys(),
      () => s.set('k', { access_token: 'at' }),
      () => s.delete('k'),
    ]) {
      const error = await expectRefused(call(), 'insecure_permissions');
      expect(error.message).toContain(`token file ${path} belongs to another user (uid 4242)`);
    }
    const after = await stat(path);
    expect([after.uid, modeOf(after)]).toEqual([4242, 0o644]);
    expect(await readFile(path, 'utf8')).toBe(documentText);
  });
});

/** A process that stays alive until killed: a live pid that is not ours. */
function liveProcess(): ChildProcess {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  children.push(child);
  return child;
}

/** Starts test/fixtures/lock-holder.mjs holding lock(key) on `path`; resolves once it holds it. */
async function lockHolder(key: string, staleLockMs: number): Promise<ChildProcess> {
  requireDist();
  const child = spawn(process.execPath, [join(fixturesDir, 'lock-holder.mjs'), path, key, String(staleLockMs)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.push(child);
  const [chunk] = (await within(10_000, once(child.stdout!, 'data'))).value as [Buffer];
  expect(String(chunk)).toBe('held\n');
  return child;
}

async function killAndWait(child: ChildProcess): Promise<void> {
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

describe('FileTokenStore and locks left by others', () => {
  const garbage: Array<[string, string]> = [
    ['garbage', '\u0000\u0001 not a lock'],
    ['empty', ''],
    ['JSON without host or nonce', '{"pid":1}'],
    ['a pid that is not a pid', JSON.stringify({ pid: -1, host: hostname(), nonce: 'n' })],
  ];
  for (const [label, content] of garbage) {
    it(`recovers a lock file holding ${label}: at once when old, after a short grace when fresh`, async () => {
      const s = await storeWithTokens();
      await writeFile(`${path}.lock`, content);
      const old = new Date(Date.now() - 60_000);
      await utimes(`${path}.lock`, old, old);
      expect((await within(LOCK_TIMEOUT, s.set('k', { ...tokens, n: 1 }))).ms).toBeLessThan(500);

      await writeFile(`${path}.lock`, content);
      await expectDone(s.set('k', { ...tokens, n: 2 }));
      expect(await s.get('k')).toEqual({ ...tokens, n: 2 });
      expect(await readdir(join(path, '..'))).toEqual(['tokens.json']);
    });
  }

  it('never takes a fresh lock of a live process that is not ours; takes it at once when that process dies', async () => {
    const s = await storeWithTokens();
    const other = liveProcess();
    const lock = JSON.stringify({ pid: other.pid, host: hostname(), nonce: 'theirs' });
    await writeFile(`${path}.lock`, lock);

    const error = await expectRefused(s.set('k', { access_token: 'at' }), 'lock_timeout', LOCK_TIMEOUT + 400);
    expect(error.message).toContain(`${path}.lock`);
    expect(await readFile(`${path}.lock`, 'utf8')).toBe(lock);
    expect(await s.get('k')).toEqual(tokens);

    await killAndWait(other);
    const { ms } = await within(LOCK_TIMEOUT, s.set('k', { ...tokens, n: 3 }));
    expect(ms).toBeLessThan(500);
    expect(await s.get('k')).toEqual({ ...tokens, n: 3 });
  });

  it('never steals the lock of a live holder in another process, even past staleLockMs; takes it when the holder is killed', async () => {
    const staleLockMs = 1000;
    await storeWithTokens();
    const holder = await lockHolder('k', staleLockMs);
    const lockPath = await within(1000, waitForKeyLock()).then((r) => r.value);
    const held = await readFile(lockPath, 'utf8');

    // Twice staleLockMs: only the holder's heartbeat keeps the lock from looking stale.
    const waiter = store({ staleLockMs, lockTimeoutMs: 2 * staleLockMs });
    await expectRefused(
      waiter.lock('k', async () => 'stolen'),
      'lock_timeout',
      2 * staleLockMs + 400,
    );
    expect(await readFile(lockPath, 'utf8')).toBe(held);

    await killAndWait(holder);
    const { value, ms } = await within(
      LOCK_TIMEOUT,
      waiter.lock('k', async () => 'ours'),
    );
    expect(value).toBe('ours');
    expect(ms).toBeLessThan(500);
  });

  it('counts the lock timeout from the call: callers queued in this process give up together', async () => {
    const s = await storeWithTokens();
    await writeFile(`${path}.lock`, JSON.stringify({ pid: process.pid, host: hostname(), nonce: 'theirs' }));
    const timeoutMs = 400;
    const waiter = store({ lockTimeoutMs: timeoutMs });
    const started = performance.now();
    const results = await Promise.allSettled([
      waiter.set('a', tokens),
      waiter.set('b', tokens),
      waiter.delete('k'),
      waiter.set('c', tokens),
    ]);
    expect(performance.now() - started).toBeLessThan(timeoutMs + 300);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      const reason = (result as PromiseRejectedResult).reason;
      expect(TokenStoreError.is(reason) && reason.code).toBe('lock_timeout');
    }
    expect(await s.keys()).toEqual(['k']);
  });
});

/** Waits for the per-key lock file (`tokens.json.lock-<digest>`) to appear; resolves with its path. */
async function waitForKeyLock(): Promise<string> {
  for (;;) {
    const name = (await readdir(join(path, '..'))).find((n) => n.startsWith('tokens.json.lock-'));
    if (name) {
      return join(path, '..', name);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
