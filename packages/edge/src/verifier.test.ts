import { ConfigurationError } from '@keyway/core';
import { createMockKeyway } from '@keyway/mocks';
import { describe, expect, it } from 'vitest';
import {
  AUDIENCE,
  bearer,
  DPOP_CHALLENGE,
  expectRefusal,
  freshMock,
  isolateFetch,
  now,
  REALM,
  URL_THINGS,
} from '../test/helpers.js';
import type { VerifierOptions } from './options.js';
import { createVerifier } from './verifier.js';

function setup(options: Partial<VerifierOptions> = {}) {
  const { mock, fetch } = freshMock();
  const verifier = createVerifier({ issuer: mock.issuer, audience: AUDIENCE, fetch, retry: false, ...options });
  return { mock, verifier };
}

const BARE = `Bearer ${REALM}, ${DPOP_CHALLENGE}`;
const invalidToken = (description: string) =>
  `Bearer ${REALM}, error="invalid_token", error_description="${description}", ${DPOP_CHALLENGE}`;

describe('createVerifier: a valid bearer token', () => {
  it('resolves to the verified claims, from a Request or a token string', async () => {
    const { mock, verifier } = setup();
    const token = await mock.mintAccessToken({ aud: AUDIENCE, scope: 'things:read things:write', sub: 'usr_1' });
    const claims = await verifier.verify(bearer(token));
    expect(claims).toMatchObject({ iss: mock.issuer, aud: AUDIENCE, sub: 'usr_1', scope: 'things:read things:write' });
    expect(await verifier.verify(token)).toEqual(claims);
    expect(await verifier.authenticate(bearer(token), { requiredScopes: ['things:write'] })).toEqual({
      claims,
      token,
      scheme: 'Bearer',
      scopes: ['things:read', 'things:write'],
    });
  });

  it('takes the scheme in any case and an audience among several', async () => {
    const { mock, verifier } = setup();
    const token = await mock.mintAccessToken({ aud: ['https://other.example.com', AUDIENCE] });
    const request = new Request(URL_THINGS, { headers: { authorization: `bEaReR ${token}` } });
    expect((await verifier.verify(request)).sub).toBe('usr_test');
  });

  it('fetches discovery and the JWKS once for many verifications, also across verifiers of one fetch', async () => {
    const { mock, verifier } = setup();
    const token = await mock.mintAccessToken({ aud: AUDIENCE });
    await Promise.all([verifier.verify(token), verifier.verify(token)]);
    const fetch = (input: RequestInfo | URL, init?: RequestInit) => mock.fetch(input, init);
    const a = createVerifier({ issuer: mock.issuer, audience: AUDIENCE, fetch });
    const b = createVerifier({ issuer: mock.issuer, audience: AUDIENCE, fetch });
    await a.verify(token);
    await b.verify(token);
    expect(mock.callsTo('getJwks')).toHaveLength(2); // one per fetch (isolate cache), not per verifier
  });

  it('accepts an expired token within the clock tolerance, and not beyond', async () => {
    const { mock, verifier } = setup({ clockTolerance: 60 });
    const token = await mock.mintAccessToken({ aud: AUDIENCE, exp: now() - 30 });
    expect((await verifier.verify(token)).exp).toBeLessThan(now());
    const strict = createVerifier({ issuer: mock.issuer, audience: AUDIENCE, fetch: mock.fetch, clockTolerance: 0 });
    await expectRefusal(strict.verify(token), {
      code: 'invalid_token',
      reason: 'token_expired',
      status: 401,
      challenge: invalidToken('The access token expired.'),
    });
  });
});

