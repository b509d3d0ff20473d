// Token lifecycle across OS processes: 8 processes share one store (a FileTokenStore file, or one
// Redis server) holding an expired access token, all ask for a token at the same moment, and exactly
// one refresh request reaches the server. The processes run test/fixtures/refresh-worker.mjs against
// the BUILT packages and talk to the fake Keyway server over real HTTP.
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { completeAuthorization, createMockKeyway, type MockCall } from '@keyway/mocks';
import { type RedisServer, startRedisServer } from '@keyway/test-support';
import type { TokenStore } from '@keyway/token-store';
import { FileTokenStore } from '@keyway/token-store/file';
import { RedisTokenStore } from '@keyway/token-store/redis';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { discover, type OAuthClient, type TokenSet } from '../src/index.js';
import { createTokenSource } from '../src/token-source.js';

const WORKER = new URL('./fixtures/refresh-worker.mjs', import.meta.url);
const WORKERS = 8;
const CLIENT = { clientId: 'test-client', clientSecret: 'test-secret' };
// Eight Node processes start per test; on a loaded 2-core machine that alone can take seconds.
const SLOW = { timeout: 25_000 };

type StoreConfig =
  | { kind: 'file'; path: string }
  | { kind: 'redis'; library: 'node-redis' | 'ioredis'; url: string; prefix: string; lockTtlMs?: number };

type Report =
  | { type: 'ready'; id: number; key: string }
  | { type: 'token'; id: number; accessToken: string; refreshToken: string }
  | { type: 'error'; id: number; name: string; code: string; message: string };

interface Worker {
  id: number;
  child: ChildProcess;
  ready: Promise<Extract<Report, { type: 'ready' }>>;
  /** The worker's token report, or undefined when it exited without one (killed). */
  result: Promise<Extract<Report, { type: 'token' | 'error' }> | undefined>;
  stderr: () => string;
}

const mock = createMockKeyway();
let issuer = '';
let closeMock: () => Promise<void> = async () => {};
let client: OAuthClient;
let dir = '';

beforeAll(async () => {
  const server = await mock.listen();
  issuer = server.url;
  closeMock = server.close;
  client = await discover(issuer, { ...CLIENT, redirectUri: 'http://127.0.0.1/callback' });
  dir = await mkdtemp(join(tmpdir(), 'keyway-cross-process-'));
});

// A failed test may leave workers behind: end them (only the ones this file started).
const started = new Set<ChildProcess>();
afterEach(() => {
  for (const child of started) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
    }
  }
  started.clear();
});

afterAll(async () => {
  await closeMock();
  await rm(dir, { recursive: true, force: true });
});

/** A real token set with a refresh token: the authorization code flow against the mock. */
async function login(): Promise<TokenSet> {
  const request = await client.createAuthorizationUrl({ scope: 'openid offline_access' });
  return client.handleCallback(await completeAuthorization(request.url), request);
}

/** Logs in and stores the tokens with an access token that expired a minute ago. */
async function seedExpired(store: TokenStore): Promise<{ seeded: TokenSet; key: string }> {
  const tokens = await login();
  expect(tokens.refresh_token).toEqual(expect.any(String));
  const seeded = { ...tokens, expires_at: Math.floor(Date.now() / 1000) - 60 };
  const source = createTokenSource({ client, grant: { type: 'refresh_token' }, store });
  await source.set(seeded);
  return { seeded, key: source.key };
}

