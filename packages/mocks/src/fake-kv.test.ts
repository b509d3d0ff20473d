import { describe, expect, it } from 'vitest';
import { createFakeKv, createMockKeyway } from './index.js';

describe('createFakeKv', () => {
  it('stores, reads (text and JSON) and deletes values, counting reads and recording puts', async () => {
    const kv = createFakeKv();
    expect(await kv.get('k')).toBeNull();
    await kv.put('k', '{"a":1}');
    await kv.put('t', 'v', { expirationTtl: 3600 });
    expect(await kv.get('k', 'text')).toBe('{"a":1}');
    expect(await kv.get<{ a: number }>('k', 'json')).toEqual({ a: 1 });
    expect(await kv.get('missing', 'json')).toBeNull();
    expect(kv.reads).toBe(4);
    expect(kv.puts).toEqual([
      { key: 'k', expirationTtl: undefined, expiration: undefined },
      { key: 't', expirationTtl: 3600, expiration: undefined },
    ]);
    expect([...kv.data]).toEqual([
      ['k', '{"a":1}'],
      ['t', 'v'],
    ]);
    await kv.delete('k');
    await kv.delete('never-there');
    expect(await kv.get('k')).toBeNull();
    expect(kv.data.has('k')).toBe(false);
  });

  it('expires an entry by expirationTtl or expiration on its clock (the mock’s, here); a new put without one keeps it', async () => {
    const mock = createMockKeyway();
    mock.clock.set(1_800_000_000);
    const kv = createFakeKv({ now: () => mock.clock.now() });
    await kv.put('ttl', 'a', { expirationTtl: 60.9 }); // Cloudflare truncates to whole seconds
    await kv.put('at', 'b', { expiration: 1_800_000_120 });
    await kv.put('kept', 'c', { expirationTtl: 60 });
    await kv.put('kept', 'c2');
    mock.clock.advance(59);
    expect([await kv.get('ttl'), await kv.get('at'), await kv.get('kept')]).toEqual(['a', 'b', 'c2']);
    mock.clock.advance(1);
    expect([await kv.get('ttl'), await kv.get('at'), await kv.get('kept')]).toEqual([null, 'b', 'c2']);
    expect(kv.data.has('ttl')).toBe(false);
    mock.clock.advance(60);
    expect([await kv.get('at'), await kv.get('kept')]).toEqual([null, 'c2']);
  });

  it('takes a value seeded through data, without expiry', async () => {
    const kv = createFakeKv();
    kv.data.set('seeded', 'x');
    expect(await kv.get('seeded')).toBe('x');
    expect(kv.puts).toEqual([]);
  });

  it('refuses what Cloudflare KV refuses, storing and recording nothing', async () => {
    const kv = createFakeKv({ now: () => 1_800_000_000 });
    await expect(kv.put('k', 'v', { expirationTtl: 59 })).rejects.toThrow(
      'KV PUT failed: 400 Invalid expiration_ttl of 59. Expiration TTL must be at least 60.',
    );
    await expect(kv.put('k', 'v', { expirationTtl: Number.NaN })).rejects.toThrow('Invalid expiration_ttl of NaN');
    await expect(kv.put('k', 'v', { expiration: 1_800_000_059 })).rejects.toThrow(
      'KV PUT failed: 400 Invalid expiration of 1800000059. Expiration times must be at least 60 seconds in the future.',
    );
    await expect(kv.put('', 'v')).rejects.toThrow('KV PUT failed: 400 Key names must not be empty');
    await expect(kv.get('..')).rejects.toThrow('KV GET failed: 400 Illegal key name ".."');
    await expect(kv.delete('x'.repeat(513))).rejects.toThrow(
      'KV DELETE failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512.',
    );
    await expect(kv.put('é'.repeat(256), 'v')).resolves.toBeUndefined(); // 512 bytes: the longest key
    expect(kv.puts.map((put) => put.key.length)).toEqual([256]);
  });
});
