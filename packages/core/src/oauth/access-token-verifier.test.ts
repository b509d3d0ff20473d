import { createMockKeyway } from '@keyway/mocks';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { codeOf } from '../../test/oauth/fake-op.js';
import { ConfigurationError, InternalServerError, InvalidResponseError, type TokenValidationError } from '../errors.js';
import type { FetchLike } from '../internal/http.js';
import type {
  AccessTokenVerificationOptions,
  AccessTokenVerifierOptions,
  AccessTokenVerifyOptions,
  VerifyAccessTokenOptions,
} from './access-token.js';
import { type AccessTokenVerifier, createAccessTokenVerifier } from './access-token-verifier.js';
import { discover } from './discover.js';
import type { OAuthClient } from './oauth-client.js';

const AUDIENCE = 'https://api.example.com';

/** A mock and a fetch of its own that records the paths it was asked for. */
function setup() {
  const mock = createMockKeyway();
  const paths: string[] = [];
  const fetch: FetchLike = (input, init) => {
    paths.push(new URL(input instanceof Request ? input.url : String(input)).pathname);
    return mock.fetch(input, init);
  };
  return { mock, fetch, paths };
}

describe('createAccessTokenVerifier (RFC 9068, no client needed)', () => {
  it('verifies a JWT access token of the issuer for the audience', async () => {
    const { mock, fetch } = setup();
    const verifier = createAccessTokenVerifier({ issuer: mock.issuer, audience: AUDIENCE, fetch });
    expect(verifier).toMatchObject({ issuer: mock.issuer, audience: AUDIENCE });
    const claims = await verifier.verify(await mock.mintAccessToken({ aud: AUDIENCE, scope: 'things:read' }));
    expect(claims).toMatchObject({ iss: mock.issuer, aud: AUDIENCE, scope: 'things:read' });
  });

  it('refuses with the codes of OAuthClient.verifyAccessToken', async () => {
    const { mock, fetch } = setup();
    const verifier = createAccessTokenVerifier({ issuer: mock.issuer, audience: AUDIENCE, fetch });
    expect(await codeOf(verifier.verify(await mock.mintAccessToken({ aud: 'https://other.example.com' })))).toBe(
      'aud_mismatch',
    );
    const expired = await mock.mintAccessToken({ aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) - 3600 });
    expect(await codeOf(verifier.verify(expired))).toBe('token_expired');
    expect(await codeOf(verifier.verify('not-a-jwt'))).toBe('malformed_jwt');
    const idToken = await mock.mintIdToken({ aud: AUDIENCE });
    expect(await codeOf(verifier.verify(idToken))).toBe('invalid_typ');
  });

  it("checks the verifier's required scopes and each call's", async () => {
    const { mock, fetch } = setup();
    const verifier = createAccessTokenVerifier({
      issuer: mock.issuer,
      audience: AUDIENCE,
      requiredScopes: ['things:read'],
      fetch,
    });
    const reader = await mock.mintAccessToken({ aud: AUDIENCE, scope: 'things:read' });
    expect((await verifier.verify(reader)).scope).toBe('things:read');
    expect(await codeOf(verifier.verify(reader, { requiredScopes: ['things:write'] }))).toBe('insufficient_scope');
    expect(await codeOf(verifier.verify(await mock.mintAccessToken({ aud: AUDIENCE, scope: 'other' })))).toBe(
      'insufficient_scope',
    );
  });

  it('shares the discovery and JWKS caches of discover() with the same fetch: one fetch of each', async () => {
    const { mock, fetch, paths } = setup();
    const token = await mock.mintAccessToken({ aud: AUDIENCE });
    const verifier = createAccessTokenVerifier({ issuer: mock.issuer, audience: AUDIENCE, fetch });
    await verifier.verify(token);
    const fetched = paths.length;
    expect(fetched).toBeGreaterThanOrEqual(2);
    await createAccessTokenVerifier({ issuer: mock.issuer, audience: AUDIENCE, fetch }).verify(token);
    const client = await discover(mock.issuer, { clientId: 'any', fetch });
    await client.verifyAccessToken(token, { audience: AUDIENCE });
    expect(paths).toHaveLength(fetched);
  });

  it('tries discovery again after a failure', async () => {
    const { mock, fetch } = setup();
    let down = true;
    const flaky: FetchLike = (input, init) =>
      down ? Promise.resolve(new Response('down', { status: 500 })) : fetch(input, init);
    const verifier = createAccessTokenVerifier({ issuer: mock.issuer, audience: AUDIENCE, fetch: flaky, retry: false });
    const token = await mock.mintAccessToken({ aud: AUDIENCE });
    const error = await verifier.verify(token).catch((e: unknown) => e);
    expect(InvalidResponseError.is(error)).toBe(true);
    down = false;
    expect((await verifier.verify(token)).iss).toBe(mock.issuer);
  });

  it('sends its discovery and JWKS fetches once, with the client header: a 503 JWKS is one request and an InternalServerError naming it', async () => {
    const { mock, fetch, paths } = setup();
    const agents: (string | null)[] = [];
    const busyKeys: FetchLike = (input, init) => {
      agents.push(new Headers(init?.headers).get('x-keyway-client'));
      return new URL(String(input)).pathname.endsWith('/jwks')
        ? Promise.resolve(new Response('busy', { status: 503, headers: { 'retry-after': '0' } }))
        : fetch(input, init);
    };
    const verifier = createAccessTokenVerifier({ issuer: mock.issuer, audience: AUDIENCE, fetch: busyKeys });
    const error = await verifier.verify(await mock.mintAccessToken({ aud: AUDIENCE })).catch((e: unknown) => e);
    expect(InternalServerError.is(error)).toBe(true);
    expect(error).toMatchObject({ status: 503, method: 'GET', url: `${mock.issuer}/oauth/jwks` });
    expect((error as Error).message).toBe(
      `The JWKS endpoint answered with status 503: busy (GET ${mock.issuer}/oauth/jwks).`,
    );
    expect(agents).toHaveLength(2);
    expect(agents.every((agent) => agent?.startsWith('keyway-core/'))).toBe(true);
    expect(paths).toEqual(['/.well-known/openid-configuration']);
  });

  it('refuses bad options with ConfigurationError', () => {
    expect(() => createAccessTokenVerifier({ issuer: 'https://auth.example.com', audience: '' })).toThrow(
      ConfigurationError,
    );
    expect(() => createAccessTokenVerifier({ audience: AUDIENCE } as never)).toThrow(ConfigurationError);
  });
});