function startWorker(id: number, store: StoreConfig): Worker {
  const config = { id, issuer, ...CLIENT, store };
  // execArgv: [] so the child is plain Node, not whatever the test runner was started with.
  const child = fork(WORKER, [JSON.stringify(config)], { execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  started.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const messages: Report[] = [];
  const waiters: Array<() => void> = [];
  child.on('message', (message: Report) => {
    messages.push(message);
    for (const wake of waiters.splice(0)) {
      wake();
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const next = async <T extends Report['type']>(types: T[]) => {
    for (;;) {
      const found = messages.find((m) => (types as string[]).includes(m.type));
      if (found) {
        return found as Extract<Report, { type: T }>;
      }
      const gone = await Promise.race([
        exited.then(() => true),
        new Promise<false>((r) => waiters.push(() => r(false))),
      ]);
      if (gone) {
        const late = messages.find((m) => (types as string[]).includes(m.type));
        return late as Extract<Report, { type: T }> | undefined;
      }
    }
  };
  const ready = next(['ready']).then((message) => {
    if (!message) {
      throw new Error(`worker ${id} exited before it was ready:\n${stderr}`);
    }
    return message;
  });
  ready.catch(() => {});
  return { id, child, ready, result: next(['token', 'error']), stderr: () => stderr };
}

/** Starts the workers, waits until every one is ready, then releases them all at once. */
async function startTogether(stores: StoreConfig[]): Promise<Worker[]> {
  const workers = stores.map((store, id) => startWorker(id, store));
  await Promise.all(workers.map((worker) => worker.ready));
  for (const worker of workers) {
    worker.child.send('go');
  }
  return workers;
}

function form(call: MockCall | undefined): Record<string, unknown> {
  return (call?.body ?? {}) as Record<string, unknown>;
}

function refreshCalls(since: number): MockCall[] {
  return mock.calls.slice(since).filter((call) => call.route === 'token' && form(call).grant_type === 'refresh_token');
}

async function waitFor<T>(probe: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The refresh token still works at the server: it was neither lost nor revoked. */
async function expectUsable(tokens: TokenSet | undefined): Promise<void> {
  expect(tokens?.refresh_token).toEqual(expect.any(String));
  const again = await client.refresh(tokens as TokenSet);
  expect(again.access_token).toEqual(expect.any(String));
}

async function expectOneRefresh(
  workers: Worker[],
  since: number,
  seeded: TokenSet,
  key: string,
  store: TokenStore,
): Promise<void> {
  const results = await Promise.all(workers.map((worker) => worker.result));
  const failures = results.filter((r) => r?.type !== 'token');
  expect(failures, workers.map((w) => w.stderr()).join('')).toEqual([]);
  for (const worker of workers) {
    expect((await worker.ready).key).toBe(key);
  }

  const calls = refreshCalls(since);
  expect(calls).toHaveLength(1);
  expect(calls[0]?.status).toBe(200);
  expect(form(calls[0]).refresh_token).toBe(seeded.refresh_token);

  const tokens = results.map((r) => (r?.type === 'token' ? r : undefined));
  const accessTokens = new Set(tokens.map((t) => t?.accessToken));
  expect(accessTokens.size).toBe(1);
  const [fresh] = accessTokens;
  expect(fresh).not.toBe(seeded.access_token);

  const stored = await store.get(key);
  expect(stored?.access_token).toBe(fresh);
  expect(stored?.refresh_token).not.toBe(seeded.refresh_token); // rotated...
  expect(new Set(tokens.map((t) => t?.refreshToken))).toEqual(new Set([stored?.refresh_token])); // ...and shared
  expect(stored?.expires_at).toBeGreaterThan(Date.now() / 1000 + 60);
}

/**
 * Kills the worker whose refresh request the server is holding, while it holds the store's lock.
 * The server never answered it, so the old refresh token is still good and no one may lose it.
 */
async function expectSurvivesKill(workers: Worker[], since: number, seeded: TokenSet, key: string, store: TokenStore) {
  const pending = await waitFor(
    () => refreshCalls(since).find((call) => call.status === undefined),
    'a refresh request in flight',
  );
  const victim = workers[Number(pending.headers['x-test-worker'])] as Worker;
  victim.child.kill('SIGKILL');

  const survivors = workers.filter((worker) => worker !== victim);
  const results = await Promise.all(survivors.map((worker) => worker.result));
  expect(await victim.result).toBeUndefined();
  const failures = results.filter((r) => r?.type !== 'token');
  expect(failures, survivors.map((w) => w.stderr()).join('')).toEqual([]);

  // The killed request was dropped before the server acted on it; one survivor refreshed again.
  const calls = refreshCalls(since);
  expect(calls.map((call) => call.status)).toEqual([0, 200]);
  for (const call of calls) {
    expect(form(call).refresh_token).toBe(seeded.refresh_token);
  }
  const accessTokens = new Set(results.map((r) => (r?.type === 'token' ? r.accessToken : undefined)));
  expect(accessTokens.size).toBe(1);

  // The store holds a whole token set, old or new, whose refresh token the server still honours.
  const stored = await store.get(key);
  expect(stored?.access_token).toBe([...accessTokens][0]);
  expect(stored?.refresh_token).not.toBe(seeded.refresh_token);
  await expectUsable(stored as TokenSet);
}

describe('FileTokenStore shared by 8 processes', () => {
  it('sends exactly one refresh request and every process gets the new token', SLOW, async () => {
    const path = join(dir, 'one-refresh', 'tokens.json');
    const store = new FileTokenStore({ path });
    const { seeded, key } = await seedExpired(store);
    const since = mock.calls.length;

    const workers = await startTogether(Array.from({ length: WORKERS }, () => ({ kind: 'file' as const, path })));

    await expectOneRefresh(workers, since, seeded, key, store);
    // The file itself (not only the store's view of it) holds the rotated refresh token.
    const file = JSON.parse(await readFile(path, 'utf8')) as { entries: Record<string, { value: TokenSet }> };
    expect(file.entries[key]?.value.refresh_token).toBe((await store.get(key))?.refresh_token);
    expect(file.entries[key]?.value.refresh_token).not.toBe(seeded.refresh_token);
  });

  it('never loses the refresh token when the process refreshing under the lock is SIGKILLed', SLOW, async () => {
    const path = join(dir, 'killed', 'tokens.json');
    const store = new FileTokenStore({ path });
    const { seeded, key } = await seedExpired(store);
    const since = mock.calls.length;
    const hold = mock.fail('token', { delay: 20_000, times: 1 });

    const workers = await startTogether(Array.from({ length: WORKERS }, () => ({ kind: 'file' as const, path })));

    await expectSurvivesKill(workers, since, seeded, key, store);
    expect(hold.hits).toBe(1);
  });
});

describe('one Redis shared by 8 processes (node-redis and ioredis)', () => {
  let redis: RedisServer | undefined;
  let url = '';
  let reader: ReturnType<typeof createClient>;

  beforeAll(async () => {
    redis = await startRedisServer();
    url = redis.url;
    reader = createClient({ url });
    await reader.connect();
  });

  afterAll(async () => {
    await reader?.quit().catch(() => {});
    await redis?.stop();
  });

  const redisStores = (prefix: string, lockTtlMs?: number): StoreConfig[] =>
    Array.from({ length: WORKERS }, (_, id) => ({
      kind: 'redis' as const,
      library: id % 2 === 0 ? ('node-redis' as const) : ('ioredis' as const),
      url,
      prefix,
      ...(lockTtlMs === undefined ? {} : { lockTtlMs }),
    }));

  it('sends exactly one refresh request and every process gets the new token', SLOW, async () => {
    const store = new RedisTokenStore({ client: reader, prefix: 'one-refresh:' });
    const { seeded, key } = await seedExpired(store);
    const since = mock.calls.length;

    const workers = await startTogether(redisStores('one-refresh:'));

    await expectOneRefresh(workers, since, seeded, key, store);
  });

  it('never loses the refresh token when the process refreshing under the lock is SIGKILLed', SLOW, async () => {
    const store = new RedisTokenStore({ client: reader, prefix: 'killed:' });
    const { seeded, key } = await seedExpired(store);
    const since = mock.calls.length;
    const hold = mock.fail('token', { delay: 20_000, times: 1 });

    // The killed holder's lock frees itself after lockTtlMs.
    const workers = await startTogether(redisStores('killed:', 1_500));

    await expectSurvivesKill(workers, since, seeded, key, store);
    expect(hold.hits).toBe(1);
  });
});
