import { discover, OAuthError, TokenValidationError } from '@keyway/core';
import { expectError } from '@keyway/test-support';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { API_RESOURCE } from '../src/provider.ts';
import { TARGETS } from '../src/target.ts';
import { useTarget } from './use-target.ts';

describe.each(TARGETS)('client credentials against %s', (name) => {
  const op = useTarget(name);

  it.each(['basic', 'post', 'privateKeyJwt'] as const)(
    'gets an RFC 9068 JWT for the API with the %s client and verifies it',
    async (client) => {
      const oauth = await discover(op.issuer, op.clients[client]);

      const tokens = await oauth.clientCredentials({ scope: 'api:read', resource: API_RESOURCE });

      expect(tokens.token_type.toLowerCase()).toBe('bearer');
      expect(tokens.scope).toBe('api:read');
      expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({ typ: 'at+jwt', alg: op.apiTokenAlg });
      const claims = await oauth.verifyAccessToken(tokens.access_token, {
        audience: API_RESOURCE,
        requiredScopes: ['api:read'],
      });
      expect(claims).toMatchObject({
        iss: op.issuer,
        aud: API_RESOURCE,
        sub: op.clients[client].clientId,
        client_id: op.clients[client].clientId,
        scope: 'api:read',
      });
    },
  );

  it('signs the private_key_jwt assertion with a CryptoKey and its kid', async () => {
    const { privateCryptoKey, ...registered } = op.clients.privateKeyJwt;
    const client = await discover(op.issuer, {
      ...registered,
      privateKey: { key: privateCryptoKey!, kid: 'rp-key-1' },
    });

    const tokens = await client.clientCredentials({ scope: 'api:write', resource: API_RESOURCE });

    expect(decodeJwt(tokens.access_token)).toMatchObject({ client_id: 'jwt-client', scope: 'api:write' });
  });

  it('refuses the JWT for another audience or a scope it lacks', async () => {
    const client = await discover(op.issuer, op.clients.basic);
    const { access_token } = await client.clientCredentials({ scope: 'api:read', resource: API_RESOURCE });

    await expectError(
      client.verifyAccessToken(access_token, { audience: 'https://other.example.test/' }),
      TokenValidationError,
      'aud_mismatch',
    );
    await expectError(
      client.verifyAccessToken(access_token, { audience: API_RESOURCE, requiredScopes: ['api:write'] }),
      TokenValidationError,
      'insufficient_scope',
    );
  });

  it('reports a resource the server does not know as OAuthError invalid_target', async () => {
    const client = await discover(op.issuer, op.clients.basic);

    await expectError(
      client.clientCredentials({ scope: 'api:read', resource: 'https://unknown.example.test/' }),
      OAuthError,
      'invalid_target',
    );
  });

  it('introspects and revokes a client-credentials token', async () => {
    const client = await discover(op.issuer, op.clients.post);
    const { access_token } = await client.clientCredentials({ scope: 'api:read' });
    if (op.name === 'oidc-provider') {
      // Without a resource, oidc-provider issues opaque access tokens (the mock always signs JWTs).
      expect(() => decodeJwt(access_token)).toThrow();
    }

    expect(await client.introspect(access_token)).toMatchObject({ active: true, client_id: 'post-client' });
    await client.revoke(access_token);
    expect(await client.introspect(access_token)).toEqual({ active: false });
  });

  it('reports a wrong client secret as OAuthError invalid_client', async () => {
    const client = await discover(op.issuer, { ...op.clients.basic, clientSecret: 'wrong-secret' });

    const error = await expectError<OAuthError>(
      client.clientCredentials({ scope: 'api:read' }),
      OAuthError,
      'invalid_client',
    );

    expect(error.error).toBe('invalid_client');
    expect(error.status).toBe(401);
    expect(String(error)).not.toContain('wrong-secret');
  });

  it('reports a wrong client secret sent in the body as OAuthError invalid_client', async () => {
    const client = await discover(op.issuer, { ...op.clients.post, clientSecret: 'wrong-secret' });

    await expectError(client.clientCredentials({ scope: 'api:read' }), OAuthError, 'invalid_client');
  });
});
