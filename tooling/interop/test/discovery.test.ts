import { discover, InvalidResponseError } from '@keyway/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from '../src/expect-error.ts';
import { type InteropTarget, startTarget, TARGETS } from '../src/target.ts';

describe.each(TARGETS)('discovery against %s', (name) => {
  let op: InteropTarget;

  beforeAll(async () => {
    op = await startTarget(name);
  });
  afterAll(async () => {
    await op?.close();
  });

  // First in the block: discovery metadata is cached per issuer, so only the first calls go out.
  it('makes one request for concurrent discover() calls on one issuer', async () => {
    const seen: string[] = [];
    const counting: typeof fetch = (input, init) => {
      seen.push(input instanceof Request ? input.url : String(input));
      return fetch(input, init);
    };

    const clients = await Promise.all(
      Array.from({ length: 3 }, () => discover(op.issuer, { ...op.clients.basic, fetch: counting })),
    );

    expect(clients.map((client) => client.metadata.issuer)).toEqual([op.issuer, op.issuer, op.issuer]);
    expect(seen.filter((url) => url.includes('/.well-known/'))).toHaveLength(1);
  });

  it('reads the issuer metadata and builds a client on it', async () => {
    const client = await discover(op.issuer, op.clients.basic);

    expect(client.metadata).toMatchObject({
      issuer: op.issuer,
      token_endpoint: `${op.issuer}${op.paths.token}`,
      authorization_endpoint: `${op.issuer}${op.paths.authorization}`,
      jwks_uri: `${op.issuer}${op.paths.jwks}`,
      end_session_endpoint: `${op.issuer}${op.paths.endSession}`,
      authorization_response_iss_parameter_supported: true,
      code_challenge_methods_supported: ['S256'],
      dpop_signing_alg_values_supported: expect.arrayContaining(['ES256']),
      token_endpoint_auth_methods_supported: expect.arrayContaining([
        'client_secret_basic',
        'client_secret_post',
        'private_key_jwt',
        'none',
      ]),
      grant_types_supported: expect.arrayContaining([
        'authorization_code',
        'refresh_token',
        'client_credentials',
        'urn:ietf:params:oauth:grant-type:device_code',
        'urn:ietf:params:oauth:grant-type:token-exchange',
      ]),
    });
    for (const endpoint of [
      'device_authorization_endpoint',
      'introspection_endpoint',
      'revocation_endpoint',
      'pushed_authorization_request_endpoint',
      'userinfo_endpoint',
    ]) {
      expect(client.metadata[endpoint], endpoint).toMatch(new RegExp(`^${op.issuer}/`));
    }
  });

  it('refuses metadata that names another issuer (localhost asked, 127.0.0.1 answered)', async () => {
    const other = op.issuer.replace('127.0.0.1', 'localhost');
    await expectError(discover(other, op.clients.basic), InvalidResponseError, 'issuer_mismatch');
  });

  it('refuses an issuer that differs by a trailing slash', async () => {
    await expectError(discover(`${op.issuer}/`, op.clients.basic), InvalidResponseError, 'issuer_mismatch');
  });
});
