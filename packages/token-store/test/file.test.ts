import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { encryptedStore } from '../src/encrypted-store.js';
import { TokenStoreError } from '../src/errors.js';
import { type CorruptTokenFileError, defaultTokenFilePath, FileTokenStore } from '../src/file.js';
import { parseTokenKey, tokenKey } from '../src/token-key.js';
import { describeTokenStoreContract } from './contract.js';
import { fixturesDir, makeTempDir, requireDist, runNode } from './harness/node.js';

let temp: Awaited<ReturnType<typeof makeTempDir>>;
beforeAll(async () => {
  temp = await makeTempDir('file');
});
afterAll(async () => {
  await temp.remove();
});

let counter = 0;
function freshPath(): string {
  counter++;
  return join(temp.dir, `case-${counter}`, 'tokens.json');
}

const noCorrupt = () => {
  throw new Error('no file should be corrupt here');
};

describeTokenStoreContract('FileTokenStore', {
  lock: true,
  create: (ns) => new FileTokenStore({ path: join(temp.dir, ns, 'tokens.json'), onCorrupt: noCorrupt }),
});

describeTokenStoreContract('encryptedStore(FileTokenStore)', {
  lock: true,
  create: (ns) =>
    encryptedStore(
      new FileTokenStore({ path: join(temp.dir, `enc-${ns}`, 'tokens.json'), onCorrupt: noCorrupt }),
      'file store secret, long enough',
    ),
});

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  return child.pid!;
}

