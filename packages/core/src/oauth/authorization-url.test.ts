import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { calculatePKCECodeChallenge } from 'oauth4webapi';
import { describe, expect, it } from 'vitest';
import {
  basicCredentials,
  CLIENT_ID,
  CLIENT_SECRET,
  FakeOP,
  json,
  REDIRECT_URI,
  rejection,
} from '../../test/oauth/fake-op.js';
import { ConfigurationError, OAuthError } from '../errors.js';

describe('createAuthorizationUrl', () => {
  it('builds a PKCE S256 request with a fresh state and nonce', async () => {
    const op = await FakeOP.create();
    const client = op.client();

    const request = await client.createAuthorizationUrl({
      scope: 'openid email',
      prompt: 'consent',
      maxAge: 300,
      loginHint: 'alice@example.test',
      resource: ['https://api.example.test/', 'https://other.example.test/'],
      extraParams: { ui_locales: 'fr' },
    });
    const again = await client.createAuthorizationUrl();

    const params = request.url.searchParams;
    expect(request.url.origin + request.url.pathname).toBe(`${op.issuer}/auth`);
    expect(Object.fromEntries(params)).toMatchObject({
      client_id: CLIENT_ID,
      response_type: 'code',
      redirect_uri: REDIRECT_URI,
      scope: 'openid email',
      state: request.state,
      nonce: request.nonce,
      code_challenge_method: 'S256',
      code_challenge: await calculatePKCECodeChallenge(request.codeVerifier),
      prompt: 'consent',
      max_age: '300',
      login_hint: 'alice@example.test',
      ui_locales: 'fr',
    });
    expect(params.getAll('resource')).toEqual(['https://api.example.test/', 'https://other.example.test/']);
    expect(request.maxAge).toBe(300);
    expect(request.codeVerifier).toMatch(/^[\w-]{43,128}$/);
    expect(again.state).not.toBe(request.state);
    expect(again.nonce).not.toBe(request.nonce);
    expect(again.codeVerifier).not.toBe(request.codeVerifier);
    expect(again.url.searchParams.get('scope')).toBe('openid');
    expect(op.calls).toHaveLength(0);
  });

  it('refuses extraParams that would replace protocol parameters', async () => {
    const op = await FakeOP.create();
    const error = await rejection(
      op.client().createAuthorizationUrl({ extraParams: { code_challenge_method: 'plain' } }),
    );
    expect(ConfigurationError.is(error)).toBe(true);
    expect(error.code).toBe('invalid_argument');
  });

  it('needs a redirectUri', async () => {
    const op = await FakeOP.create();
    const error = await rejection(op.client({ redirectUri: undefined }).createAuthorizationUrl());
    expect(error).toMatchObject({ name: 'ConfigurationError', code: 'missing_redirect_uri' });
  });

  it('sends dpop_jkt when the client uses DPoP', async () => {
    const op = await FakeOP.create();
    const keyPair = await generateKeyPair('ES256', { extractable: true });
    const request = await op.client({ dpop: keyPair }).createAuthorizationUrl();
    expect(request.url.searchParams.get('dpop_jkt')).toBe(
      await calculateJwkThumbprint(await exportJWK(keyPair.publicKey)),
    );
  });
});

describe('pushed authorization requests (RFC 9126)', () => {
  function parOp(op: FakeOP) {
    return op.on('/par', () => json({ request_uri: 'urn:ietf:params:oauth:request_uri:abc', expires_in: 60 }, 201));
  }

  it('pushes the parameters, authenticated, and leaves only client_id and request_uri in the URL', async () => {
    const op = parOp(await FakeOP.create());
    const request = await op.client().createAuthorizationUrl({ scope: 'openid profile', par: true });

    expect([...request.url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    expect(request.url.searchParams.get('request_uri')).toBe('urn:ietf:params:oauth:request_uri:abc');
    const [call] = op.callsTo('/par');
    expect(call!.method).toBe('POST');
    expect(basicCredentials(call!.headers.get('authorization'))).toEqual([CLIENT_ID, CLIENT_SECRET]);
    expect(Object.fromEntries(call!.body)).toMatchObject({
      client_id: CLIENT_ID,
      state: request.state,
      nonce: request.nonce,
      code_challenge_method: 'S256',
      scope: 'openid profile',
    });
  });

  it('pushes without being asked when the provider requires it', async () => {
    const op = parOp(await FakeOP.create());
    op.metadata.require_pushed_authorization_requests = true;
    const request = await op.client().createAuthorizationUrl();
    expect(request.url.searchParams.has('request_uri')).toBe(true);
    expect(op.callsTo('/par')).toHaveLength(1);
  });

  it('reports a PAR refusal as OAuthError', async () => {
    const op = await FakeOP.create();
    op.on('/par', () => json({ error: 'invalid_request', error_description: 'bad scope' }, 400));
    const error = await rejection(op.client().createAuthorizationUrl({ par: true }));
    expect(OAuthError.is(error)).toBe(true);
    expect(error).toMatchObject({ code: 'invalid_request', status: 400 });
  });

  it('refuses par: true when the provider has no PAR endpoint', async () => {
    const op = await FakeOP.create();
    delete op.metadata.pushed_authorization_request_endpoint;
    const error = await rejection(op.client().createAuthorizationUrl({ par: true }));
    expect(error).toMatchObject({ name: 'ConfigurationError', code: 'missing_endpoint' });
  });
});