describe("createVerifier: core's verification options, extended", () => {
  it('takes every AccessTokenVerificationOptions field: a URL issuer, algorithms, onCacheUpdate', async () => {
    const mock = createMockKeyway({ issuer: 'https://auth.example.com/tenant-1' });
    const fetch = isolateFetch(mock);
    const updates: string[] = [];
    const verifier = createVerifier({
      issuer: new URL(mock.issuer),
      audience: AUDIENCE,
      fetch,
      onCacheUpdate: (event) => {
        updates.push(event.kind);
        throw new Error('ignored');
      },
    });
    expect(verifier.issuer).toBe(mock.issuer);
    const token = await mock.mintAccessToken({ aud: AUDIENCE });
    expect((await verifier.verify(token)).iss).toBe(mock.issuer);
    expect(updates.sort()).toEqual(['jwks', 'metadata']);
    const es256Only = createVerifier({ issuer: mock.issuer, audience: AUDIENCE, fetch, algorithms: ['ES256'] });
    await expectRefusal(es256Only.verify(token), {
      code: 'invalid_token',
      reason: 'alg_not_allowed',
      status: 401,
      challenge: invalidToken('The access token is signed with an algorithm that is not accepted.'),
    });
    expect(() => createVerifier({ issuer: mock.issuer, audience: AUDIENCE, algorithms: ['HS256'] })).toThrow(
      expect.objectContaining({ name: 'ConfigurationError', code: 'invalid_option' }),
    );
  });
});

