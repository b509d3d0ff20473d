import { inspect } from 'node:util';
import { type RedisServer, startRedisServer } from '@keyway/test-support';
import Redis from 'ioredis';
import { createClient } from 'redis';
import { createClient as createClientV4 } from 'redis4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptedStore } from '../src/encrypted-store.js';
import { TokenStoreError } from '../src/errors.js';
import { type RedisAdapter, RedisTokenStore, redisAdapter } from '../src/redis.js';
import { describeTokenStoreContract } from './contract.js';
import { sleep } from './harness/assert.js';

let server: RedisServer;
let ioredis: Redis;
let nodeRedis: ReturnType<typeof createClient>;
let nodeRedisV4: ReturnType<typeof createClientV4>;

beforeAll(async () => {
  server = await startRedisServer();
  ioredis = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await ioredis.connect();
  nodeRedis = createClient({ url: server.url });
  await nodeRedis.connect();
  nodeRedisV4 = createClientV4({ url: server.url });
  await nodeRedisV4.connect();
}, 20_000);

afterAll(async () => {
  await Promise.allSettled([ioredis?.quit(), nodeRedis?.quit(), nodeRedisV4?.quit()]);
  await server?.stop();
});

const prefix = (ns: string) => `keyway-test:${ns}:`;

describeTokenStoreContract('RedisTokenStore with node-redis 5', {
  lock: true,
  create: (ns) => new RedisTokenStore({ client: nodeRedis, prefix: prefix(ns) }),
});
describeTokenStoreContract('RedisTokenStore with node-redis 4', {
  lock: true,
  create: (ns) => new RedisTokenStore({ client: nodeRedisV4, prefix: prefix(ns) }),
});
describeTokenStoreContract('RedisTokenStore with ioredis', {
  lock: true,
  create: (ns) => new RedisTokenStore({ client: ioredis, prefix: prefix(ns) }),
});
// Any other client: an adapter written by hand over raw commands, without EVAL (GET + DEL release).
function rawCommandAdapter(): RedisAdapter {
  const send = (args: string[]) => nodeRedis.sendCommand(args);
  return {
    get: async (key) => (await send(['GET', key])) as unknown as string | null,
    async set(key, value, options) {
      const args = ['SET', key, value];
      if (options?.px !== undefined) {
        args.push('PX', String(options.px));
      }
      if (options?.nx) {
        args.push('NX');
      }
      return (await send(args)) !== null;
    },
    async del(key) {
      await send(['DEL', key]);
    },
  };
}
describeTokenStoreContract('RedisTokenStore with a hand-written adapter (raw commands, no EVAL)', {
  lock: true,
  create: (ns) => new RedisTokenStore({ adapter: rawCommandAdapter(), prefix: prefix(ns) }),
});
describeTokenStoreContract('encryptedStore(RedisTokenStore)', {
  lock: true,
  create: (ns) =>
    encryptedStore(new RedisTokenStore({ client: ioredis, prefix: prefix(ns) }), 'redis store secret, long enough'),
});

function code(error: unknown): string | undefined {
  return TokenStoreError.is(error) ? error.code : undefined;
}

const CLIENT_LABELS = ['node-redis 5', 'node-redis 4', 'ioredis'] as const;
// A function: the clients exist only once beforeAll has run.
const clientFor = (label: (typeof CLIENT_LABELS)[number]) =>
  ({ 'node-redis 5': nodeRedis, 'node-redis 4': nodeRedisV4, ioredis: ioredis })[label];
const clients = () => CLIENT_LABELS.map((label) => [label, clientFor(label)] as const);

