import { calculatePKCECodeChallenge, generateRandomCodeVerifier, generateRandomState } from 'oauth4webapi';
import { describe, expect, it } from 'vitest';
import { FakeOP, json, REDIRECT_URI, rejection } from '../../test/oauth/fake-op.js';
import { ConfigurationError } from '../errors.js';
import type { AuthorizationUrlOptions } from './authorization-url.js';

const OTHER_REDIRECT = 'https://app.example.test/other-callback';

async function setup() {
  const op = await FakeOP.create();
  op.on('/par', () => json({ request_uri: 'urn:ietf:params:oauth:request_uri:abc', expires_in: 60 }, 201));
  return { op, client: op.client() };
}

/** Fresh caller values, as an application would make them. */
function fresh() {
  return { state: generateRandomState(), nonce: generateRandomState(), codeVerifier: generateRandomCodeVerifier() };
}

describe('createAuthorizationUrl with caller-supplied values', () => {
  it('sends the caller state, nonce, verifier (as its S256 challenge) and redirect URI, and returns them', async () => {
    const { op, client } = await setup();
    const mine = fresh();

    const request = await client.createAuthorizationUrl({ ...mine, redirectUri: OTHER_REDIRECT });

    expect(request).toMatchObject({ ...mine, redirectUri: OTHER_REDIRECT });
    expect(Object.fromEntries(request.url.searchParams)).toMatchObject({
      state: mine.state,
      nonce: mine.nonce,
      redirect_uri: OTHER_REDIRECT,
      code_challenge: await calculatePKCECodeChallenge(mine.codeVerifier),
      code_challenge_method: 'S256',
    });
    expect(request.url.searchParams.has('code_verifier')).toBe(false);
    expect(op.calls).toHaveLength(0);
  });

  it('returns the client redirect URI by default, and the request redeems with its own redirect URI', async () => {
    const { op, client } = await setup();
    expect((await client.createAuthorizationUrl()).redirectUri).toBe(REDIRECT_URI);

    const mine = fresh();
    const request = await client.createAuthorizationUrl({ ...mine, redirectUri: OTHER_REDIRECT });
    op.on('/token', async () =>
      json({ access_token: 'at', token_type: 'Bearer', id_token: await op.idToken({ nonce: mine.nonce }) }),
    );
    const tokens = await client.handleCallback(op.callback({ code: 'c-1', state: mine.state }), request);

    expect(tokens.claims?.nonce).toBe(mine.nonce);
    expect(Object.fromEntries(op.callsTo('/token')[0]!.body)).toMatchObject({
      redirect_uri: OTHER_REDIRECT,
      code_verifier: mine.codeVerifier,
    });
  });

  it('needs no redirectUri option when each request names one', async () => {
    const { op } = await setup();
    const client = op.client({ redirectUri: undefined });
    const request = await client.createAuthorizationUrl({ redirectUri: 'http://127.0.0.1:8400/cb' });
    expect(request.url.searchParams.get('redirect_uri')).toBe('http://127.0.0.1:8400/cb');
    const error = await rejection(client.createAuthorizationUrl());
    expect(error).toMatchObject({ name: 'ConfigurationError', code: 'missing_redirect_uri' });
  });

  it('pushes the caller values with PAR', async () => {
    const { op, client } = await setup();
    const mine = fresh();
    await client.createAuthorizationUrl({ ...mine, redirectUri: OTHER_REDIRECT, par: true });
    expect(Object.fromEntries(op.callsTo('/par')[0]!.body)).toMatchObject({
      state: mine.state,
      nonce: mine.nonce,
      redirect_uri: OTHER_REDIRECT,
      code_challenge: await calculatePKCECodeChallenge(mine.codeVerifier),
    });
  });

  it('refuses weak or malformed values before anything is sent, quoting none of them', async () => {
    const { op, client } = await setup();
    const cases: [AuthorizationUrlOptions, string][] = [
      [{ state: 'short' }, 'weak_state'],
      [{ state: '1234567' }, 'weak_state'],
      [{ state: 'aaaaaaaaaaaa' }, 'weak_state'],
      [{ state: '' }, 'weak_state'],
      [{ state: 'x'.repeat(400) + 'y'.repeat(113) }, 'weak_state'],
      [{ state: 'state-value\r\nSet-Cookie: a=b' }, 'weak_state'],
      [{ state: 'state\u0000value' }, 'weak_state'],
      [{ state: 'étatétatétat' }, 'weak_state'],
      [{ state: 12345678 as unknown as string }, 'weak_state'],
      [{ nonce: 'nonce' }, 'weak_nonce'],
      [{ nonce: 'nonce-value\nx' }, 'weak_nonce'],
      [{ nonce: '--------' }, 'weak_nonce'],
      [{ codeVerifier: 'v'.repeat(43) }, 'invalid_code_verifier'],
      [{ codeVerifier: generateRandomCodeVerifier().slice(0, 42) }, 'invalid_code_verifier'],
      [{ codeVerifier: `${generateRandomCodeVerifier()}${'a'.repeat(86)}` }, 'invalid_code_verifier'],
      [{ codeVerifier: `${generateRandomCodeVerifier()}+/=` }, 'invalid_code_verifier'],
      [{ codeVerifier: `${generateRandomCodeVerifier()}\r\n` }, 'invalid_code_verifier'],
      [{ codeVerifier: `${generateRandomCodeVerifier()} ` }, 'invalid_code_verifier'],
      [{ codeVerifier: null as unknown as string }, 'invalid_code_verifier'],
      [{ redirectUri: '/callback' }, 'invalid_redirect_uri'],
      [{ redirectUri: 'https://app.example.test/cb#x' }, 'invalid_redirect_uri'],
      [{ redirectUri: 'https://app.example.test/cb\r\nLocation: https://evil.test' }, 'invalid_redirect_uri'],
      [{ redirectUri: '' }, 'invalid_redirect_uri'],
      [{ redirectUri: 42 as unknown as string }, 'invalid_redirect_uri'],
      [{ scope: 'api:read', nonce: 'a-good-nonce-value' }, 'invalid_argument'],
    ];
    for (const [options, code] of cases) {
      for (const par of [false, true]) {
        const error = await rejection(client.createAuthorizationUrl({ ...options, par }));
        expect(ConfigurationError.is(error), JSON.stringify(options)).toBe(true);
        expect(error.code, JSON.stringify(options)).toBe(code);
        const value = Object.values(options).find((v) => typeof v === 'string' && v.length > 5) as string | undefined;
        if (value !== undefined && code !== 'invalid_argument') {
          expect(`${error.message} ${JSON.stringify(error)}`).not.toContain(value);
        }
      }
    }
    expect(op.calls).toHaveLength(0);
  });

  it('accepts the RFC 7636 bounds and alphabet', async () => {
    const { client } = await setup();
    for (const codeVerifier of [
      `${generateRandomCodeVerifier()}`.slice(0, 43),
      `${generateRandomCodeVerifier()}${generateRandomCodeVerifier()}${generateRandomCodeVerifier()}`.slice(0, 128),
      `AZaz09-._~${generateRandomCodeVerifier()}`,
    ]) {
      const request = await client.createAuthorizationUrl({ codeVerifier });
      expect(request.codeVerifier).toBe(codeVerifier);
    }
  });

  it('refuses a value this process already sent (reused_value), for any client of the issuer and client_id', async () => {
    const { op, client } = await setup();
    const mine = fresh();
    await client.createAuthorizationUrl(mine);

    for (const reused of [{ state: mine.state }, { nonce: mine.nonce }, { codeVerifier: mine.codeVerifier }]) {
      const error = await rejection(op.client().createAuthorizationUrl({ ...fresh(), ...reused }));
      expect(ConfigurationError.is(error), JSON.stringify(reused)).toBe(true);
      expect(error.code).toBe('reused_value');
    }
    // Another client_id keeps its own record.
    await op.client({ clientId: 'other-client' }).createAuthorizationUrl(mine);
    expect(op.calls).toHaveLength(0);
  });

  it('records nothing when a request is refused', async () => {
    const { op, client } = await setup();
    const mine = fresh();
    expect((await rejection(client.createAuthorizationUrl({ ...mine, nonce: 'weak' }))).code).toBe('weak_nonce');
    expect((await rejection(client.createAuthorizationUrl({ ...mine, maxAge: -1 }))).code).toBe('invalid_argument');
    delete op.metadata.pushed_authorization_request_endpoint;
    expect((await rejection(client.createAuthorizationUrl({ ...mine, par: true }))).code).toBe('missing_endpoint');

    const request = await client.createAuthorizationUrl(mine);
    expect(request.state).toBe(mine.state);
  });

  it('sends no nonce without openid, and fresh values where the caller gave none', async () => {
    const { client } = await setup();
    const mine = fresh();
    const plain = await client.createAuthorizationUrl({ scope: 'api:read', state: mine.state });
    expect(plain.nonce).toBeUndefined();
    expect(plain.url.searchParams.has('nonce')).toBe(false);
    expect(plain.codeVerifier).toMatch(/^[\w-]{43}$/);
  });
});