describe('FileTokenStore on disk', () => {
  it('lists the keys of live token sets, sorted, without the expired ones', async () => {
    const path = freshPath();
    let now = 1_700_000_000_000;
    const store = new FileTokenStore({ path, now: () => now });
    expect(await store.keys()).toEqual([]);
    const b = tokenKey({ issuer: 'https://b.example.com', clientId: 'cli' });
    const a = tokenKey({ issuer: 'https://a.example.com', clientId: 'cli', scope: 'read' });
    await store.set(b, { access_token: 'at-b', refresh_token: 'rt-b' });
    await store.set(a, { access_token: 'at-a' }, { ttl: 10 });
    expect(await store.keys()).toEqual([a, b]);
    expect(parseTokenKey((await store.keys())[0]!)).toEqual({
      issuer: 'https://a.example.com',
      clientId: 'cli',
      scope: 'read',
    });
    now += 11_000;
    expect(await store.keys()).toEqual([b]);
    expect(await new FileTokenStore({ path, now: () => now }).keys()).toEqual([b]);
  });

  it('creates the file 0600 in a new 0700 directory, whatever the umask', async () => {
    const path = freshPath();
    const previous = process.umask(0);
    try {
      await new FileTokenStore({ path }).set('k', { access_token: 'at' });
    } finally {
      process.umask(previous);
    }
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(path, '..'))).mode & 0o777).toBe(0o700);
  });

  it('leaves an existing file 0600 after a write, even if it was more open before', async () => {
    const path = freshPath();
    const store = new FileTokenStore({ path });
    await store.set('k', { access_token: 'at' });
    await chmod(path, 0o644);
    await store.set('k', { access_token: 'at2' });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('keeps many hosts in one versioned JSON document', async () => {
    const path = freshPath();
    const store = new FileTokenStore({ path, now: () => 1_700_000_000_000 });
    const a = tokenKey({ issuer: 'https://a.example.com', clientId: 'cli', scope: 'read' });
    const b = tokenKey({ issuer: 'https://b.example.com', clientId: 'cli', audience: 'https://api' });
    await store.set(a, { access_token: 'at-a', expires_at: 1_700_000_100 });
    await store.set(b, { access_token: 'at-b', refresh_token: 'rt-b' });
    await store.set('ttl', { access_token: 'at-t' }, { ttl: 30 });
    const document = JSON.parse(await readFile(path, 'utf8'));
    expect(document).toEqual({
      version: 1,
      entries: {
        [a]: { value: { access_token: 'at-a', expires_at: 1_700_000_100 }, expiresAt: 1_700_000_100_000 },
        [b]: { value: { access_token: 'at-b', refresh_token: 'rt-b' } },
        ttl: { value: { access_token: 'at-t' }, expiresAt: 1_700_000_030_000 },
      },
    });
  });

  it('drops expired entries from the file on the next write', async () => {
    let now = 1_700_000_000_000;
    const path = freshPath();
    const store = new FileTokenStore({ path, now: () => now });
    await store.set('short', { access_token: 'a' }, { ttl: 1 });
    await store.set('long', { access_token: 'b' }, { ttl: 100 });
    now += 2000;
    await store.set('other', { access_token: 'c' });
    const document = JSON.parse(await readFile(path, 'utf8'));
    expect(Object.keys(document.entries).sort()).toEqual(['long', 'other']);
  });

  it('refuses a file of a newer schema version and never overwrites it', async () => {
    const path = freshPath();
    await mkdir(join(path, '..'), { recursive: true });
    const newer = JSON.stringify({ version: 2, entries: {}, somethingNew: true });
    await writeFile(path, newer);
    const store = new FileTokenStore({ path, onCorrupt: noCorrupt });
    for (const attempt of [store.get('k'), store.set('k', { access_token: 'at' }), store.delete('k')]) {
      await expect(attempt).rejects.toSatisfy(
        (e: unknown) => TokenStoreError.is(e) && e.code === 'unsupported_version' && /schema version 2/.test(e.message),
      );
    }
    expect(await readFile(path, 'utf8')).toBe(newer);
  });

  it('reads and upgrades nothing it does not know: a file without a version is corrupt, not adopted', async () => {
    const path = freshPath();
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, JSON.stringify({ entries: { k: { value: { access_token: 'at' } } } }));
    const reports: CorruptTokenFileError[] = [];
    const store = new FileTokenStore({ path, onCorrupt: (e) => reports.push(e) });
    expect(await store.get('k')).toBeUndefined();
    expect(reports.map((e) => e.message)).toEqual([expect.stringContaining('missing or invalid "version"')]);
  });

  const damaged: Array<[string, (path: string, valid: string) => Promise<void>, string]> = [
    ['truncated', async (path, valid) => truncate(path, Math.floor(valid.length / 2)), 'not valid JSON'],
    ['empty', async (path) => truncate(path, 0), 'empty file'],
    ['garbage', async (path) => writeFile(path, '\u0000\u0001 at-secret-in-garbage {{{'), 'not valid JSON'],
    ['an array', async (path) => writeFile(path, '["at-secret-in-array"]'), 'not a JSON object'],
    [
      'a bad entry',
      async (path) => writeFile(path, JSON.stringify({ version: 1, entries: { k: { value: 'at-secret' } } })),
      'an entry has an invalid shape',
    ],
  ];
  for (const [label, damage, reason] of damaged) {
    it(`moves a ${label} file aside, reports a CorruptTokenFileError, and goes on working`, async () => {
      const path = freshPath();
      const reports: CorruptTokenFileError[] = [];
      const store = new FileTokenStore({ path, onCorrupt: (e) => reports.push(e) });
      await store.set('k', { access_token: 'at-secret-before', refresh_token: 'rt-secret-before' });
      await damage(path, await readFile(path, 'utf8'));
      const damagedBytes = await readFile(path);

      expect(await store.get('k')).toBeUndefined();
      expect(reports).toHaveLength(1);
      const [report] = reports as [CorruptTokenFileError];
      expect(report.name).toBe('CorruptTokenFileError');
      expect(report.code).toBe('corrupt_file');
      expect(TokenStoreError.is(report)).toBe(true);
      expect(report.path).toBe(path);
      expect(report.movedTo).toMatch(/tokens\.json\.corrupt-\d{4}-\d\d-\d\dT[\d-]+Z$/);
      expect(report.message).toContain(reason);
      expect(report.message).toContain(report.movedTo);
      expect(`${report.message} ${JSON.stringify(report)}`).not.toMatch(/secret/);
      // Kept byte for byte, never deleted.
      expect(await readFile(report.movedTo)).toEqual(damagedBytes);
      expect(existsSync(path)).toBe(false);

      await store.set('k', { access_token: 'at-after' });
      expect(await store.get('k')).toEqual({ access_token: 'at-after' });
      expect(JSON.parse(await readFile(path, 'utf8')).version).toBe(1);
      expect(reports).toHaveLength(1);
    });
  }

  it('moves a corrupt file aside on a write too, keeping every earlier corrupt copy', async () => {
    const path = freshPath();
    const reports: CorruptTokenFileError[] = [];
    const store = new FileTokenStore({ path, onCorrupt: (e) => reports.push(e), now: () => 1_700_000_000_000 });
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, 'first damage');
    await store.set('k', { access_token: 'one' });
    await writeFile(path, 'second damage');
    await store.set('k', { access_token: 'two' });
    expect(reports).toHaveLength(2);
    // The same clock reading: the second copy gets a distinct name instead of replacing the first.
    expect(reports[0]!.movedTo).not.toBe(reports[1]!.movedTo);
    expect(await readFile(reports[0]!.movedTo, 'utf8')).toBe('first damage');
    expect(await readFile(reports[1]!.movedTo, 'utf8')).toBe('second damage');
    expect(await store.get('k')).toEqual({ access_token: 'two' });
  });

  it('reports a corrupt file through process warnings when no onCorrupt is given', async () => {
    const path = freshPath();
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, '{"version":1,');
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      expect(await new FileTokenStore({ path }).get('k')).toBeUndefined();
      await vi.waitFor(() => expect(warnings).toHaveLength(1));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings[0]).toMatchObject({ name: 'TokenStoreWarning', code: 'KEYWAY_TOKEN_FILE_CORRUPT' });
    expect(warnings[0]!.message).toContain('moved aside');
  });

  it('lets two instances in one process write different keys at once without losing any', async () => {
    const path = freshPath();
    const a = new FileTokenStore({ path });
    const b = new FileTokenStore({ path });
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).set(`k${i}`, { access_token: `at-${i}` })));
    const document = JSON.parse(await readFile(path, 'utf8'));
    expect(Object.keys(document.entries)).toHaveLength(20);
    expect(await a.get('k7')).toEqual({ access_token: 'at-7' });
  });

  it('takes over at once a lock left by a process that died', async () => {
    const path = freshPath();
    const store = new FileTokenStore({ path, lockTimeoutMs: 2000 });
    await store.set('k', { access_token: 'before' });
    const lock = JSON.stringify({ pid: deadPid(), host: (await import('node:os')).hostname(), nonce: 'x' });
    await writeFile(`${path}.lock`, lock);
    const started = Date.now();
    await store.set('k', { access_token: 'after' });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await store.get('k')).toEqual({ access_token: 'after' });
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('gives up with lock_timeout while a live process holds the lock, and leaves its lock alone', async () => {
    const path = freshPath();
    await mkdir(join(path, '..'), { recursive: true });
    const lock = JSON.stringify({ pid: process.pid, host: (await import('node:os')).hostname(), nonce: 'other' });
    await writeFile(`${path}.lock`, lock);
    const store = new FileTokenStore({ path, lockTimeoutMs: 300 });
    await expect(store.set('k', { access_token: 'at' })).rejects.toSatisfy(
      (e: unknown) => TokenStoreError.is(e) && e.code === 'lock_timeout',
    );
    expect(await readFile(`${path}.lock`, 'utf8')).toBe(lock);
  });

  it('sweeps temp files of dead writers, and only theirs', async () => {
    const path = freshPath();
    const store = new FileTokenStore({ path });
    await store.set('k', { access_token: 'at' });
    const orphan = `${path}.${deadPid()}.abcdef012345.tmp`;
    const live = `${path}.${process.pid}.abcdef012345.tmp`;
    await writeFile(orphan, 'half a write');
    await writeFile(live, 'a write in progress');
    await store.set('k', { access_token: 'at2' });
    const names = await readdir(join(path, '..'));
    expect(names).not.toContain(orphan.split('/').at(-1));
    expect(names).toContain(live.split('/').at(-1));
  });

  it('two processes writing different keys at once lose none of them (the document lock)', async () => {
    requireDist();
    const path = freshPath();
    const script = join(fixturesDir, 'many-keys-writer.mjs');
    await Promise.all([runNode(script, [path, 'a', '30']), runNode(script, [path, 'b', '30'])]);
    const document = JSON.parse(await readFile(path, 'utf8'));
    expect(Object.keys(document.entries)).toHaveLength(60);
    expect(document.entries['b-29'].value).toEqual({ access_token: 'at-b-29', refresh_token: 'rt' });
  }, 30_000);

  it('lock() holders in two processes never overlap and lose no update', async () => {
    requireDist();
    const path = freshPath();
    const marker = join(temp.dir, `marker-${counter}`);
    const script = join(fixturesDir, 'lock-contender.mjs');
    const outputs = await Promise.all([runNode(script, [path, marker, '25']), runNode(script, [path, marker, '25'])]);
    const summaries = outputs.map((out) => JSON.parse(out) as { pid: number; overlaps: number });
    expect(summaries.map((s) => s.overlaps)).toEqual([0, 0]);
    expect(summaries[0]!.pid).not.toBe(summaries[1]!.pid);
    expect((await new FileTokenStore({ path }).get('counter'))?.n).toBe(50);
  }, 30_000);
});

