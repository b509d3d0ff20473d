/*
 * TokenCoordinator in workerd: test/coordinator-worker.ts bundled as a Worker's build does it and run
 * by miniflare as three Workers (three isolates) that share one Durable Object namespace: `a` defines
 * it, `b` and `c` bind to it by `scriptName`. The issuer is @keyway/mocks listening on 127.0.0.1 (port
 * 0), reached by workerd's own fetch: `mock.callsTo('token')` counts every token request the fleet
 * makes. Objects are persisted in a temporary directory, so a new miniflare on it is an evicted object
 * coming back.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMockKeyway, type MockServer } from '@keyway/mocks';
import { Miniflare, type WorkerOptions } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorker } from './workerd.js';

const WORKERS = ['a', 'b', 'c'] as const;
const CALLERS = 20;
/** Tokens live an hour here: no round below outlives one by accident (the expiry test has its own issuer). */
const mock = createMockKeyway({ ttl: 3600 });
let server: MockServer;
let script: string;
let persist: string;
let mf: Miniflare;

interface Answer {
  error_description?: string;
  access_token?: string;
  expires_at?: number;
  error?: string | { name: string; code?: string; status?: number };
  logs: string[];
}

/** The three Workers over the objects persisted in `persist`. */
async function start(): Promise<Miniflare> {
  const worker = (name: string): WorkerOptions => ({
    name,
    routes: [`${name}.worker.test/*`],
    modules: true,
    script,
    compatibilityDate: '2025-06-01',
    bindings: { ISSUER: server.url, CLIENT_SECRET: 'test-secret' },
    durableObjects:
      name === 'a'
        ? { KEYWAY_TOKENS: 'TokenCoordinator', BROKEN_TOKENS: 'BrokenCoordinator' }
        : {
            KEYWAY_TOKENS: { className: 'TokenCoordinator', scriptName: 'a' },
            BROKEN_TOKENS: { className: 'BrokenCoordinator', scriptName: 'a' },
          },
  });
  const instance = new Miniflare({ workers: WORKERS.map(worker), durableObjectsPersist: persist });
  await instance.ready;
  return instance;
}

async function call(worker: string, path: string, init?: RequestInit): Promise<{ status: number; body: Answer }> {
  const response = await mf.dispatchFetch(`https://${worker}.worker.test${path}`, init as never);
  return { status: response.status, body: (await response.json()) as Answer };
}

/** `CALLERS` concurrent requests to `path` in each Worker; the tokens they got. */
async function burst(path: string): Promise<string[]> {
  const calls = WORKERS.flatMap((worker) => Array.from({ length: CALLERS }, () => call(worker, path)));
  const answers = await Promise.all(calls);
  for (const answer of answers) {
    expect(answer).toMatchObject({ status: 200, body: { logs: [] } });
  }
  return answers.map((answer) => answer.body.access_token!);
}

beforeAll(async () => {
  script = await bundleWorker('./coordinator-worker.ts');
  server = await mock.listen();
  persist = await mkdtemp(join(tmpdir(), 'keyway-edge-do-'));
  mf = await start();
}, 60_000);

afterAll(async () => {
  await mf?.dispose();
  await server?.close();
  if (persist) {
    await rm(persist, { recursive: true, force: true });
  }
});

// Starting workerd and three Workers, and 60 requests through them, takes seconds on a busy machine.
describe('TokenCoordinator in workerd: three Workers, one namespace', { timeout: 60_000 }, () => {
  it('the bundle has no Node built-in', () => {
    expect(script).not.toMatch(/from ["']node:/);
  });

  it('without the coordinator each isolate asks the issuer: 3 token requests for 60 callers', async () => {
    const before = mock.callsTo('token').length;
    const tokens = await burst('/direct');
    expect(mock.callsTo('token').length - before).toBe(3);
    expect(new Set(tokens).size).toBe(3);
  });

  it('with it: 60 concurrent callers in three isolates, one token request', async () => {
    const before = mock.callsTo('token').length;
    const tokens = await burst('/token');
    expect(mock.callsTo('token').length - before).toBe(1);
    expect(new Set(tokens).size).toBe(1);
  });

  it('60 callers that each ask the object (no cache in the isolates): one token request', async () => {
    const before = mock.callsTo('token').length;
    const tokens = await burst('/token?own&scope=things:write');
    expect(mock.callsTo('token').length - before).toBe(1);
    expect(new Set(tokens).size).toBe(1);
  });

  it('across a real expiry (tokens that live 10 s, renewed 1 s before expiry): one request per token lifetime for 60 callers', async () => {
    const shortLived = createMockKeyway({ ttl: 10 });
    const issuer = await shortLived.listen();
    try {
      const path = `/token?skew=1&issuer=${encodeURIComponent(issuer.url)}`;
      const before = await burst(path);
      expect(shortLived.callsTo('token')).toHaveLength(1);
      expect(new Set(before).size).toBe(1);
      // Wait for the renewal point of the token the fleet holds (its expires_at less the skew): an event
      // on the clock that workerd and this process share, nothing asserted about how long anything took.
      const { expires_at: expiresAt } = (await call('a', path)).body;
      expect(shortLived.callsTo('token')).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, (expiresAt! - 1) * 1000 - Date.now() + 50));
      const after = await burst(path);
      expect(shortLived.callsTo('token')).toHaveLength(2);
      expect(new Set(after).size).toBe(1);
      expect(after[0]).not.toBe(before[0]);
    } finally {
      await issuer.close();
    }
  });

  it('an evicted object (a new workerd on the persisted storage) serves the stored token with no request', async () => {
    const served = (await call('a', '/token')).body.access_token;
    await mf.dispose();
    mf = await start();
    const before = mock.callsTo('token').length;
    const tokens = await burst('/token');
    expect(mock.callsTo('token').length - before).toBe(0);
    expect(new Set(tokens)).toEqual(new Set([served]));
  });

  it('a wrong secret: the same OAuthError as without the object, and not the token of the right one', async () => {
    const before = mock.callsTo('token').length;
    const { status, body } = await call('b', '/token?secret=wrong');
    expect(status).toBe(500);
    expect(body).toEqual({ error: { name: 'OAuthError', code: 'invalid_client', status: 401 }, logs: [] });
    expect(mock.callsTo('token').length - before).toBe(1);
  });

  it('an object that fails: the token is requested directly, with one log line and no secret', async () => {
    const before = mock.callsTo('token').length;
    const { status, body } = await call('c', '/broken');
    expect(status).toBe(200);
    expect(body.access_token).toMatch(/^ey/);
    expect(mock.callsTo('token').length - before).toBe(1);
    expect(body.logs).toHaveLength(1);
    expect(body.logs[0]).toMatch(
      /^@keyway\/edge: the TokenCoordinator could not be reached \(".*the object is down.*"\); requesting the token for client "test-client" directly from "http:\/\/127\.0\.0\.1:\d+"\.$/,
    );
    expect(body.logs[0]).not.toContain('test-secret');
  });

  it('garbage sent to the object: 400, and it serves the next caller', async () => {
    for (const body of ['{"issuer":', '[1,2]', JSON.stringify({ issuer: 'x', clientId: 'c', skew: 'NaN' })]) {
      const refused = await call('a', '/raw', { method: 'POST', body });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ error: 'invalid_request' });
    }
    const after = await call('a', '/token');
    expect(after.status).toBe(200);
  });
});