describe('createAccessTokenVerifier: refusals at the door', () => {
  it('refuses a discovered plain-http jwks_uri on a non-loopback host without fetching it', async () => {
    const { mock, fetch, paths } = setup();
    const insecureFetch: FetchLike = async (input, init) => {
      const response = await fetch(input, init);
      if (!paths.at(-1)?.endsWith('/openid-configuration')) {
        return response;
      }
      const metadata = (await response.json()) as Record<string, unknown>;
      return Response.json({ ...metadata, jwks_uri: 'http://keys.example.com/jwks' });
    };
    const verifier = createAccessTokenVerifier({ issuer: mock.issuer, audience: AUDIENCE, fetch: insecureFetch });
    const error = await verifier.verify(await mock.mintAccessToken({ aud: AUDIENCE })).catch((e: unknown) => e);
    expect(ConfigurationError.is(error), String(error)).toBe(true);
    expect((error as ConfigurationError).code).toBe('insecure_request');
    expect(paths.filter((path) => path === '/jwks')).toEqual([]);
  });

  it('refuses non-finite, negative or non-number clockTolerance and bad algorithms at construction', () => {
    const issuer = 'https://auth.example.com';
    const bad = [
      { clockTolerance: Number.NaN },
      { clockTolerance: '30' },
      { clockTolerance: Number.POSITIVE_INFINITY },
      { clockTolerance: -1 },
      { timeout: Number.NaN },
      { timeout: -5 },
      { timeout: '10' },
      { algorithms: [] },
      { algorithms: ['none'] },
      { algorithms: ['HS256'] },
      { algorithms: 'RS256' },
    ];
    for (const options of bad) {
      let error: unknown;
      try {
        createAccessTokenVerifier({ issuer, audience: AUDIENCE, ...(options as object) });
      } catch (caught) {
        error = caught;
      }
      expect(ConfigurationError.is(error), JSON.stringify(options)).toBe(true);
      expect((error as ConfigurationError).code).toBe('invalid_option');
    }
  });
});

describe('one verifier, one options type', () => {
  it('OAuthClient.verifyAccessToken and createAccessTokenVerifier answer alike, token by token', async () => {
    const { mock, fetch } = setup();
    const verifier = createAccessTokenVerifier({ issuer: mock.issuer, audience: AUDIENCE, fetch });
    const client = await discover(mock.issuer, { clientId: 'any', fetch });
    const past = Math.floor(Date.now() / 1000) - 3600;
    const tokens = [
      await mock.mintAccessToken({ aud: AUDIENCE, scope: 'things:read' }),
      await mock.mintAccessToken({ aud: AUDIENCE, scope: 'other' }),
      await mock.mintAccessToken({ aud: 'https://other.example.com' }),
      await mock.mintAccessToken({ aud: AUDIENCE, exp: past }),
      await mock.mintIdToken({ aud: AUDIENCE }),
      'not-a-jwt',
    ];
    const outcome = (promise: Promise<unknown>) =>
      promise.then(
        (claims) => ({ claims }),
        (error: TokenValidationError) => ({ code: error.code }),
      );
    const requiredScopes = ['things:read'];
    const fromVerifier = await Promise.all(tokens.map((token) => outcome(verifier.verify(token, { requiredScopes }))));
    const fromClient = await Promise.all(
      tokens.map((token) => outcome(client.verifyAccessToken(token, { audience: AUDIENCE, requiredScopes }))),
    );
    expect(fromClient).toEqual(fromVerifier);
    expect(fromVerifier.map((result) => ('code' in result ? result.code : 'ok'))).toEqual([
      'ok',
      'insufficient_scope',
      'aud_mismatch',
      'token_expired',
      'invalid_typ',
      'malformed_jwt',
    ]);
  });

  it('keeps the old option-type names as deprecated aliases of AccessTokenVerificationOptions', () => {
    expectTypeOf<AccessTokenVerifierOptions>().toEqualTypeOf<AccessTokenVerificationOptions>();
    expectTypeOf<AccessTokenVerifyOptions>().toEqualTypeOf<Pick<AccessTokenVerificationOptions, 'requiredScopes'>>();
    expectTypeOf<VerifyAccessTokenOptions>().toEqualTypeOf<
      Pick<AccessTokenVerificationOptions, 'audience' | 'requiredScopes'>
    >();
    expectTypeOf<OAuthClient['verifyAccessToken']>().parameter(1).toEqualTypeOf<VerifyAccessTokenOptions>();
    expectTypeOf<AccessTokenVerifier['verify']>().parameter(1).toEqualTypeOf<AccessTokenVerifyOptions | undefined>();
  });
});
