/*
 * No stored token appears in what a store or its errors show: messages, String(), util.inspect (with
 * hidden members and causes), JSON. (Redis errors, which carry the command, are checked in redis.test.ts;
 * workerd and Chromium errors in kv.test.ts and web.test.ts.)
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { createFakeKv } from '@keyway/mocks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptedStore } from '../src/encrypted-store.js';
import { TokenStoreError } from '../src/errors.js';
import { type CorruptTokenFileError, FileTokenStore } from '../src/file.js';
import { KvTokenStore } from '../src/kv-store.js';
import { MemoryTokenStore } from '../src/memory-store.js';
import type { StoredTokenSet, TokenStore } from '../src/types.js';
import { makeTempDir } from './harness/node.js';

const SECRET = 'S3CR3T-token-value-7f1c';
const PASSPHRASE = 'P4SSPHRASE-for-encryption-9a2b';
const tokens: StoredTokenSet = {
  access_token: `at-${SECRET}`,
  refresh_token: `rt-${SECRET}`,
  id_token: `id-${SECRET}`,
};

let temp: Awaited<ReturnType<typeof makeTempDir>>;
beforeAll(async () => {
  temp = await makeTempDir('secrets');
});
afterAll(async () => {
  await temp.remove();
});

function renderings(value: unknown): string[] {
  const out = [inspect(value, { depth: Number.POSITIVE_INFINITY, showHidden: true }), String(value)];
  try {
    out.push(JSON.stringify(value) ?? '');
  } catch {
    // Stores with cycles cannot be JSON: nothing to leak there.
  }
  if (value instanceof Error) {
    out.push(value.message, value.stack ?? '', String(value.cause), inspect(value.cause, { depth: 10 }));
  }
  return out;
}

function expectClean(value: unknown, what: string): void {
  for (const text of renderings(value)) {
    expect(text, what).not.toContain(SECRET);
    expect(text, what).not.toContain(PASSPHRASE);
  }
}

describe('secrets stay out of sight', () => {
  it('util.inspect, String and JSON of a store holding tokens show none of them', async () => {
    const stores: Array<[string, TokenStore]> = [
      ['memory', new MemoryTokenStore()],
      ['encrypted', encryptedStore(new MemoryTokenStore(), PASSPHRASE)],
      ['file', new FileTokenStore({ path: join(temp.dir, 'inspect', 'tokens.json') })],
      ['kv', new KvTokenStore({ namespace: createFakeKv() })],
    ];
    for (const [label, store] of stores) {
      await store.set('k', tokens);
      expect(await store.get('k'), label).toEqual(tokens);
      expectClean(store, label);
    }
  });

  it('errors about a value never quote it', async () => {
    const memory = new MemoryTokenStore();
    const errors: Array<[string, unknown]> = [];
    const capture = async (label: string, promise: Promise<unknown>) => {
      errors.push([label, await promise.then(() => new Error(`${label}: no error`)).catch((e: unknown) => e)]);
    };
    await capture('invalid value', memory.set('k', { access_token: 42, refresh_token: SECRET } as never));
    await capture('invalid ttl', memory.set('k', tokens, { ttl: -1 }));
    await memory.set('plain', tokens);
    await capture('decrypt of plaintext', encryptedStore(memory, PASSPHRASE).get('plain'));
    const encrypted = new MemoryTokenStore();
    await encryptedStore(encrypted, PASSPHRASE).set('k', tokens);
    await capture('wrong secret', encryptedStore(encrypted, `other-${PASSPHRASE}`).get('k'));
    await capture('short secret', encryptedStore(memory, 'short').get('k'));

    const path = join(temp.dir, 'corrupt', 'tokens.json');
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, `{"version":1,"entries":{"k":{"value":{"access_token":"at-${SECRET}"`);
    let corrupt: CorruptTokenFileError | undefined;
    await new FileTokenStore({ path, onCorrupt: (e) => (corrupt = e) }).get('k');
    errors.push(['corrupt file', corrupt]);

    for (const [label, error] of errors) {
      expect(TokenStoreError.is(error), `${label}: ${String(error)}`).toBe(true);
      expectClean(error, label);
    }
    expect(errors.map(([, e]) => (e as TokenStoreError).code)).toEqual([
      'invalid_value',
      'invalid_ttl',
      'decrypt_failed',
      'decrypt_failed',
      'invalid_secret',
      'corrupt_file',
    ]);
  });
});