describe('RedisTokenStore on a real redis-server', () => {
  it('detects each client library', () => {
    const seen: string[] = [];
    const spy = (client: object) => {
      // The adapter issues node-redis options objects or ioredis positional arguments; detection picks one.
      try {
        redisAdapter(client as never);
        seen.push('ok');
      } catch (error) {
        seen.push(code(error) ?? 'thrown');
      }
    };
    for (const [, client] of clients()) {
      spy(client);
    }
    spy({ get: async () => null, set: async () => 'OK', del: async () => 1 });
    spy({ get: async () => null });
    expect(seen).toEqual(['ok', 'ok', 'ok', 'invalid_options', 'invalid_options']);
    expect(() => new RedisTokenStore({} as never)).toThrow(expect.objectContaining({ code: 'invalid_options' }));
  });

  for (const label of CLIENT_LABELS) {
    it(`sets Redis's own expiry from the token (${label}), checked with PTTL`, async () => {
      const client = clientFor(label);
      const store = new RedisTokenStore({ client, prefix: `pttl:${label}:` });
      const now = Math.floor(Date.now() / 1000);
      await store.set('at-only', { access_token: 'a', expires_at: now + 120 });
      await store.set('with-refresh', { access_token: 'b', expires_at: now + 120, refresh_token: 'rt' });
      await store.set('explicit', { access_token: 'c', refresh_token: 'rt' }, { ttl: 30 });
      await store.set('no-expiry', { access_token: 'd' });

      const atOnly = await ioredis.pttl(`pttl:${label}:token:at-only`);
      expect(atOnly).toBeGreaterThan(118_000);
      expect(atOnly).toBeLessThanOrEqual(120_000);
      expect(await ioredis.pttl(`pttl:${label}:token:with-refresh`)).toBe(-1);
      const explicit = await ioredis.pttl(`pttl:${label}:token:explicit`);
      expect(explicit).toBeGreaterThan(29_000);
      expect(explicit).toBeLessThanOrEqual(30_000);
      expect(await ioredis.ttl(`pttl:${label}:token:no-expiry`)).toBe(-1);
      // Replacing a value replaces its expiry.
      await store.set('at-only', { access_token: 'a2', refresh_token: 'rt' });
      expect(await ioredis.pttl(`pttl:${label}:token:at-only`)).toBe(-1);
      expect(JSON.parse((await ioredis.get(`pttl:${label}:token:at-only`))!)).toEqual({
        access_token: 'a2',
        refresh_token: 'rt',
      });
    });
  }

  it('holds the lock as SET NX PX with a random token, and removes it afterwards', async () => {
    const store = new RedisTokenStore({ client: nodeRedis, prefix: 'lockshape:', lockTtlMs: 5000 });
    const seen = await store.lock('k', async () => ({
      value: await ioredis.get('lockshape:lock:k'),
      pttl: await ioredis.pttl('lockshape:lock:k'),
    }));
    expect(seen.value).toMatch(/^[0-9a-f]{32}$/);
    expect(seen.pttl).toBeGreaterThan(4000);
    expect(seen.pttl).toBeLessThanOrEqual(5000);
    expect(await ioredis.exists('lockshape:lock:k')).toBe(0);
  });

  it('waits for a lock held elsewhere until it expires (a dead holder), then takes it', async () => {
    const store = new RedisTokenStore({ client: ioredis, prefix: 'deadholder:', lockTimeoutMs: 5000 });
    await ioredis.set('deadholder:lock:k', 'someone-else', 'PX', 300);
    const started = Date.now();
    await store.lock('k', async () => {
      expect(await ioredis.get('deadholder:lock:k')).not.toBe('someone-else');
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('gives up with lock_timeout while another holder keeps the lock, and leaves it alone', async () => {
    const store = new RedisTokenStore({ client: nodeRedisV4, prefix: 'timeout:', lockTimeoutMs: 200 });
    await ioredis.set('timeout:lock:k', 'holder', 'PX', 10_000);
    await expect(store.lock('k', async () => 'never')).rejects.toSatisfy((e: unknown) => code(e) === 'lock_timeout');
    expect(await ioredis.get('timeout:lock:k')).toBe('holder');
  });

  const withoutEval = (client: Redis): RedisAdapter => {
    const full = redisAdapter(client);
    return { get: full.get, set: full.set, del: full.del };
  };
  const variants: Array<[string, () => RedisAdapter]> = [
    ['compare-and-delete script (EVAL)', () => redisAdapter(ioredis)],
    ['GET + DEL fallback without EVAL', () => withoutEval(ioredis)],
  ];
  for (const [label, adapter] of variants) {
    it(`never deletes another holder's lock after its own expired: ${label}`, async () => {
      const lockKey = `expired-${label.length}:lock:k`;
      const first = new RedisTokenStore({ adapter: adapter(), prefix: `expired-${label.length}:`, lockTtlMs: 150 });
      const second = new RedisTokenStore({ adapter: adapter(), prefix: `expired-${label.length}:`, lockTtlMs: 10_000 });
      let releaseSecond!: () => void;
      const secondMayFinish = new Promise<void>((resolve) => {
        releaseSecond = resolve;
      });
      let secondToken: string | null = null;
      let secondHolding!: Promise<void>;
      await first.lock('k', async () => {
        // Outlive the lock's PX: Redis expires it and the second store takes it.
        await sleep(300);
        let signal!: () => void;
        const holding = new Promise<void>((resolve) => {
          signal = resolve;
        });
        secondHolding = second.lock('k', async () => {
          secondToken = await ioredis.get(lockKey);
          signal();
          await secondMayFinish;
        });
        await holding;
      });
      // The first holder has released: the second's lock must still be there, untouched.
      expect(secondToken).toMatch(/^[0-9a-f]{32}$/);
      expect(await ioredis.get(lockKey)).toBe(secondToken);
      releaseSecond();
      await secondHolding;
      expect(await ioredis.exists(lockKey)).toBe(0);
    });
  }

  it('treats a value that is not a token set as absent', async () => {
    const store = new RedisTokenStore({ client: nodeRedis, prefix: 'foreign:' });
    await ioredis.set('foreign:token:a', 'not json');
    await ioredis.set('foreign:token:b', '{"no":"access_token"}');
    expect(await store.get('a')).toBeUndefined();
    expect(await store.get('b')).toBeUndefined();
  });

  it('wraps a failing command as backend_error without the token in message, cause, inspect or JSON', async () => {
    const secret = 'at-redis-secret-0123456789';
    // Make every write fail with an error reply: ioredis attaches the command and its arguments to it.
    await ioredis.config('SET', 'maxmemory', '1');
    await ioredis.config('SET', 'maxmemory-policy', 'noeviction');
    try {
      for (const [label, client] of clients()) {
        const store = new RedisTokenStore({ client, prefix: 'oom:' });
        const error = await store.set('k', { access_token: secret, refresh_token: `rt-${secret}` }).catch((e) => e);
        expect(code(error), label).toBe('backend_error');
        expect((error as Error).cause, label).toBeInstanceOf(Error);
        expect(String((error as Error & { cause: Error }).cause.message), label).toMatch(/OOM/);
        for (const rendering of [String(error), inspect(error, { depth: 10 }), JSON.stringify(error)]) {
          expect(rendering, label).not.toContain(secret);
        }
        expect(inspect(store, { depth: 10 }), label).not.toContain(secret);
      }
    } finally {
      await ioredis.config('SET', 'maxmemory', '0');
    }
  });
});

describe('RedisTokenStore options', () => {
  it.each([
    ['lockTtlMs', Number.NaN],
    ['lockTtlMs', 0],
    ['lockTtlMs', '30000'],
    ['lockTtlMs', Number.POSITIVE_INFINITY],
    ['lockTimeoutMs', -1],
    ['lockTimeoutMs', 2 ** 31],
    ['lockTimeoutMs', null],
  ])('refuses %s = %s at construction (invalid_options)', (name, value) => {
    const adapter = { get: async () => null, set: async () => 'OK', del: async () => 1 } as never;
    let error: unknown;
    try {
      new RedisTokenStore({ adapter, [name]: value });
    } catch (caught) {
      error = caught;
    }
    expect(TokenStoreError.is(error)).toBe(true);
    expect((error as TokenStoreError).code).toBe('invalid_options');
  });
});
