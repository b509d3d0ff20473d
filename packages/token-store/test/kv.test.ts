/*
 * KvTokenStore inside workerd: a Worker bundled with esbuild from test/runtime/kv-worker.ts runs in
 * miniflare against a real KV binding. Every contract case runs in the Worker and is reported here.
 */
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRemoteContract, type RemoteCaseResult } from './contract.js';

let mf: Miniflare;

/** The KV namespace as seen from Node (miniflare types it with @cloudflare/workers-types, not installed here). */
interface KvView {
  list(options: { prefix: string }): Promise<{ keys: Array<{ name: string; expiration?: number }> }>;
  get(key: string): Promise<string | null>;
  put(key: string, value: string): Promise<void>;
}

async function namespace(): Promise<KvView> {
  return (await mf.getKVNamespace('TOKENS')) as unknown as KvView;
}

beforeAll(async () => {
  const bundle = await build({
    entryPoints: [new URL('./runtime/kv-worker.ts', import.meta.url).pathname],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const script = bundle.outputFiles[0]!.text;
  // The runtime-agnostic code must not pull in Node: workerd would refuse `node:` imports without nodejs_compat.
  expect(script).not.toMatch(/from ["']node:/);
  mf = new Miniflare({ modules: true, script, kvNamespaces: ['TOKENS'], compatibilityDate: '2025-06-01' });
  await mf.ready;
}, 60_000);

afterAll(async () => {
  await mf?.dispose();
});

async function post(path: string, body: unknown): Promise<RemoteCaseResult & Record<string, unknown>> {
  const response = await mf.dispatchFetch(`http://worker${path}`, { method: 'POST', body: JSON.stringify(body) });
  return (await response.json()) as RemoteCaseResult & Record<string, unknown>;
}

/** Runs a case in the Worker; a passing case must also prove where it ran. */
async function runInWorkerd(name: string, variant: string): Promise<RemoteCaseResult> {
  const result = await post('/case', { name, variant });
  if (result.ok && result.runtime !== 'Cloudflare-Workers') {
    return { ok: false, error: `ran in ${String(result.runtime)}, not in workerd` };
  }
  return result;
}

describeRemoteContract('KvTokenStore in workerd', { lock: false }, (name) => runInWorkerd(name, 'kv'));
describeRemoteContract('encryptedStore(KvTokenStore) in workerd', { lock: false }, (name) =>
  runInWorkerd(name, 'encrypted-kv'),
);

describe('KvTokenStore in workerd, seen from the KV namespace', () => {
  it('stores the value with its exact expiry beside it, and a KV expiration of at least 60 s', async () => {
    const kv = await namespace();
    const now = Math.floor(Date.now() / 1000);
    const soon = { access_token: 'at-soon', expires_at: now + 10 };
    const later = { access_token: 'at-later', expires_at: now + 3600 };
    const durable = { access_token: 'at-durable', expires_at: now + 10, refresh_token: 'rt' };
    for (const [key, value] of Object.entries({ soon, later, durable })) {
      expect(await post('/op', { op: 'set', prefix: 'shape:', key, value })).toEqual({ ok: true, result: null });
    }
    const { keys } = await kv.list({ prefix: 'shape:' });
    const expirations = Object.fromEntries(keys.map((k) => [k.name, k.expiration]));
    // KV refuses expirationTtl < 60: a 10 s token is kept 60 s by KV, and expired by the store on read.
    expect(expirations['shape:soon']).toBeGreaterThanOrEqual(now + 59);
    expect(expirations['shape:soon']).toBeLessThanOrEqual(now + 62);
    expect(expirations['shape:later']).toBeGreaterThanOrEqual(now + 3599);
    expect(expirations['shape:later']).toBeLessThanOrEqual(now + 3602);
    expect(expirations['shape:durable']).toBeUndefined();
    expect(JSON.parse((await kv.get('shape:soon'))!)).toEqual({ v: soon, e: (now + 10) * 1000 });
    expect(JSON.parse((await kv.get('shape:durable'))!)).toEqual({ v: durable });
  });

  it('reads what another writer put in the namespace, and treats foreign data as absent', async () => {
    const kv = await namespace();
    await kv.put('foreign:ok', JSON.stringify({ v: { access_token: 'at-outside' } }));
    await kv.put('foreign:bad', 'not a record');
    await kv.put('foreign:expired', JSON.stringify({ v: { access_token: 'at-old' }, e: Date.now() - 1000 }));
    expect(await post('/op', { op: 'get', prefix: 'foreign:', key: 'ok' })).toEqual({
      ok: true,
      result: { access_token: 'at-outside' },
    });
    expect(await post('/op', { op: 'get', prefix: 'foreign:', key: 'bad' })).toEqual({ ok: true, result: null });
    expect(await post('/op', { op: 'get', prefix: 'foreign:', key: 'expired' })).toEqual({ ok: true, result: null });
  });

  it('stores keys over 512 bytes under a SHA-256 digest', async () => {
    const kv = await namespace();
    const key = `long-${'é'.repeat(300)}`;
    await post('/op', { op: 'set', prefix: 'long:', key, value: { access_token: 'at-long' } });
    const { keys } = await kv.list({ prefix: 'long:' });
    expect(keys.map((k) => k.name)).toEqual([expect.stringMatching(/^long:sha256:[0-9a-f]{64}$/)]);
    expect(await post('/op', { op: 'get', prefix: 'long:', key })).toEqual({
      ok: true,
      result: { access_token: 'at-long' },
    });
  });

  it('refuses an invalid ttl with a typed error that does not show the token', async () => {
    const result = await post('/op', {
      op: 'set',
      key: 'k',
      value: { access_token: 'at-kv-secret', refresh_token: 'rt-kv-secret' },
      ttl: -1,
    });
    expect(result).toMatchObject({ ok: false, code: 'invalid_ttl' });
    expect(result.rendered).not.toContain('kv-secret');
  });
});
