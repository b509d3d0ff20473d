// The edge token source (core's client-credentials client, without oauth4webapi or the OAuthClient)
// against the certified OpenID Provider and the mock: every client authentication method the targets
// register, the tokens verified by core's resource-server verifier, and the provider's refusal typed.
// @keyway/edge is imported from its source: this suite's package depends on core alone.
import { createAccessTokenVerifier, OAuthError } from '@keyway/core';
import { expectError } from '@keyway/test-support';
import { describe, expect, it } from 'vitest';
import { createEdgeTokenSource } from '../../../packages/edge/src/index.ts';
import { API_RESOURCE } from '../src/provider.ts';
import { TARGETS } from '../src/target.ts';
import { useTarget } from './use-target.ts';

describe.each(TARGETS)('createEdgeTokenSource (client credentials) against %s', (name) => {
  const op = useTarget(name);

  // The mock has no client_secret_jwt method (InteropTarget.clients.secretJwt), so no such case runs there.
  const clients = ['basic', 'post', 'privateKeyJwt', ...(name === 'mock' ? [] : ['secretJwt' as const])] as const;
  it.each(clients)('gets, caches and verifies an access token with the %s client', async (kind) => {
    const registered = op.clients[kind];
    expect(registered, `${name} registers a ${kind} client`).toBeDefined();
    if (!registered) {
      return;
    }
    const source = createEdgeTokenSource({
      issuer: op.issuer,
      clientId: registered.clientId,
      tokenEndpointAuthMethod: registered.tokenEndpointAuthMethod,
      ...(registered.clientSecret === undefined ? {} : { clientSecret: registered.clientSecret }),
      ...(registered.privateKey === undefined ? {} : { privateKey: registered.privateKey }),
      scope: 'api:read',
      resource: API_RESOURCE,
    });

    const tokens = await source.getToken();
    expect(await source.getToken()).toEqual(tokens);
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.expires_at).toBeGreaterThan(Date.now() / 1000);

    const verifier = createAccessTokenVerifier({ issuer: op.issuer, audience: API_RESOURCE });
    expect(await verifier.verify(tokens.access_token, { requiredScopes: ['api:read'] })).toMatchObject({
      iss: op.issuer,
      aud: API_RESOURCE,
      client_id: registered.clientId,
    });
  });

  it('reports a resource the server does not know as OAuthError invalid_target', async () => {
    const { clientId, clientSecret } = op.clients.basic;
    const source = createEdgeTokenSource({
      issuer: op.issuer,
      clientId,
      ...(clientSecret === undefined ? {} : { clientSecret }),
      scope: 'api:read',
      resource: 'https://unknown.example.test/',
    });
    await expectError(source.getToken(), OAuthError, 'invalid_target');
  });

  it('reports a wrong secret as OAuthError invalid_client, without the secret in the message', async () => {
    const source = createEdgeTokenSource({
      issuer: op.issuer,
      clientId: op.clients.basic.clientId,
      clientSecret: 'not-the-registered-secret',
      scope: 'api:read',
      resource: API_RESOURCE,
    });
    const error = await expectError(source.getToken(), OAuthError, 'invalid_client');
    expect(String(error)).not.toContain('not-the-registered-secret');
  });
});
