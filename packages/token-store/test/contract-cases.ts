/*
 * The TokenStore contract as a list of plain async cases. No test runner here: the same cases run under
 * vitest in Node (test/contract.ts) and inside workerd and Chromium (test/runtime/*), where each case is
 * run on demand and its outcome reported back as one vitest test.
 */
import { TokenStoreError } from '../src/errors.js';
import { tokenKey } from '../src/token-key.js';
import type { StoredTokenSet, TokenStore } from '../src/types.js';
import { assert, assertEqual, assertRejects, sleep, withTimeout } from './harness/assert.js';

/** What a contract run needs to know about an adapter. */
export interface ContractSubject {
  /**
   * A store over the backend namespace `ns` (a file path, a key prefix, ...). Two calls with the same `ns`
   * give two instances over the same data; a store whose data lives in the instance returns the same one.
   */
  create(ns: string): TokenStore | Promise<TokenStore>;
  /** Whether the adapter has `lock`. When false, the contract checks that it has none. */
  lock: boolean;
}

export interface ContractCase {
  name: string;
  run(subject: ContractSubject): Promise<void>;
}

/** Expiry cases use short real ttls (every backend, Redis included, runs on its own clock); 1 s leaves room for a loaded machine. */
const SHORT_TTL_S = 1;
const PAST_EXPIRY_WAIT_MS = 1300;

const nowS = () => Date.now() / 1000;

function newNamespace(): string {
  return `ns-${Math.random().toString(36).slice(2, 10)}`;
}

async function open(subject: ContractSubject): Promise<TokenStore> {
  return subject.create(newNamespace());
}

function token(label: string, extra: Partial<StoredTokenSet> = {}): StoredTokenSet {
  return { access_token: `at-${label}`, token_type: 'Bearer', ...extra };
}

function assertCode(error: unknown, code: string, what: string): void {
  assert(TokenStoreError.is(error), `${what}: expected a TokenStoreError, got ${String(error)}`);
  assertEqual(error.code, code, `${what}: error code`);
}

const storageCases: ContractCase[] = [
  {
    name: 'get of an absent key resolves to undefined',
    async run(subject) {
      const store = await open(subject);
      assertEqual(await store.get('never-set'), undefined, 'absent key');
    },
  },
  {
    name: 'set then get round-trips the value',
    async run(subject) {
      const store = await open(subject);
      const value = token('one', { expires_at: Math.floor(nowS()) + 3600 });
      await store.set('k', value);
      assertEqual(await store.get('k'), value, 'value read back');
    },
  },
  {
    name: 'set replaces the previous value',
    async run(subject) {
      const store = await open(subject);
      await store.set('k', token('first', { refresh_token: 'rt-1', scope: 'a' }));
      await store.set('k', token('second'));
      assertEqual(await store.get('k'), token('second'), 'only the second value, no member of the first');
    },
  },
  {
    name: 'delete removes the key; deleting an absent key resolves',
    async run(subject) {
      const store = await open(subject);
      await store.set('k', token('x'));
      await store.set('other', token('y'));
      await store.delete('k');
      assertEqual(await store.get('k'), undefined, 'deleted key');
      assertEqual(await store.get('other'), token('y'), 'other key untouched');
      await store.delete('k');
      await store.delete('never-set');
    },
  },
  {
    name: 'extra members round-trip unchanged',
    async run(subject) {
      const store = await open(subject);
      const value: StoredTokenSet = {
        access_token: 'at-extra',
        token_type: 'DPoP',
        expires_at: Math.floor(nowS()) + 3600,
        refresh_token: 'rt-extra',
        id_token: 'eyJhbGciOiJSUzI1NiJ9.e30.sig',
        scope: 'openid profile',
        issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        claims: { sub: 'user-1', aud: ['a', 'b'], nested: { list: [1, 'two', null, true, { deep: 2.5 }] } },
        'ünïcødé ✓': '🔑',
        empty: '',
        zero: 0,
        no: false,
        nothing: null,
      };
      await store.set('k', value);
      assertEqual(await store.get('k'), value, 'every member');
    },
  },
  {
    name: 'keys with odd characters are distinct and round-trip',
    async run(subject) {
      const store = await open(subject);
      const keys = [
        'with space',
        'colon:slash/back\\slash',
        'ключ-🔑-鍵',
        '__proto__',
        'constructor',
        'hasOwnProperty',
        'line\nbreak\ttab',
        '%2F%00%',
        '"quoted" \'single\' <tag>&amp;',
        'k'.repeat(700),
        tokenKey({ issuer: 'https://auth.example.com', clientId: 'cli', audience: 'https://api', scope: 'b a' }),
      ];
      for (const [i, key] of keys.entries()) {
        await store.set(key, token(`odd-${i}`));
      }
      for (const [i, key] of keys.entries()) {
        assertEqual(await store.get(key), token(`odd-${i}`), `key #${i}`);
      }
      await store.delete('__proto__');
      assertEqual(await store.get('__proto__'), undefined, '__proto__ deleted');
      assertEqual(await store.get('constructor'), token('odd-4'), 'constructor kept');
      assertEqual(await store.get('k'.repeat(701)), undefined, 'a longer key is another key');
      assertEqual(await store.get('k'.repeat(699)), undefined, 'a shorter key is another key');
    },
  },
  {
    name: 'mutating a value after set or after get does not change what is stored',
    async run(subject) {
      const store = await open(subject);
      const value = token('orig', { claims: { sub: 'u' } });
      await store.set('k', value);
      value.access_token = 'changed';
      (value.claims as { sub: string }).sub = 'changed';
      const read = await store.get('k');
      assert(read, 'value present');
      read.access_token = 'changed-again';
      assertEqual(await store.get('k'), token('orig', { claims: { sub: 'u' } }), 'stored value');
    },
  },
  {
    name: 'invalid values and ttls are refused with typed errors and change nothing',
    async run(subject) {
      const store = await open(subject);
      await store.set('k', token('kept'));
      for (const bad of [{}, { access_token: 42 }, null, ['at']]) {
        const error = await assertRejects(store.set('k', bad as unknown as StoredTokenSet), 'invalid value');
        assertCode(error, 'invalid_value', `value ${JSON.stringify(bad)}`);
      }
      for (const ttl of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
        const error = await assertRejects(store.set('k', token('new'), { ttl }), 'invalid ttl');
        assertCode(error, 'invalid_ttl', `ttl ${ttl}`);
      }
      assertEqual(await store.get('k'), token('kept'), 'value unchanged');
    },
  },
];