describe('defaultTokenFilePath', () => {
  it('follows XDG on Linux: $XDG_CACHE_HOME when absolute, else ~/.cache', () => {
    expect(defaultTokenFilePath({ XDG_CACHE_HOME: '/xdg/cache' }, 'linux', '/home/ada')).toBe(
      '/xdg/cache/keyway/tokens.json',
    );
    expect(defaultTokenFilePath({}, 'linux', '/home/ada')).toBe('/home/ada/.cache/keyway/tokens.json');
    expect(defaultTokenFilePath({ XDG_CACHE_HOME: 'relative/cache' }, 'linux', '/home/ada')).toBe(
      '/home/ada/.cache/keyway/tokens.json',
    );
    expect(defaultTokenFilePath({ XDG_CACHE_HOME: '' }, 'freebsd', '/home/ada')).toBe(
      '/home/ada/.cache/keyway/tokens.json',
    );
  });

  it("uses the platform's own cache directory on macOS and Windows", () => {
    expect(defaultTokenFilePath({ XDG_CACHE_HOME: '/xdg' }, 'darwin', '/Users/ada')).toBe(
      '/Users/ada/Library/Caches/keyway/tokens.json',
    );
    const windows = defaultTokenFilePath({ LOCALAPPDATA: 'C:\\Users\\ada\\AppData\\Local' }, 'win32', 'C:\\Users\\ada');
    expect(windows.replaceAll('\\', '/')).toBe('C:/Users/ada/AppData/Local/keyway/tokens.json');
  });

  it('is where a FileTokenStore without a path writes, honouring XDG_CACHE_HOME', async () => {
    const cache = join(temp.dir, 'xdg-cache');
    vi.stubEnv('XDG_CACHE_HOME', cache);
    try {
      const store = new FileTokenStore();
      expect(store.path).toBe(join(cache, 'keyway', 'tokens.json'));
      await store.set('k', { access_token: 'at' });
      expect(JSON.parse(await readFile(join(cache, 'keyway', 'tokens.json'), 'utf8')).entries.k).toEqual({
        value: { access_token: 'at' },
      });
      expect((await stat(join(cache, 'keyway'))).mode & 0o777).toBe(0o700);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
