import { exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { basicCredentials, CLIENT_ID, CLIENT_SECRET, FakeOP, json, rejection } from '../../test/oauth/fake-op.js';
import { ConfigurationError } from '../errors.js';
import { OAuthClient } from './oauth-client.js';

async function tokenCall(options: ConstructorParameters<typeof OAuthClient>[1] | Record<string, unknown>) {
  const op = await FakeOP.create();
  op.on('/token', () => json({ access_token: 'at', token_type: 'Bearer' }));
  await op.client(options).clientCredentials({ scope: 'api' });
  const [call] = op.callsTo('/token');
  return { op, call: call! };
}

describe('client authentication on the wire', () => {
  it('client_secret_basic (the default with a secret): form-encoded credentials in a Basic header', async () => {
    const { call } = await tokenCall({ clientId: 'id:with space', clientSecret: 'p@ss/w:rd' });
    const header = call.headers.get('authorization') ?? '';
    // Form-encoded before base64 (RFC 6749 §2.3.1), so the ':' inside the id cannot split it.
    expect(atob(header.replace('Basic ', '')).split(':')).toHaveLength(2);
    expect(basicCredentials(header)).toEqual(['id:with space', 'p@ss/w:rd']);
    expect(call.body.has('client_secret')).toBe(false);
    expect(Object.fromEntries(call.body)).toEqual({ grant_type: 'client_credentials', scope: 'api' });
  });

  it('client_secret_post: client_id and client_secret in the body, no Authorization header', async () => {
    const { call } = await tokenCall({ tokenEndpointAuthMethod: 'client_secret_post' });
    expect(call.headers.has('authorization')).toBe(false);
    expect(Object.fromEntries(call.body)).toMatchObject({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
  });

  it('private_key_jwt (the default with a key): a signed client_assertion for the issuer', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), kid: 'rp-key-1', alg: 'ES256' };
    for (const key of [jwk, { key: privateKey, kid: 'rp-key-1' }]) {
      const { op, call } = await tokenCall({ clientSecret: undefined, privateKey: key });
      expect(call.headers.has('authorization')).toBe(false);
      expect(call.body.get('client_id')).toBe(CLIENT_ID);
      expect(call.body.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      const { payload, protectedHeader } = await jwtVerify(call.body.get('client_assertion') ?? '', publicKey, {
        issuer: CLIENT_ID,
        subject: CLIENT_ID,
        audience: op.issuer,
      });
      expect(protectedHeader).toMatchObject({ alg: 'ES256', kid: 'rp-key-1' });
      expect(payload.jti).toEqual(expect.any(String));
      expect(payload.exp).toBeGreaterThan(payload.iat ?? 0);
    }
  });

  it('none (the default without credentials): only client_id in the body', async () => {
    const { call } = await tokenCall({ clientSecret: undefined });
    expect(call.headers.has('authorization')).toBe(false);
    expect(Object.fromEntries(call.body)).toEqual({
      grant_type: 'client_credentials',
      scope: 'api',
      client_id: CLIENT_ID,
    });
  });

  it('refuses inconsistent options', async () => {
    const op = await FakeOP.create();
    const metadata = op.metadata as never;
    const build = (options: Record<string, unknown>) => () => new OAuthClient(metadata, { clientId: 'c', ...options });
    expect(build({ tokenEndpointAuthMethod: 'client_secret_post' })).toThrow(
      expect.objectContaining({ code: 'missing_client_secret' }),
    );
    expect(build({ tokenEndpointAuthMethod: 'private_key_jwt' })).toThrow(
      expect.objectContaining({ code: 'missing_private_key' }),
    );
    expect(build({ tokenEndpointAuthMethod: 'tls_client_auth' })).toThrow(
      expect.objectContaining({ code: 'invalid_auth_method' }),
    );
    expect(() => new OAuthClient(metadata, { clientId: '' })).toThrow(ConfigurationError);
  });

  it('refuses a public JWK as the private key, without quoting it', async () => {
    const { publicKey } = await generateKeyPair('ES256', { extractable: true });
    const op = await FakeOP.create();
    const error = await rejection(
      op.client({ clientSecret: undefined, privateKey: await exportJWK(publicKey) }).clientCredentials(),
    );
    expect(error).toMatchObject({ name: 'ConfigurationError', code: 'invalid_private_key' });
  });
});
