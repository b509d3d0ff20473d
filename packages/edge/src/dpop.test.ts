import { createDpopProof, type DpopKey, generateDpopKey } from '@keyway/mocks';
import { describe, expect, it } from 'vitest';
import { AUDIENCE, DPOP_CHALLENGE, expectRefusal, freshMock, now, REALM, URL_THINGS } from '../test/helpers.js';
import type { VerifierOptions } from './options.js';
import { createVerifier } from './verifier.js';

/** A proof by `key` for `GET URL_THINGS` presenting `token`; `claims` and `header` replace (or, `undefined`, drop) members. */
function proof(
  key: DpopKey,
  token: string,
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
): Promise<string> {
  return createDpopProof(key, { method: 'GET', url: URL_THINGS, accessToken: token, iat: now(), claims, header });
}

function dpopRequest(token: string, dpop: string | undefined, init: RequestInit = {}, url = URL_THINGS): Request {
  const headers: Record<string, string> = { authorization: `DPoP ${token}` };
  if (dpop !== undefined) {
    headers.dpop = dpop;
  }
  return new Request(url, { ...init, headers });
}

async function setup(options: Partial<VerifierOptions> = {}) {
  const { mock, fetch } = freshMock();
  const verifier = createVerifier({ issuer: mock.issuer, audience: AUDIENCE, fetch, retry: false, ...options });
  const key = await generateDpopKey();
  const token = await mock.mintAccessToken({ aud: AUDIENCE, scope: 'things:read', cnf: { jkt: key.jkt } });
  return { mock, verifier, key, token };
}

const dpopError = (error: string, description: string) =>
  `Bearer ${REALM}, ${DPOP_CHALLENGE}, error="${error}", error_description="${description}"`;

