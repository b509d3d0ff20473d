// Beyond the list: what the other token-store adapters read back. KV, Web Storage and Redis stores
// whose backend returns arbitrary stored values (the text of another tool, an old format, damage), and
// encryptedStore over envelopes that are damaged, moved to another key, or not envelopes at all.
import { encryptedStore, MemoryTokenStore, type StoredTokenSet } from '@keyway/token-store';
import { KvTokenStore } from '@keyway/token-store/kv';
import { type RedisClientStyle, RedisTokenStore } from '@keyway/token-store/redis';
import { WebStorageTokenStore } from '@keyway/token-store/web';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { tokenDocument } from '../src/documents.ts';
import { bodyText, edgeNumber, JsonEntries, mostlyValid, oddValue, toJsonText } from '../src/json.ts';
import { expectTypedOutcome, isKeywayError } from '../src/outcome.ts';
import { expectPropertyToFail, fuzz } from '../src/runs.ts';
import { anyString } from '../src/strings.ts';
import { Tally } from '../src/tally.ts';

/** A stored record as the adapters write it (`{ value, expiresAt }`), mutated; or any text. */
const storedText = bodyText([
  mostlyValid(
    {
      value: new JsonEntries([
        ['access_token', 'at'],
        ['refresh_token', 'rt'],
      ]),
      expiresAt: 4_102_444_800_000,
    },
    { value: fc.oneof(tokenDocument, oddValue), expiresAt: fc.oneof(edgeNumber, oddValue) },
    1,
  ),
]);

/** What a Redis client may hand back for GET. */
const redisValue = fc.oneof(
  { weight: 4, arbitrary: storedText },
  { weight: 1, arbitrary: fc.oneof(fc.constant(null), fc.constant(undefined), edgeNumber, fc.anything()) },
  { weight: 1, arbitrary: storedText.map((text) => Buffer.from(text)) },
);

type Backend = 'kv' | 'web' | 'redis' | 'redis-ioredis';

function storeOver(backend: Backend, stored: unknown) {
  switch (backend) {
    case 'kv':
      return new KvTokenStore({
        namespace: { get: async () => stored as string | null, put: async () => {}, delete: async () => {} },
      });
    case 'web': {
      const storage = {
        getItem: () => stored as string | null,
        setItem: () => {},
        removeItem: () => {},
        key: () => null,
        clear: () => {},
        length: 1,
      } as Storage;
      return new WebStorageTokenStore({ storage, locks: false });
    }
    case 'redis':
    case 'redis-ioredis': {
      const style: RedisClientStyle = backend === 'redis' ? 'node-redis' : 'ioredis';
      return new RedisTokenStore({
        client: { get: async () => stored, set: async () => 'OK', del: async () => 1 },
        style,
      });
    }
  }
}

const backendProperty = (read: (backend: Backend, stored: unknown, key: string) => Promise<unknown>, tally?: Tally) =>
  fc.asyncProperty(
    fc.constantFrom<Backend>('kv', 'web', 'redis', 'redis-ioredis'),
    fc.oneof(redisValue, anyString),
    fc.oneof(fc.constant('k'), anyString),
    async (backend, stored, key) => {
      const value =
        backend === 'redis' || backend === 'redis-ioredis'
          ? stored
          : typeof stored === 'string'
            ? stored
            : String(stored);
      await expectTypedOutcome(() => read(backend, value, key), { isTyped: isKeywayError, tally });
    },
  );

describe('KV, Web Storage and Redis stores reading arbitrary stored values', () => {
  it('get: a token set, undefined, or a TokenStoreError', async () => {
    const tally = new Tally();
    await fuzz(backendProperty((backend, stored, key) => storeOver(backend, stored).get(key), tally));
    console.log(`stored values: ${tally}`);
    tally.expectReached(['result']);
  });

  it('sanity: the property catches a store that throws a TypeError', async () => {
    await expectPropertyToFail(
      backendProperty(async (backend, stored, key) => {
        const value = await storeOver(backend, stored).get(key);
        if (value === undefined) {
          throw new TypeError('broken');
        }
        return value;
      }),
    );
  });
});

const SECRET = 'a-fuzzing-secret-of-enough-length';

/** An envelope: a real one (for this key or another), damaged, or not an envelope. */
const envelope = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('k', 'other-key').map((from) => ({ real: from })) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.constantFrom('k', 'other-key'),
        fc.nat(),
        anyString,
        fc.constantFrom('cut', 'insert', 'swap-dot', 'flip'),
      )
      .map(([from, at, text, how]) => ({ real: from, damage: { at, text, how } })),
  },
  {
    weight: 2,
    arbitrary: mostlyValid(
      { token_type: 'keyway-aes-gcm-v1', access_token: 'AAAAAAAAAAAAAAAA.AAAA' },
      {
        access_token: fc.oneof(
          anyString,
          fc.constantFrom('', '.', '..', 'AAAA', 'AAAAAAAAAAAAAAAA.', '.AAAA', '!!!.!!!', 'AAAAAAAAAAAAAAAA.AAAA.AAAA'),
          fc
            .tuple(fc.uint8Array({ maxLength: 20 }), fc.uint8Array({ maxLength: 80 }))
            .map(([iv, ct]) => `${Buffer.from(iv).toString('base64url')}.${Buffer.from(ct).toString('base64url')}`),
        ),
        token_type: fc.constantFrom('keyway-aes-gcm-v1', 'Bearer', ''),
      },
      1,
    ).map((doc) => ({ raw: JSON.parse(toJsonText(doc)) as StoredTokenSet })),
  },
);

type Envelope = { real: string; damage?: { at: number; text: string; how: string } } | { raw: StoredTokenSet };

function damage(token: string, d: { at: number; text: string; how: string }): string {
  const at = d.at % (token.length + 1);
  switch (d.how) {
    case 'cut':
      return token.slice(0, at);
    case 'insert':
      return token.slice(0, at) + d.text + token.slice(at);
    case 'swap-dot':
      return token.replace('.', '');
    default:
      return token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);
  }
}

async function readEnvelope(plan: Envelope): Promise<unknown> {
  const inner = new MemoryTokenStore();
  const store = encryptedStore(inner, SECRET);
  if ('raw' in plan) {
    await inner.set('k', plan.raw);
  } else {
    await store.set(plan.real, { access_token: 'secret-at', refresh_token: 'secret-rt' });
    const sealed = (await inner.get(plan.real))!;
    await inner.set('k', plan.damage ? { ...sealed, access_token: damage(sealed.access_token, plan.damage) } : sealed);
  }
  return store.get('k');
}

describe('encryptedStore reading stored envelopes', () => {
  it('the token set, or TokenStoreError decrypt_failed', async () => {
    const tally = new Tally();
    await fuzz(
      fc.asyncProperty(envelope, (plan) =>
        expectTypedOutcome(() => readEnvelope(plan as Envelope), { isTyped: isKeywayError, tally, input: plan }),
      ),
    );
    console.log(`envelopes: ${tally}`);
    tally.expectReached(['result', 'decrypt_failed']);
  });
});
