import { exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { basicCredentials, CLIENT_ID, CLIENT_SECRET, FakeOP, json, rejection } from '../../test/oauth/fake-op.js';
import { ConfigurationError } from '../errors.js';
import { OAuthClient } from './oauth-client.js';
import type { OAuthClientOptions } from './types.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

async function setup(options: Partial<OAuthClientOptions> = {}) {
  const op = await FakeOP.create();
  op.on('/token', () => json({ access_token: 'at', token_type: 'Bearer' }));
  op.on('/introspect', () => json({ active: true }));
  op.on('/revoke', () => new Response(null, { status: 200 }));
  return { op, client: op.client(options) };
}

describe('client_secret_jwt', () => {
  it('signs an HS256 assertion with the client secret, for the issuer, at the token endpoint', async () => {
    const { op, client } = await setup({ tokenEndpointAuthMethod: 'client_secret_jwt' });
    expect(client.tokenEndpointAuthMethod).toBe('client_secret_jwt');

    await client.clientCredentials({ scope: 'api' });

    const [call] = op.callsTo('/token');
    expect(call!.headers.has('authorization')).toBe(false);
    expect(call!.body.has('client_secret')).toBe(false);
    expect(call!.body.get('client_id')).toBe(CLIENT_ID);
    expect(call!.body.get('client_assertion_type')).toBe(ASSERTION_TYPE);
    const assertion = call!.body.get('client_assertion') ?? '';
    expect(assertion).not.toContain(CLIENT_SECRET);
    const { payload, protectedHeader } = await jwtVerify(assertion, new TextEncoder().encode(CLIENT_SECRET), {
      issuer: CLIENT_ID,
      subject: CLIENT_ID,
      audience: op.issuer,
      algorithms: ['HS256'],
    });
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload.jti).toEqual(expect.any(String));
    expect(payload.exp).toBeGreaterThan(payload.iat ?? 0);

    // A fresh jti each time: an assertion is never replayed.
    await client.clientCredentials({ scope: 'api' });
    const second = op.callsTo('/token')[1]!.body.get('client_assertion') ?? '';
    const jti = (token: string) => JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))).jti;
    expect(jti(second)).not.toBe(jti(assertion));
  });

  it('needs a client secret', async () => {
    const op = await FakeOP.create();
    const build = () =>
      new OAuthClient(op.metadata as never, { clientId: CLIENT_ID, tokenEndpointAuthMethod: 'client_secret_jwt' });
    expect(build).toThrow(expect.objectContaining({ name: 'ConfigurationError', code: 'missing_client_secret' }));
  });
});

describe('introspectionEndpointAuthMethod and revocationEndpointAuthMethod', () => {
  it('default to the token endpoint method', async () => {
    const { op, client } = await setup({ tokenEndpointAuthMethod: 'client_secret_post' });
    expect(client.introspectionEndpointAuthMethod).toBe('client_secret_post');
    expect(client.revocationEndpointAuthMethod).toBe('client_secret_post');
    await client.introspect('t-1');
    await client.revoke('t-1');
    for (const path of ['/introspect', '/revoke']) {
      const [call] = op.callsTo(path);
      expect(call!.headers.has('authorization'), path).toBe(false);
      expect(call!.body.get('client_secret'), path).toBe(CLIENT_SECRET);
    }
  });

  it('authenticate each endpoint with its own method, the token endpoint keeping its own', async () => {
    const { op, client } = await setup({
      introspectionEndpointAuthMethod: 'client_secret_post',
      revocationEndpointAuthMethod: 'client_secret_jwt',
    });
    await client.clientCredentials();
    await client.introspect('t-1');
    await client.revoke('t-1');
    await client.introspect('t-2');

    const [token] = op.callsTo('/token');
    expect(basicCredentials(token!.headers.get('authorization'))).toEqual([CLIENT_ID, CLIENT_SECRET]);
    expect(token!.body.has('client_secret')).toBe(false);
    for (const introspection of op.callsTo('/introspect')) {
      expect(introspection.headers.has('authorization')).toBe(false);
      expect(Object.fromEntries(introspection.body)).toMatchObject({
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
      });
    }
    const [revocation] = op.callsTo('/revoke');
    expect(revocation!.headers.has('authorization')).toBe(false);
    expect(revocation!.body.get('client_assertion_type')).toBe(ASSERTION_TYPE);
    await jwtVerify(revocation!.body.get('client_assertion') ?? '', new TextEncoder().encode(CLIENT_SECRET), {
      audience: op.issuer,
    });
  });

  it('private_key_jwt and none at one endpoint, a secret at the token endpoint', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const { op, client } = await setup({
      privateKey: { ...(await exportJWK(privateKey)), kid: 'rp-1', alg: 'ES256' },
      tokenEndpointAuthMethod: 'client_secret_basic',
      introspectionEndpointAuthMethod: 'private_key_jwt',
      revocationEndpointAuthMethod: 'none',
    });
    await client.introspect('t-1');
    await client.revoke('t-1');
    const [introspection] = op.callsTo('/introspect');
    await jwtVerify(introspection!.body.get('client_assertion') ?? '', publicKey, { audience: op.issuer });
    const [revocation] = op.callsTo('/revoke');
    expect(revocation!.headers.has('authorization')).toBe(false);
    expect(Object.fromEntries(revocation!.body)).toEqual({ token: 't-1', client_id: CLIENT_ID });
  });

  it('are checked where they enter, against the credentials given', async () => {
    const op = await FakeOP.create();
    const build = (options: Record<string, unknown>) => () =>
      new OAuthClient(op.metadata as never, { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...options });
    const cases: [Record<string, unknown>, string][] = [
      [{ introspectionEndpointAuthMethod: 'private_key_jwt' }, 'missing_private_key'],
      [{ revocationEndpointAuthMethod: 'tls_client_auth' }, 'invalid_auth_method'],
      [{ revocationEndpointAuthMethod: '' }, 'invalid_auth_method'],
      [{ introspectionEndpointAuthMethod: null }, 'invalid_auth_method'],
      [{ introspectionEndpointAuthMethod: 'none\r\nx' }, 'invalid_auth_method'],
      [{ clientSecret: undefined, revocationEndpointAuthMethod: 'client_secret_post' }, 'missing_client_secret'],
      [{ clientSecret: '', introspectionEndpointAuthMethod: 'client_secret_jwt' }, 'missing_client_secret'],
    ];
    for (const [options, code] of cases) {
      const error = (() => {
        try {
          build(options)();
        } catch (caught) {
          return caught as ConfigurationError;
        }
        throw new Error(`accepted ${JSON.stringify(options)}`);
      })();
      expect(ConfigurationError.is(error), JSON.stringify(options)).toBe(true);
      expect(error.code, JSON.stringify(options)).toBe(code);
      expect(error.message).not.toMatch(/[\r\n]/);
    }
  });

  it('a refused method at one endpoint never reaches the server', async () => {
    const { publicKey } = await generateKeyPair('ES256', { extractable: true });
    const { op, client } = await setup({
      privateKey: await exportJWK(publicKey),
      tokenEndpointAuthMethod: 'client_secret_basic',
      revocationEndpointAuthMethod: 'private_key_jwt',
    });
    const error = await rejection(client.revoke('t-1'));
    expect(error).toMatchObject({ name: 'ConfigurationError', code: 'invalid_private_key' });
    expect(op.callsTo('/revoke')).toHaveLength(0);
    await client.introspect('t-1');
    expect(op.callsTo('/introspect')).toHaveLength(1);
  });
});
