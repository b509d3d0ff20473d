import { ConfigurationError, TokenValidationError, verifyDpopProof } from '@keyway/core';
import { type AuthContext, withAuth } from '@keyway/edge';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createDpopKey,
  type DpopKey,
  dpopProof,
  expectError,
  type HostileOp,
  newEdgeVerifier,
  newSecret,
  type ProofOptions,
  RESOURCE,
  secretScan,
  startHostileOp,
} from '../src/index.ts';

let op: HostileOp;
let key: DpopKey;
let other: DpopKey;
beforeAll(async () => {
  op = await startHostileOp();
  [key, other] = await Promise.all([createDpopKey(), createDpopKey()]);
});
afterAll(() => op.close());
beforeEach(() => op.reset());

const URL_ = `${RESOURCE}/things`;
const now = () => Math.floor(Date.now() / 1000);

/** A proof for GET /things, bent by `options`. */
const proof = (options: Partial<ProofOptions> = {}, signer: DpopKey = key) =>
  dpopProof(signer, { htm: 'GET', htu: URL_, ...options });

describe('verifyDpopProof: positive controls', () => {
  it('accepts a fresh proof and returns the thumbprint of its key', async () => {
    const token = newSecret('at');
    const verified = await verifyDpopProof(await proof({ accessToken: token }), {
      method: 'GET',
      url: URL_,
      accessToken: token,
      jkt: key.jkt,
    });
    expect(verified.jkt).toBe(key.jkt);
  });

  it('ignores the query and fragment when comparing htu', async () => {
    const verified = await verifyDpopProof(await proof(), { method: 'get', url: `${URL_}?page=2#top` });
    expect(verified.htu).toBe(URL_);
  });

  it('accepts a proof carrying the server nonce it asks for', async () => {
    const verified = await verifyDpopProof(await proof({ nonce: 'server-nonce-1' }), {
      method: 'GET',
      url: URL_,
      nonce: 'server-nonce-1',
    });
    expect(verified.nonce).toBe('server-nonce-1');
  });
});

describe('verifyDpopProof: refusals', () => {
  const refuses = async (
    made: Promise<string> | string,
    code: string,
    options: Partial<Parameters<typeof verifyDpopProof>[1]> = {},
  ) => {
    await expectError(
      verifyDpopProof(await made, { method: 'GET', url: URL_, ...options }),
      TokenValidationError,
      code,
    );
  };

  it('refuses a replayed proof (dpop_replay)', async () => {
    const replayed = await proof();
    await verifyDpopProof(replayed, { method: 'GET', url: URL_ });
    await refuses(replayed, 'dpop_replay');
  });

  it('still refuses a replay after 10 000 other valid proofs were verified (the flood evicts nothing)', async () => {
    const first = await proof();
    await verifyDpopProof(first, { method: 'GET', url: URL_ });
    for (let i = 0; i < 10_000; i += 500) {
      const batch = await Promise.all(Array.from({ length: 500 }, () => proof()));
      await Promise.all(batch.map((p) => verifyDpopProof(p, { method: 'GET', url: URL_ })));
    }
    await refuses(first, 'dpop_replay');
  }, 60_000);

  it('refuses a proof whose typ is not dpop+jwt (dpop_proof_invalid)', () =>
    refuses(proof({ header: { typ: 'JWT' } }), 'dpop_proof_invalid'));

  it('refuses an HS256 proof (dpop_proof_invalid)', () =>
    refuses(proof({ hmac: newSecret('k') }), 'dpop_proof_invalid'));

  it('refuses a proof whose embedded jwk holds the private key (dpop_proof_invalid)', () =>
    refuses(proof({ header: { jwk: key.privateJwk } }), 'dpop_proof_invalid'));

  it('refuses a proof signed by another key than the one it embeds (dpop_proof_invalid)', () =>
    refuses(proof({ signWith: other.privateKey }), 'dpop_proof_invalid'));

  it('refuses a proof without jwk (dpop_proof_invalid)', () =>
    refuses(proof({ header: { jwk: undefined } }), 'dpop_proof_invalid'));

  it('refuses a string that is not a JWS (dpop_proof_invalid)', () =>
    refuses('not-a-dpop-proof-at-all', 'dpop_proof_invalid'));

  it('refuses a proof for another method (dpop_htm_mismatch)', () =>
    refuses(proof({ htm: 'POST' }), 'dpop_htm_mismatch'));

  it('refuses a proof for another URL (dpop_htu_mismatch)', () =>
    refuses(proof({ htu: `${RESOURCE}/admin` }), 'dpop_htu_mismatch'));

  it('refuses a proof made an hour ago (dpop_proof_expired)', () =>
    refuses(proof({ claims: { iat: now() - 3600 } }), 'dpop_proof_expired'));

  it('refuses a proof made an hour from now (dpop_iat_in_future)', () =>
    refuses(proof({ claims: { iat: now() + 3600 } }), 'dpop_iat_in_future'));

  it('refuses a proof bound to another access token (dpop_ath_mismatch)', () =>
    refuses(proof({ accessToken: newSecret('at') }), 'dpop_ath_mismatch', { accessToken: newSecret('at') }));

  it('refuses a proof without ath when an access token is presented (dpop_ath_mismatch)', () =>
    refuses(proof(), 'dpop_ath_mismatch', { accessToken: newSecret('at') }));

  it("refuses a proof by another key than the token's cnf.jkt (dpop_key_mismatch)", () =>
    refuses(proof({}, other), 'dpop_key_mismatch', { jkt: key.jkt }));

  it('refuses a proof without the server nonce (use_dpop_nonce)', () =>
    refuses(proof(), 'use_dpop_nonce', { nonce: 'server-nonce-2' }));

  it('refuses a proof with a stale server nonce (use_dpop_nonce)', () =>
    refuses(proof({ nonce: 'server-nonce-1' }), 'use_dpop_nonce', { nonce: 'server-nonce-2' }));
});

