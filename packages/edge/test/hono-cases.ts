/*
 * What the Hono app of hono-app.ts must answer on every runtime, asserted the same way for each: the
 * workerd and Bun suites hand over how to send a request to it. Node runs it in src/hono.test.ts.
 */
import { DPOP_ALGORITHMS } from '@keyway/core';
import type { MockKeyway } from '@keyway/mocks';
import { expect } from 'vitest';
import { AUDIENCE } from './hono-app.ts';

const METADATA_URL = `${AUDIENCE}/.well-known/oauth-protected-resource`;
const RM = `resource_metadata="${METADATA_URL}"`;
const DPOP = `DPoP realm="${AUDIENCE}", algs="ES256 ES384 ES512 RS256 RS384 RS512 PS256 PS384 PS512 EdDSA", ${RM}`;

/**
 * Sends the app a valid token, none, one without the scope, and asks for its metadata; `send` gets
 * the path and headers (the runtime's own origin is the sender's business). `userAgent` is what the
 * runtime's `navigator.userAgent` starts with.
 */
export async function expectHonoApp(
  send: (path: string, headers?: Record<string, string>) => Promise<Response>,
  mock: MockKeyway,
  userAgent: string,
): Promise<void> {
  const token = await mock.mintAccessToken({ aud: AUDIENCE, scope: 'things:read', sub: 'usr_hono' });
  const ok = await send('/things', { authorization: `Bearer ${token}` });
  expect(ok.status).toBe(200);
  const body = (await ok.json()) as { sub: string; scopes: string[]; runtime: string };
  expect(body).toMatchObject({ sub: 'usr_hono', scopes: ['things:read'] });
  expect(body.runtime.startsWith(userAgent)).toBe(true);

  const missing = await send('/things');
  expect({ status: missing.status, challenge: missing.headers.get('www-authenticate') }).toEqual({
    status: 401,
    challenge: `Bearer realm="${AUDIENCE}", ${RM}, ${DPOP}`,
  });
  expect(await missing.json()).toEqual({
    error: 'unauthorized',
    error_description: 'The request carries no access token.',
  });

  const narrow = await mock.mintAccessToken({ aud: AUDIENCE, scope: 'other' });
  const forbidden = await send('/things', { authorization: `Bearer ${narrow}` });
  expect({ status: forbidden.status, challenge: forbidden.headers.get('www-authenticate') }).toEqual({
    status: 403,
    challenge: `Bearer realm="${AUDIENCE}", error="insufficient_scope", error_description="The access token lacks a scope this request needs.", scope="things:read", ${RM}, ${DPOP}`,
  });

  const metadata = await send('/.well-known/oauth-protected-resource');
  expect(await metadata.json()).toEqual({
    resource: AUDIENCE,
    authorization_servers: [mock.issuer],
    scopes_supported: ['things:read'],
    bearer_methods_supported: ['header'],
    dpop_signing_alg_values_supported: [...DPOP_ALGORITHMS],
  });
}