describe('createVerifier: refusals (RFC 6750 §3)', () => {
  it('no Authorization header: 401 with a bare challenge for each accepted scheme', async () => {
    const { verifier } = setup();
    await expectRefusal(verifier.verify(new Request(URL_THINGS)), {
      code: 'missing_token',
      reason: 'no_authorization',
      status: 401,
      challenge: BARE,
    });
    await expectRefusal(verifier.verify('  '), {
      code: 'missing_token',
      reason: 'no_authorization',
      status: 401,
      challenge: BARE,
    });
  });

  it('another scheme (Basic) counts as no token; without DPoP the challenge is Bearer alone', async () => {
    const { verifier } = setup({ dpop: false, realm: 'things "api"' });
    const request = new Request(URL_THINGS, { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    await expectRefusal(verifier.verify(request), {
      code: 'missing_token',
      reason: 'unsupported_scheme',
      status: 401,
      challenge: 'Bearer realm="things api"',
    });
  });

  it('a token in the query string: 400 invalid_request, never read, also next to a header', async () => {
    const { mock, verifier } = setup();
    const token = await mock.mintAccessToken({ aud: AUDIENCE });
    const description = 'Access tokens are not accepted in the query string: send them in the Authorization header.';
    for (const request of [
      new Request(`${URL_THINGS}?access_token=${token}`),
      bearer(token, `${URL_THINGS}?a=1&access_token=${token}`),
    ]) {
      await expectRefusal(verifier.verify(request), {
        code: 'invalid_request',
        reason: 'token_in_query',
        status: 400,
        challenge: `Bearer ${REALM}, error="invalid_request", error_description="${description}", ${DPOP_CHALLENGE}`,
        token,
      });
    }
    expect(mock.callsTo('getJwks')).toHaveLength(0);
  });

  it('a malformed Authorization header: 400 invalid_request', async () => {
    const { verifier } = setup();
    for (const value of ['Bearer', 'Bearer a b', 'Bearer a, Bearer b', 'Bearer ###']) {
      await expectRefusal(verifier.verify(new Request(URL_THINGS, { headers: { authorization: value } })), {
        code: 'invalid_request',
        reason: 'malformed_authorization',
        status: 400,
        challenge: `Bearer ${REALM}, error="invalid_request", error_description="The Authorization header is malformed: expected Bearer <token>.", ${DPOP_CHALLENGE}`,
      });
    }
  });

  it('an expired token: 401 invalid_token token_expired, the token never echoed', async () => {
    const { mock, verifier } = setup();
    const token = await mock.mintAccessToken({ aud: AUDIENCE, exp: now() - 120 });
    await expectRefusal(verifier.verify(bearer(token)), {
      code: 'invalid_token',
      reason: 'token_expired',
      status: 401,
      challenge: invalidToken('The access token expired.'),
      token,
    });
  });

  it('a token for another audience: aud_mismatch', async () => {
    const { mock, verifier } = setup();
    const token = await mock.mintAccessToken({ aud: 'https://other.example.com' });
    await expectRefusal(verifier.verify(bearer(token)), {
      code: 'invalid_token',
      reason: 'aud_mismatch',
      status: 401,
      challenge: invalidToken('The access token is not meant for this resource.'),
      token,
    });
  });

  it('a token naming another issuer: iss_mismatch', async () => {
    const { mock, verifier } = setup();
    const token = await mock.mintAccessToken({ aud: AUDIENCE, iss: 'https://evil.example.com' });
    await expectRefusal(verifier.verify(bearer(token)), {
      code: 'invalid_token',
      reason: 'iss_mismatch',
      status: 401,
      challenge: invalidToken('The access token was issued by another issuer.'),
    });
  });

  it('a tampered signature, a token that is no JWT, an ID token', async () => {
    const { mock, verifier } = setup();
    const token = await mock.mintAccessToken({ aud: AUDIENCE });
    const [header, payload] = token.split('.');
    const forged = `${header}.${payload}.${'A'.repeat(86)}`;
    await expectRefusal(verifier.verify(bearer(forged)), {
      code: 'invalid_token',
      reason: 'invalid_signature',
      status: 401,
      challenge: invalidToken('The access token signature is invalid.'),
      token: forged,
    });
    await expectRefusal(verifier.verify(bearer('not-a-jwt')), {
      code: 'invalid_token',
      reason: 'malformed_jwt',
      status: 401,
      challenge: invalidToken('The access token is malformed.'),
    });
    const idToken = await mock.mintIdToken({ aud: AUDIENCE });
    await expectRefusal(verifier.verify(bearer(idToken)), {
      code: 'invalid_token',
      reason: 'invalid_typ',
      status: 401,
      challenge: invalidToken('The access token is not a JWT access token (typ at+jwt).'),
    });
  });

  it('a valid token without a required scope: 403 insufficient_scope naming the scopes needed', async () => {
    const { mock, verifier } = setup({ requiredScopes: ['things:read'] });
    const token = await mock.mintAccessToken({ aud: AUDIENCE, scope: 'things:read' });
    expect((await verifier.verify(bearer(token))).scope).toBe('things:read');
    await expectRefusal(verifier.verify(bearer(token), { requiredScopes: ['things:write'] }), {
      code: 'insufficient_scope',
      reason: 'insufficient_scope',
      status: 403,
      challenge: `Bearer ${REALM}, error="insufficient_scope", error_description="The access token lacks a scope this request needs.", scope="things:read things:write", ${DPOP_CHALLENGE}`,
      token,
    });
    const none = await mock.mintAccessToken({ aud: AUDIENCE });
    const refusal = await expectRefusal(verifier.verify(none), {
      code: 'insufficient_scope',
      reason: 'insufficient_scope',
      status: 403,
      challenge: `Bearer ${REALM}, error="insufficient_scope", error_description="The access token lacks a scope this request needs.", scope="things:read", ${DPOP_CHALLENGE}`,
    });
    expect(refusal.error).toBe('insufficient_scope');
  });

  it('the JWKS cannot be fetched: 503 unavailable without a challenge, the token not judged', async () => {
    const { mock, verifier } = setup();
    const token = await mock.mintAccessToken({ aud: AUDIENCE });
    const failure = mock.fail('getJwks', { status: 503, times: 1 });
    const refusal = await expectRefusal(verifier.verify(bearer(token)), {
      code: 'unavailable',
      reason: 'http_503',
      status: 503,
      challenge: null,
    });
    expect(failure.hits).toBe(1);
    expect(refusal.response.headers.get('retry-after')).toBe('5');
    expect(await refusal.response.json()).toEqual({
      error: 'temporarily_unavailable',
      error_description: "The issuer's keys could not be fetched: try again later.",
    });
    // The failure is remembered for the cooldown (no JWKS fetch per request while it is down)...
    await expectRefusal(verifier.verify(bearer(token)), {
      code: 'unavailable',
      reason: 'http_503',
      status: 503,
      challenge: null,
    });
    expect(failure.hits).toBe(1);
  });

  it('discovery fails: 503 unavailable, and the next request discovers again', async () => {
    const { mock, verifier } = setup();
    const token = await mock.mintAccessToken({ aud: AUDIENCE });
    mock.fail('*', { network: true, times: 1 });
    await expectRefusal(verifier.verify(token), {
      code: 'unavailable',
      reason: 'connection_error',
      status: 503,
      challenge: null,
    });
    expect((await verifier.verify(token)).aud).toBe(AUDIENCE);
  });

  it('refuses bad options with ConfigurationError invalid_options', () => {
    for (const options of [{ issuer: '', audience: AUDIENCE }, { issuer: 'https://a.example', audience: '' }, {}]) {
      expect(() => createVerifier(options as VerifierOptions)).toThrow(
        expect.objectContaining({ code: 'invalid_options', name: 'ConfigurationError' }),
      );
    }
    expect(() =>
      createVerifier({ issuer: 'https://a.example', audience: AUDIENCE, kv: {} as VerifierOptions['kv'] }),
    ).toThrow(expect.objectContaining({ code: 'invalid_options' }));
  });

  it('a plain http issuer that is not loopback is the caller mistake: ConfigurationError, not a response', async () => {
    const verifier = createVerifier({
      issuer: 'http://auth.example.com',
      audience: AUDIENCE,
      fetch: async () => new Response(),
    });
    const error = await verifier.verify('a.b.c').catch((caught: unknown) => caught);
    expect(ConfigurationError.is(error)).toBe(true);
  });
});

describe('createVerifier: hostile or careless input', () => {
  it('refuses a discovered plain-http jwks_uri on a non-loopback host: ConfigurationError, no key fetched', async () => {
    const { mock, fetch } = freshMock();
    const asked: string[] = [];
    const insecure: typeof fetch = async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      asked.push(url.href);
      const response = await fetch(input, init);
      if (!url.pathname.endsWith('/openid-configuration')) {
        return response;
      }
      return Response.json({ ...((await response.json()) as object), jwks_uri: 'http://keys.example.com/jwks' });
    };
    const verifier = createVerifier({ issuer: mock.issuer, audience: AUDIENCE, fetch: insecure, retry: false });
    const error = await verifier.verify(bearer(await mock.mintAccessToken({ aud: AUDIENCE }))).catch((e: unknown) => e);
    expect(ConfigurationError.is(error)).toBe(true);
    expect((error as ConfigurationError).code).toBe('insecure_request');
    expect(asked.some((url) => url.includes('keys.example.com'))).toBe(false);
  });

  it('splits scope on U+0020 only, as core does: "things:read\tthings:write" grants neither', async () => {
    const { mock, verifier } = setup({ requiredScopes: ['things:write'] });
    const tabbed = await mock.mintAccessToken({ aud: AUDIENCE, scope: 'things:read\tthings:write' });
    await expectRefusal(verifier.verify(bearer(tabbed)), {
      code: 'insufficient_scope',
      reason: 'insufficient_scope',
      status: 403,
      challenge: `Bearer ${REALM}, error="insufficient_scope", error_description="The access token lacks a scope this request needs.", scope="things:write", ${DPOP_CHALLENGE}`,
    });
    const spaced = await mock.mintAccessToken({ aud: AUDIENCE, scope: 'things:read  things:write' });
    const auth = await verifier.authenticate(bearer(spaced));
    expect(auth.scopes).toEqual(['things:read', 'things:write']);
  });

  it('refuses non-finite, negative or non-number clockTolerance, timeout and dpop.maxAge at construction', () => {
    const bad: Array<Partial<VerifierOptions>> = [
      { clockTolerance: Number.NaN },
      { clockTolerance: '30' as unknown as number },
      { clockTolerance: Number.POSITIVE_INFINITY },
      { clockTolerance: -1 },
      { timeout: Number.NaN },
      { timeout: -5 },
      { dpop: { maxAge: Number.NaN } },
      { dpop: { maxAge: -1 } },
      { dpop: { maxAge: '60' as unknown as number } },
    ];
    for (const options of bad) {
      expect(
        () => createVerifier({ issuer: 'https://a.example', audience: AUDIENCE, ...options }),
        JSON.stringify(options),
      ).toThrow(expect.objectContaining({ name: 'ConfigurationError', code: 'invalid_option' }));
    }
  });
});