const expiryCases: ContractCase[] = [
  {
    name: 'expiry: a value with no expires_at, refresh_token or ttl is kept',
    async run(subject) {
      const store = await open(subject);
      await store.set('k', token('forever'));
      await sleep(50);
      assertEqual(await store.get('k'), token('forever'), 'kept');
    },
  },
  {
    name: 'expiry: without refresh_token or ttl, expires_at gives the expiry',
    async run(subject) {
      const store = await open(subject);
      const value = token('short', { expires_at: nowS() + SHORT_TTL_S });
      await store.set('k', value);
      assertEqual(await store.get('k'), value, 'readable before expires_at');
      await sleep(PAST_EXPIRY_WAIT_MS);
      assertEqual(await store.get('k'), undefined, 'gone after expires_at');
    },
  },
  {
    name: 'expiry: a value whose expires_at has passed is not stored and removes the old value',
    async run(subject) {
      const store = await open(subject);
      await store.set('k', token('old'));
      await store.set('k', token('stale', { expires_at: Math.floor(nowS()) - 10 }));
      assertEqual(await store.get('k'), undefined, 'neither the stale nor the old value');
    },
  },
  {
    name: 'expiry: a value with a refresh_token never expires from the store, whatever expires_at says',
    async run(subject) {
      const store = await open(subject);
      const past = token('refreshable', { expires_at: Math.floor(nowS()) - 3600, refresh_token: 'rt' });
      await store.set('past', past);
      const soon = token('refreshable-soon', { expires_at: nowS() + 0.1, refresh_token: 'rt' });
      await store.set('soon', soon);
      await sleep(300);
      assertEqual(await store.get('past'), past, 'kept although its access token expired an hour ago');
      assertEqual(await store.get('soon'), soon, 'kept after its access token expired');
    },
  },
  {
    name: 'expiry: an explicit ttl wins over a refresh_token',
    async run(subject) {
      const store = await open(subject);
      const value = token('ttl', { refresh_token: 'rt' });
      await store.set('k', value, { ttl: SHORT_TTL_S });
      assertEqual(await store.get('k'), value, 'readable within ttl');
      await sleep(PAST_EXPIRY_WAIT_MS);
      assertEqual(await store.get('k'), undefined, 'gone after ttl');
    },
  },
  {
    name: 'expiry: an explicit ttl wins over a past expires_at',
    async run(subject) {
      const store = await open(subject);
      const value = token('ttl-past', { expires_at: Math.floor(nowS()) - 3600 });
      await store.set('k', value, { ttl: 3600 });
      assertEqual(await store.get('k'), value, 'kept for the ttl');
    },
  },
  {
    name: 'expiry: ttl 0 removes the value at once',
    async run(subject) {
      const store = await open(subject);
      await store.set('k', token('there', { refresh_token: 'rt' }));
      await store.set('k', token('gone', { refresh_token: 'rt' }), { ttl: 0 });
      assertEqual(await store.get('k'), undefined, 'removed');
    },
  },
  {
    name: 'expiry: set replaces the previous expiry too',
    async run(subject) {
      const store = await open(subject);
      await store.set('k', token('short'), { ttl: SHORT_TTL_S });
      const durable = token('durable', { refresh_token: 'rt' });
      await store.set('k', durable);
      const expiring = token('expiring', { refresh_token: 'rt' });
      await store.set('other', token('durable'));
      await store.set('other', expiring, { ttl: SHORT_TTL_S });
      await sleep(PAST_EXPIRY_WAIT_MS);
      assertEqual(await store.get('k'), durable, 'the short ttl of the replaced value no longer applies');
      assertEqual(await store.get('other'), undefined, 'the new ttl applies to a replaced durable value');
    },
  },
];

