import { createDpopProof, type DpopKey, generateDpopKey } from '@keyway/mocks';
import { type JWK, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { codeOf } from '../../test/oauth/fake-op.js';
import { ConfigurationError } from '../errors.js';
import { DpopSigner } from './dpop.js';
import { verifyDpopProof } from './dpop-verify.js';
import type { StateStore } from './state-store.js';

const URL_THINGS = 'https://api.example.com/things';
const TOKEN = 'access-token-value';
const NOW = 1_800_000_000;

let key: DpopKey;
let jwk: JWK;
let jkt: string;

beforeAll(async () => {
  key = await generateDpopKey();
  jwk = key.publicJwk;
  jkt = key.jkt;
});

/**
 * A proof by `key` for `GET URL_THINGS` presenting `TOKEN`, issued at `NOW`; `claims` and `header` replace
 * (or, `undefined`, drop) members, and `signingKey` signs instead of the key in its header.
 */
function proof(
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
  signingKey?: CryptoKey,
): Promise<string> {
  return createDpopProof(key, {
    method: 'GET',
    url: URL_THINGS,
    accessToken: TOKEN,
    iat: NOW,
    claims,
    header,
    signingKey,
  });
}

/** A replay store of its own per test, so tests never share jtis. */
function store(): StateStore & { keys: string[] } {
  const keys: string[] = [];
  return {
    keys,
    consume: async (key) => {
      if (keys.includes(key)) {
        return false;
      }
      keys.push(key);
      return true;
    },
  };
}

const base = () => ({ method: 'GET', url: URL_THINGS, accessToken: TOKEN, now: NOW, replayStore: store() });

describe('verifyDpopProof (RFC 9449 §4.3, §7.1)', () => {
  it('accepts a valid proof and reports its key thumbprint, jti and iat; query and fragment are ignored', async () => {
    const jti = 'proof-1';
    const result = await verifyDpopProof(await proof({ jti }), {
      ...base(),
      url: `${URL_THINGS}?page=2#top`,
      jkt,
      method: 'get',
    });
    expect(result).toMatchObject({ jkt, jti, iat: NOW, htm: 'GET', htu: URL_THINGS });
    expect(result.jwk).not.toHaveProperty('d');
    expect(result).not.toHaveProperty('nonce');
  });

  it("verifies proofs made by core's own DpopSigner", async () => {
    const signer = new DpopSigner(key);
    const made = await signer.proof(
      'POST',
      `${URL_THINGS}?x=1`,
      { now: () => NOW * 1000, sleep: async () => {} },
      TOKEN,
    );
    const result = await verifyDpopProof(made, { ...base(), method: 'POST', jkt: await signer.thumbprint() });
    expect(result.jkt).toBe(jkt);
  });

  it('refuses each broken proof with a stable code', async () => {
    const other = await generateDpopKey();
    const hs = new Uint8Array(32);
    const cases: [string, string, Record<string, unknown>?][] = [
      ['dpop_proof_invalid', 'not.a.proof'],
      ['dpop_proof_invalid', await proof({}, { typ: 'JWT' })],
      ['dpop_proof_invalid', await proof({}, {}, other.privateKey)], // signature by another key than the jwk
      ['dpop_proof_invalid', await proof({}, { jwk: { ...jwk, d: 'private' } })],
      ['dpop_proof_invalid', await proof({}, { jwk: undefined })],
      [
        'dpop_proof_invalid',
        await new SignJWT({ htm: 'GET', htu: URL_THINGS, jti: 'x', iat: NOW })
          .setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: { kty: 'oct', k: 'AAAA' } as never })
          .sign(hs),
      ],
      ['dpop_htm_mismatch', await proof({ htm: 'POST' })],
      ['dpop_htu_mismatch', await proof({ htu: 'https://api.example.com/other' })],
      ['dpop_htu_mismatch', await proof({ htu: 'not a url' })],
      ['dpop_iat_missing', await proof({ iat: undefined })],
      ['dpop_proof_expired', await proof({ iat: NOW - 600 })],
      ['dpop_iat_in_future', await proof({ iat: NOW + 600 })],
      ['dpop_jti_missing', await proof({ jti: undefined })],
      [
        'dpop_ath_mismatch',
        await createDpopProof(key, { method: 'GET', url: URL_THINGS, accessToken: 'another-token', iat: NOW }),
      ],
      ['dpop_ath_mismatch', await proof({ ath: undefined })],
      ['dpop_key_mismatch', await proof(), { jkt: 'another-thumbprint' }],
    ];
    for (const [code, dpop, extra] of cases) {
      expect(await codeOf(verifyDpopProof(dpop, { ...base(), ...extra })), code).toBe(code);
    }
  });

  it('honours maxAge and clockTolerance', async () => {
    const old = await proof({ iat: NOW - 100 });
    expect(await codeOf(verifyDpopProof(old, base()))).toBe('dpop_proof_expired');
    expect((await verifyDpopProof(old, { ...base(), maxAge: 80 })).iat).toBe(NOW - 100);
    const ahead = await proof({ iat: NOW + 10 });
    expect(await codeOf(verifyDpopProof(ahead, { ...base(), clockTolerance: 5 }))).toBe('dpop_iat_in_future');
  });

  it('without accessToken or jkt, ath and the binding are not checked (token endpoint proofs)', async () => {
    const result = await verifyDpopProof(await proof({ ath: undefined }), { method: 'GET', url: URL_THINGS, now: NOW });
    expect(result.jkt).toBe(jkt);
  });

  it('refuses a replayed proof; a proof that failed another check does not use up its jti', async () => {
    const replayStore = store();
    const once = await proof();
    expect(await codeOf(verifyDpopProof(once, { ...base(), replayStore, jkt: 'other' }))).toBe('dpop_key_mismatch');
    expect(replayStore.keys).toEqual([]);
    await verifyDpopProof(once, { ...base(), replayStore, jkt });
    expect(replayStore.keys).toEqual([expect.stringMatching(new RegExp(`^dpop:${jkt}:`))]);
    expect(await codeOf(verifyDpopProof(once, { ...base(), replayStore, jkt }))).toBe('dpop_replay');
  });

  it('refuses a replay through the default in-memory store', async () => {
    const once = await proof();
    const options = { method: 'GET', url: URL_THINGS, accessToken: TOKEN, now: NOW };
    await verifyDpopProof(once, options);
    expect(await codeOf(verifyDpopProof(once, options))).toBe('dpop_replay');
  });

  it('still refuses a replay after a flood of 10 000 other proofs through the default store', async () => {
    const first = await proof();
    const options = { method: 'GET', url: URL_THINGS, accessToken: TOKEN, now: NOW };
    await verifyDpopProof(first, options);
    // Same signed body, different jti: signing 10 000 proofs is the slow part, not verifying them.
    const flood = await Promise.all(Array.from({ length: 10_000 }, () => proof()));
    for (const other of flood) {
      await verifyDpopProof(other, options);
    }
    expect(await codeOf(verifyDpopProof(first, options))).toBe('dpop_replay');
    expect(await codeOf(verifyDpopProof(flood[0] as string, options))).toBe('dpop_replay');
  }, 60_000);

  it('remembers a jti for the whole acceptance window (maxAge + 2 x clockTolerance), under a fixed-length key', async () => {
    const seen: Array<[string, number]> = [];
    const replayStore: StateStore = {
      consume: async (key, ttl) => {
        seen.push([key, ttl]);
        return true;
      },
    };
    await verifyDpopProof(await proof({ jti: 'j'.repeat(5000) }), {
      ...base(),
      replayStore,
      maxAge: 100,
      clockTolerance: 7,
    });
    await verifyDpopProof(await proof({ jti: 'k' }), { ...base(), replayStore });
    expect(seen.map(([, ttl]) => ttl)).toEqual([100 + 2 * 7 + 1, 60 + 2 * 30 + 1]);
    expect(seen[0]![0].length).toBe(seen[1]![0].length);
    expect(seen[0]![0]).not.toContain('jjjj');
  });

  it('refuses non-finite, negative or non-number maxAge, clockTolerance and now', async () => {
    const once = await proof();
    for (const bad of [
      { maxAge: Number.NaN },
      { maxAge: -1 },
      { maxAge: '60' },
      { clockTolerance: Number.POSITIVE_INFINITY },
      { clockTolerance: '30' },
      { now: Number.NaN },
      { algorithms: ['HS256'] },
    ]) {
      const error = await verifyDpopProof(once, { ...base(), ...(bad as object) }).catch((e: unknown) => e);
      expect(ConfigurationError.is(error), JSON.stringify(bad)).toBe(true);
      expect((error as ConfigurationError).code).toBe('invalid_option');
    }
  });

  it('with a server nonce: a proof without it, or with another, is use_dpop_nonce; the right one passes', async () => {
    expect(await codeOf(verifyDpopProof(await proof(), { ...base(), nonce: 'n-1' }))).toBe('use_dpop_nonce');
    expect(await codeOf(verifyDpopProof(await proof({ nonce: 'n-0' }), { ...base(), nonce: 'n-1' }))).toBe(
      'use_dpop_nonce',
    );
    const result = await verifyDpopProof(await proof({ nonce: 'n-1' }), { ...base(), nonce: 'n-1' });
    expect(result.nonce).toBe('n-1');
  });

  it('honours the algorithm allow-list', async () => {
    expect(await codeOf(verifyDpopProof(await proof(), { ...base(), algorithms: ['RS256'] }))).toBe(
      'dpop_proof_invalid',
    );
    const rsa = await generateDpopKey('PS256');
    const made = await createDpopProof(rsa, { method: 'GET', url: URL_THINGS, accessToken: TOKEN, iat: NOW });
    expect((await verifyDpopProof(made, base())).jkt).toBe(rsa.jkt);
  });
});
