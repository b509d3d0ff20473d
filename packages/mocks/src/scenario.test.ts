import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { createMockKeyway, type SigningAlg } from './index.js';

const validate = async (mock: ReturnType<typeof createMockKeyway>, token: string) =>
  (await (
    await mock.fetch(`${mock.issuer}/api/v1/validate`, { headers: { authorization: `Bearer ${token}` } })
  ).json()) as { valid: boolean };

describe('keys', () => {
  it.each<[SigningAlg, string, string | undefined]>([
    ['RS256', 'RSA', undefined],
    ['ES256', 'EC', 'P-256'],
    ['EdDSA', 'OKP', 'Ed25519'],
  ])('signs with %s and publishes a matching JWKS', async (alg, kty, crv) => {
    const mock = createMockKeyway({ alg });
    const jwks = (await (await mock.fetch(`${mock.issuer}/oauth/jwks`)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty, alg, use: 'sig', ...(crv ? { crv } : {}) });
    expect(jwks.keys[0]).not.toHaveProperty('d');
    const token = await mock.mintAccessToken({ scope: 'x' });
    expect(decodeProtectedHeader(token)).toMatchObject({ alg, typ: 'at+jwt', kid: jwks.keys[0]?.kid });
    const { payload } = await jwtVerify(token, createLocalJWKSet(await mock.jwks()), { issuer: mock.issuer });
    expect(payload.scope).toBe('x');
    const metadata = (await (await mock.fetch(`${mock.issuer}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(metadata.id_token_signing_alg_values_supported).toEqual([alg]);
  });

  it('rotateKeys() signs with a new kid and keeps the old key published unless retired', async () => {
    const mock = createMockKeyway();
    const before = await mock.mintIdToken();
    await mock.rotateKeys();
    const after = await mock.mintIdToken();
    expect(decodeProtectedHeader(after).kid).not.toBe(decodeProtectedHeader(before).kid);
    const jwks = await mock.jwks();
    expect(jwks.keys.map((k) => k.kid)).toEqual([decodeProtectedHeader(after).kid, decodeProtectedHeader(before).kid]);
    await mock.rotateKeys({ retire: true });
    expect((await mock.jwks()).keys).toHaveLength(1);
    await expect(jwtVerify(before, createLocalJWKSet(await mock.jwks()))).rejects.toThrow();
  });
});

describe('minting', () => {
  it('mintAccessToken() makes a token the endpoints accept, with claim overrides', async () => {
    const mock = createMockKeyway();
    const token = await mock.mintAccessToken({ sub: 'usr_9', aud: 'https://api.test', tenant: 'acme' });
    expect(decodeJwt(token)).toMatchObject({
      sub: 'usr_9',
      aud: 'https://api.test',
      tenant: 'acme',
      client_id: 'test-client',
    });
    expect(await validate(mock, token)).toMatchObject({ valid: true, sub: 'usr_9' });
  });

  it('honours an explicit exp', async () => {
    const mock = createMockKeyway();
    mock.clock.set(1_700_000_000);
    const token = await mock.mintAccessToken({ exp: 1_700_000_010 });
    expect(decodeJwt(token)).toMatchObject({ iat: 1_700_000_000, exp: 1_700_000_010 });
    mock.clock.advance(11);
    expect(await validate(mock, token)).toEqual({ valid: false });
  });

  it('mintIdToken() carries the user claims and the first client as audience', async () => {
    const mock = createMockKeyway({ users: [{ sub: 'u1', name: 'Ann', email: 'ann@test' }] });
    expect(decodeJwt(await mock.mintIdToken({ nonce: 'n' }))).toMatchObject({
      iss: mock.issuer,
      sub: 'u1',
      aud: 'test-client',
      name: 'Ann',
      email: 'ann@test',
      nonce: 'n',
    });
  });
});

describe('clock and expiry', () => {
  it('clock.set() freezes and advance() moves the time tokens are issued and checked at', async () => {
    const mock = createMockKeyway({ ttl: 60 });
    mock.clock.set(new Date('2030-01-01T00:00:00Z'));
    const token = await mock.mintAccessToken();
    expect(decodeJwt(token)).toMatchObject({ iat: 1_893_456_000, exp: 1_893_456_060 });
    mock.clock.advance(59);
    expect(await validate(mock, token)).toMatchObject({ valid: true });
    mock.clock.advance(1);
    expect(await validate(mock, token)).toEqual({ valid: false });
    mock.reset();
    expect(mock.clock.now()).toBeLessThan(1_893_456_000);
  });

  it('expireAll() expires issued access tokens but not apiToken', async () => {
    const mock = createMockKeyway();
    const token = await mock.mintAccessToken();
    mock.expireAll();
    expect(await validate(mock, token)).toEqual({ valid: false });
    expect(await validate(mock, mock.apiToken)).toMatchObject({ valid: true });
  });
});

describe('offline consent through the authorize endpoint', () => {
  it('the consent_url redirects to the redirect_uri with a code the callback accepts', async () => {
    const mock = createMockKeyway();
    const auth = { authorization: `Bearer ${mock.apiToken}`, 'content-type': 'application/json' };
    const consent = (await (
      await mock.fetch(`${mock.issuer}/api/v1/offline/consent`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ client_id: 'test-client', user_id: 'usr_7', redirect_uri: 'https://app.test/cb' }),
      })
    ).json()) as { consent_url: string; state: string };
    const redirect = await mock.fetch(consent.consent_url);
    expect(redirect.status).toBe(302);
    const back = new URL(redirect.headers.get('location')!);
    expect(back.searchParams.get('state')).toBe(consent.state);
    const done = await mock.fetch(`${mock.issuer}/api/v1/offline/callback`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify(Object.fromEntries(back.searchParams)),
    });
    expect(await done.json()).toMatchObject({ persistent_token_id: expect.stringMatching(/^ptk_/) });
  });
});
