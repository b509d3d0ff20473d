import { describe, expect, it } from 'vitest';
import { redisAdapter } from './adapter.js';

// The real clients run against redis-server in test/redis.test.ts; these pin the argument shapes.

function recorder(extra: Record<string, unknown>) {
  const calls: unknown[][] = [];
  const command =
    (name: string, reply: unknown) =>
    async (...args: unknown[]) => {
      calls.push([name, ...args]);
      return reply;
    };
  const client = {
    get: command('get', new TextEncoder().encode('from-buffer')),
    set: command('set', null),
    del: command('del', 1),
    eval: command('eval', 1),
    ...extra,
  };
  return { client, calls };
}

describe('redisAdapter', () => {
  it('passes ioredis SET options positionally and EVAL keys with their count', async () => {
    const { client, calls } = recorder({ call: () => {}, status: 'ready' });
    const adapter = redisAdapter(client);
    expect(await adapter.set('k', 'v', { px: 100, nx: true })).toBe(false);
    await adapter.eval!('script', ['k1'], ['a1']);
    expect(await adapter.get('k')).toBe('from-buffer');
    expect(calls).toEqual([
      ['set', 'k', 'v', 'PX', 100, 'NX'],
      ['eval', 'script', 1, 'k1', 'a1'],
      ['get', 'k'],
    ]);
  });

  it('passes node-redis SET options as an object and EVAL as { keys, arguments }', async () => {
    const { client, calls } = recorder({ isOpen: true });
    const adapter = redisAdapter(client);
    await adapter.set('k', 'v', { px: 100, nx: true });
    await adapter.set('k', 'v');
    await adapter.eval!('script', ['k1'], ['a1']);
    expect(calls).toEqual([
      ['set', 'k', 'v', { PX: 100, NX: true }],
      ['set', 'k', 'v'],
      ['eval', 'script', { keys: ['k1'], arguments: ['a1'] }],
    ]);
  });

  it('honours an explicit style and has no eval when the client has none', async () => {
    const { client, calls } = recorder({ eval: undefined });
    const adapter = redisAdapter(client, 'ioredis');
    expect(adapter.eval).toBeUndefined();
    await adapter.set('k', 'v', { px: 5 });
    expect(calls).toEqual([['set', 'k', 'v', 'PX', 5]]);
  });

  it('refuses a GET reply that is not a string or bytes', async () => {
    const { client } = recorder({ isOpen: true, get: async () => 42 });
    await expect(redisAdapter(client).get('k')).rejects.toMatchObject({ code: 'backend_error' });
  });
});