const lockCases: ContractCase[] = [
  {
    name: 'lock: resolves to what fn returns',
    async run(subject) {
      const store = await open(subject);
      assert(typeof store.lock === 'function', 'the store has lock()');
      assertEqual(await store.lock('k', async () => ({ answer: 42 })), { answer: 42 }, 'result');
    },
  },
  {
    name: 'lock: concurrent calls on one key never overlap',
    async run(subject) {
      const store = await open(subject);
      let active = 0;
      let maxActive = 0;
      const entered: number[] = [];
      const results = await withTimeout(
        Promise.all(
          [0, 1, 2, 3].map((i) =>
            store.lock!('k', async () => {
              active++;
              maxActive = Math.max(maxActive, active);
              entered.push(i);
              // The token-source pattern: re-read, then write, while holding the lock.
              const current = await store.get('k');
              const count = Number(current?.count ?? 0);
              await sleep(20);
              await store.set('k', token('counter', { count: count + 1 }));
              active--;
              return i;
            }),
          ),
        ),
        10_000,
        'four lock holders',
      );
      assertEqual(results, [0, 1, 2, 3], 'each caller gets its own result');
      assertEqual(maxActive, 1, 'holders at once');
      assertEqual(entered.length, 4, 'every caller ran');
      assertEqual((await store.get('k'))?.count, 4, 'no update lost');
    },
  },
  {
    name: 'lock: a held key does not block another key',
    async run(subject) {
      const store = await open(subject);
      let otherRan = false;
      let signalStarted!: () => void;
      const started = new Promise<void>((resolve) => {
        signalStarted = resolve;
      });
      let signalOtherDone!: () => void;
      const otherDone = new Promise<void>((resolve) => {
        signalOtherDone = resolve;
      });
      const holder = store.lock!('held', async () => {
        signalStarted();
        // Hold 'held' until the other key's holder has run (or give up: then it was blocked).
        await withTimeout(otherDone, 3000, 'the lock on another key');
        return otherRan;
      });
      await started;
      await store.lock!('free', async () => {
        otherRan = true;
      });
      signalOtherDone();
      assertEqual(await holder, true, 'the other key ran while the first was held');
    },
  },
  {
    name: 'lock: released when fn throws, and the error reaches the caller unchanged',
    async run(subject) {
      const store = await open(subject);
      const boom = new Error('boom');
      const error = await assertRejects(
        store.lock!('k', async () => {
          throw boom;
        }),
        'lock with a throwing fn',
      );
      assert(error === boom, `the same error, got ${String(error)}`);
      const again = await withTimeout(
        store.lock!('k', async () => 'again'),
        3000,
        'taking the lock again after a throw',
      );
      assertEqual(again, 'again', 'second holder ran');
    },
  },
  {
    name: 'lock: two instances over the same data share values and exclude each other',
    async run(subject) {
      const ns = newNamespace();
      const a = await subject.create(ns);
      const b = await subject.create(ns);
      await a.set('k', token('from-a'));
      assertEqual(await b.get('k'), token('from-a'), 'b sees what a wrote');
      let active = 0;
      let maxActive = 0;
      const hold = async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        await sleep(25);
        active--;
      };
      await withTimeout(
        Promise.all([a.lock!('k', hold), b.lock!('k', hold), a.lock!('k', hold), b.lock!('k', hold)]),
        10_000,
        'holders on two instances',
      );
      assertEqual(maxActive, 1, 'holders at once across instances');
    },
  },
];

const noLockCases: ContractCase[] = [
  {
    name: 'lock: absent (the backend cannot provide an exclusive lock)',
    async run(subject) {
      const store = await open(subject);
      assertEqual(typeof store.lock, 'undefined', 'typeof store.lock');
    },
  },
];

/** The cases for an adapter with (`lock: true`) or without a lock. Names are unique and stable. */
export function contractCases(options: { lock: boolean }): ContractCase[] {
  return [...storageCases, ...expiryCases, ...(options.lock ? lockCases : noLockCases)];
}

/** Runs one case by name: what the in-runtime harnesses call. */
export async function runContractCase(name: string, subject: ContractSubject): Promise<void> {
  const found = contractCases({ lock: subject.lock }).find((c) => c.name === name);
  if (!found) {
    throw new Error(`No contract case named ${JSON.stringify(name)}`);
  }
  await found.run(subject);
}