describe('DPoP-bound tokens (RFC 9449 §7)', () => {
  it('accepts a bound token with a matching proof; the query string of the request does not matter', async () => {
    const { verifier, key, token } = await setup();
    const auth = await verifier.authenticate(dpopRequest(token, await proof(key, token)));
    expect(auth).toMatchObject({ scheme: 'DPoP', token, scopes: ['things:read'] });
    expect(auth.claims.cnf).toEqual({ jkt: key.jkt });
    const post = dpopRequest(token, await proof(key, token, { htm: 'POST' }), { method: 'POST' }, `${URL_THINGS}?x=1`);
    expect((await verifier.verify(post)).sub).toBe('usr_test');
  });

  it('a bound token sent as a bearer token (or as a bare string) is invalid_token dpop_bound_token', async () => {
    const { verifier, token } = await setup();
    const description = 'The access token is bound to a DPoP key: send it with the DPoP scheme and a proof.';
    for (const input of [new Request(URL_THINGS, { headers: { authorization: `Bearer ${token}` } }), token]) {
      await expectRefusal(verifier.verify(input), {
        code: 'invalid_token',
        reason: 'dpop_bound_token',
        status: 401,
        challenge: `Bearer ${REALM}, error="invalid_token", error_description="${description}", ${DPOP_CHALLENGE}`,
        token,
      });
    }
  });

  it('the DPoP scheme with a token bound to nothing: invalid_token dpop_binding_missing', async () => {
    const { mock, verifier, key } = await setup();
    const unbound = await mock.mintAccessToken({ aud: AUDIENCE });
    await expectRefusal(verifier.verify(dpopRequest(unbound, await proof(key, unbound))), {
      code: 'invalid_token',
      reason: 'dpop_binding_missing',
      status: 401,
      challenge: dpopError('invalid_token', 'The access token is not bound to a DPoP key.'),
    });
  });

  it('refuses each broken proof with invalid_dpop_proof and its reason', async () => {
    const { verifier, key, token } = await setup();
    const other = await generateDpopKey();
    const cases: [string, string | undefined, string][] = [
      ['dpop_proof_missing', undefined, 'The request needs exactly one DPoP proof header.'],
      [
        'dpop_proof_multiple',
        `${await proof(key, token)}, ${await proof(key, token)}`,
        'The request needs exactly one DPoP proof header.',
      ],
      ['dpop_proof_invalid', 'not.a.proof', 'The DPoP proof is malformed or its signature is invalid.'],
      [
        'dpop_proof_invalid',
        await proof(key, token, {}, { typ: 'JWT' }),
        'The DPoP proof is malformed or its signature is invalid.',
      ],
      [
        'dpop_htm_mismatch',
        await proof(key, token, { htm: 'POST' }),
        'The DPoP proof was made for another HTTP method.',
      ],
      [
        'dpop_htu_mismatch',
        await proof(key, token, { htu: 'https://api.example.com/other' }),
        'The DPoP proof was made for another URL.',
      ],
      ['dpop_proof_expired', await proof(key, token, { iat: now() - 600 }), 'The DPoP proof is too old.'],
      ['dpop_iat_in_future', await proof(key, token, { iat: now() + 600 }), 'The DPoP proof was issued in the future.'],
      [
        'dpop_ath_mismatch',
        await proof(key, 'another-token'), // ath of another token
        'The DPoP proof is not bound to this access token (ath).',
      ],
      ['dpop_jti_missing', await proof(key, token, { jti: undefined }), 'The DPoP proof has no jti.'],
      [
        'dpop_key_mismatch',
        await proof(other, token),
        'The DPoP proof is signed by another key than the one the access token is bound to.',
      ],
    ];
    for (const [reason, dpop, description] of cases) {
      const refusal = await expectRefusal(verifier.verify(dpopRequest(token, dpop)), {
        code: 'invalid_dpop_proof',
        reason,
        status: 401,
        challenge: dpopError('invalid_dpop_proof', description),
        token,
      });
      expect(refusal.error).toBe('invalid_dpop_proof');
    }
  });

  it('a replayed proof is refused; a proof that failed another check does not use up its jti', async () => {
    const { mock, verifier, key, token } = await setup({ requiredScopes: ['things:read'] });
    const once = await proof(key, token);
    const scoped = createVerifier({ issuer: mock.issuer, audience: 'https://other.example.com', fetch: mock.fetch });
    await expect(scoped.verify(dpopRequest(token, once))).rejects.toMatchObject({ reason: 'aud_mismatch' });
    expect((await verifier.verify(dpopRequest(token, once))).sub).toBe('usr_test');
    await expectRefusal(verifier.verify(dpopRequest(token, once)), {
      code: 'invalid_dpop_proof',
      reason: 'dpop_replay',
      status: 401,
      challenge: dpopError('invalid_dpop_proof', 'The DPoP proof was already used.'),
    });
  });

  it('uses the given replay store', async () => {
    const keys: string[] = [];
    const { verifier, key, token } = await setup({
      dpop: {
        replayStore: {
          consume: async (jti) => {
            keys.push(jti);
            return false;
          },
        },
      },
    });
    await expect(verifier.verify(dpopRequest(token, await proof(key, token)))).rejects.toMatchObject({
      reason: 'dpop_replay',
    });
    expect(keys).toEqual([expect.stringMatching(new RegExp(`^dpop:${key.jkt}:`))]);
  });

  it('dpop.nonce: a proof without the server nonce is a 401 use_dpop_nonce with a DPoP-Nonce header', async () => {
    const seen: string[] = [];
    const { verifier, key, token } = await setup({
      dpop: {
        nonce: async (request) => {
          seen.push(request.url);
          return 'nonce-2';
        },
      },
    });
    const refusal = await expectRefusal(verifier.verify(dpopRequest(token, await proof(key, token))), {
      code: 'use_dpop_nonce',
      reason: 'use_dpop_nonce',
      status: 401,
      challenge: dpopError('use_dpop_nonce', 'The DPoP proof must carry the nonce the server provided.'),
      token,
    });
    expect(refusal.error).toBe('use_dpop_nonce');
    expect(refusal.dpopNonce).toBe('nonce-2');
    expect(refusal.response.headers.get('dpop-nonce')).toBe('nonce-2');
    expect(refusal.toJSON()).toMatchObject({ dpopNonce: 'nonce-2' });
    await expect(
      verifier.verify(dpopRequest(token, await proof(key, token, { nonce: 'nonce-1' }))),
    ).rejects.toMatchObject({
      code: 'use_dpop_nonce',
    });
    const auth = await verifier.authenticate(dpopRequest(token, await proof(key, token, { nonce: 'nonce-2' })));
    expect(auth.scheme).toBe('DPoP');
    expect(seen).toEqual([URL_THINGS, URL_THINGS, URL_THINGS]);
  });

  it('dpop.nonce returning a value a header cannot carry (CR/LF, quote, empty) is ConfigurationError invalid_dpop_nonce', async () => {
    for (const bad of ['n\r\nset-cookie: x=1', 'n"1', '', 42]) {
      const { verifier, key, token } = await setup({ dpop: { nonce: () => bad as string } });
      const error = await verifier.verify(dpopRequest(token, await proof(key, token))).catch((e: unknown) => e);
      expect(error, JSON.stringify(bad)).toMatchObject({ name: 'ConfigurationError', code: 'invalid_dpop_nonce' });
    }
  });

  it('still refuses a replayed proof after 2 000 other proofs went through the default store', async () => {
    const { verifier, key, token } = await setup();
    const first = await proof(key, token);
    await verifier.verify(dpopRequest(token, first));
    for (let i = 0; i < 2000; i++) {
      await verifier.verify(dpopRequest(token, await proof(key, token)));
    }
    await expectRefusal(verifier.verify(dpopRequest(token, first)), {
      code: 'invalid_dpop_proof',
      reason: 'dpop_replay',
      status: 401,
      challenge: dpopError('invalid_dpop_proof', 'The DPoP proof was already used.'),
    });
  }, 60_000);

  it('insufficient scope on a DPoP request lands in the DPoP challenge', async () => {
    const { verifier, key, token } = await setup({ requiredScopes: ['things:write'] });
    await expectRefusal(verifier.verify(dpopRequest(token, await proof(key, token))), {
      code: 'insufficient_scope',
      reason: 'insufficient_scope',
      status: 403,
      challenge: `Bearer ${REALM}, ${DPOP_CHALLENGE}, error="insufficient_scope", error_description="The access token lacks a scope this request needs.", scope="things:write"`,
    });
  });

  it('dpop: false ignores the DPoP scheme (no token for us); required: true ignores Bearer', async () => {
    const { mock, key, token } = await setup();
    const off = createVerifier({ issuer: mock.issuer, audience: AUDIENCE, fetch: mock.fetch, dpop: false });
    await expectRefusal(off.verify(dpopRequest(token, await proof(key, token))), {
      code: 'missing_token',
      reason: 'unsupported_scheme',
      status: 401,
      challenge: `Bearer ${REALM}`,
    });
    const only = createVerifier({
      issuer: mock.issuer,
      audience: AUDIENCE,
      fetch: mock.fetch,
      dpop: { required: true, algorithms: ['ES256'] },
    });
    await expectRefusal(only.verify(new Request(URL_THINGS, { headers: { authorization: `Bearer ${token}` } })), {
      code: 'missing_token',
      reason: 'unsupported_scheme',
      status: 401,
      challenge: `DPoP ${REALM}, algs="ES256"`,
    });
    expect((await only.verify(dpopRequest(token, await proof(key, token)))).sub).toBe('usr_test');
  });
});