describe('verifyDpopProof: options', () => {
  it.each([
    ['maxAge', Number.NaN],
    ['maxAge', -1],
    ['clockTolerance', '30'],
    ['clockTolerance', Number.POSITIVE_INFINITY],
  ])('refuses %s: %s (invalid_option)', async (name, value) => {
    await expectError(
      verifyDpopProof(await proof(), { method: 'GET', url: URL_, [name]: value } as never),
      ConfigurationError,
      'invalid_option',
    );
  });
});

describe('DPoP at the edge (withAuth)', () => {
  const handlerFor = (options: Parameters<typeof newEdgeVerifier>[1] = {}) => {
    const { verifier } = newEdgeVerifier(op, options);
    return withAuth(
      (_request, _env, _ctx, auth: AuthContext) => Response.json({ sub: auth.claims.sub, scheme: auth.scheme }),
      { verifier },
    );
  };
  const ctx = { waitUntil: () => undefined };
  const boundToken = () => op.accessToken({ claims: { cnf: { jkt: key.jkt } } });
  const request = (token: string, dpop?: string, scheme = 'DPoP') =>
    new Request(URL_, { headers: { authorization: `${scheme} ${token}`, ...(dpop ? { dpop } : {}) } });

  /** The 401 of a refused DPoP request: the error sits in the DPoP challenge, not the Bearer one. */
  const expectDpopChallenge = async (response: Response, error: string) => {
    expect(response.status).toBe(401);
    const challenge = response.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(new RegExp(`DPoP realm="${RESOURCE}", algs="[^"]+", error="${error}"`));
    expect(challenge.slice(0, challenge.indexOf('DPoP'))).not.toContain('error=');
    expect(((await response.json()) as { error: string }).error).toBe(error);
  };

  it('serves a DPoP-bound token with a valid proof (scheme DPoP)', async () => {
    const token = await boundToken();
    const response = await handlerFor()(request(token, await proof({ accessToken: token })), {}, ctx);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ sub: 'alice', scheme: 'DPoP' });
  });

  it('answers a replayed proof with 401 and a DPoP error="invalid_dpop_proof" challenge', async () => {
    const handler = handlerFor();
    const token = await boundToken();
    const replayed = await proof({ accessToken: token });
    expect((await handler(request(token, replayed), {}, ctx)).status).toBe(200);
    await expectDpopChallenge(await handler(request(token, replayed), {}, ctx), 'invalid_dpop_proof');
  });

  it('answers a proof for another URL with 401 invalid_dpop_proof', async () => {
    const token = await boundToken();
    const response = await handlerFor()(
      request(token, await proof({ accessToken: token, htu: `${RESOURCE}/x` })),
      {},
      ctx,
    );
    await expectDpopChallenge(response, 'invalid_dpop_proof');
  });

  it('answers a DPoP request without a proof header with 401 invalid_dpop_proof', async () => {
    await expectDpopChallenge(await handlerFor()(request(await boundToken()), {}, ctx), 'invalid_dpop_proof');
  });

  it('answers a DPoP-bound token sent as a bearer token with 401 invalid_token on the Bearer challenge', async () => {
    const response = await handlerFor()(request(await boundToken(), undefined, 'Bearer'), {}, ctx);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(
      new RegExp(`^Bearer realm="${RESOURCE}", error="invalid_token"`),
    );
  });

  it('asks for the server nonce with 401 use_dpop_nonce and a DPoP-Nonce header, then serves the retry', async () => {
    const handler = handlerFor({ dpop: { nonce: () => 'edge-nonce-1' } });
    const token = await boundToken();
    const first = await handler(request(token, await proof({ accessToken: token })), {}, ctx);
    expect(first.headers.get('dpop-nonce')).toBe('edge-nonce-1');
    await expectDpopChallenge(first, 'use_dpop_nonce');
    const retry = await handler(request(token, await proof({ accessToken: token, nonce: 'edge-nonce-1' })), {}, ctx);
    expect(retry.status).toBe(200);
  });
});

secretScan();
