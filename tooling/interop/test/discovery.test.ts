import { discover, InvalidResponseError } from '@keyway/core';
import { expectError } from '@keyway/test-support';
import { describe, expect, it } from 'vitest';
import { TARGETS } from '../src/target.ts';
import { ADVERTISED_FEATURES, expectEndpointsBelow } from './raw-protocol.ts';
import { useTarget } from './use-target.ts';

describe.each(TARGETS)('discovery against %s', (name) => {
  const op = useTarget(name);

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
      ...ADVERTISED_FEATURES,
    });
    expectEndpointsBelow(client.metadata, op.issuer, []);
  });

  it('refuses metadata that names another issuer (localhost asked, 127.0.0.1 answered)', async () => {
    const other = op.issuer.replace('127.0.0.1', 'localhost');
    await expectError(discover(other, op.clients.basic), InvalidResponseError, 'issuer_mismatch');
  });

  it('refuses an issuer that differs by a trailing slash', async () => {
    await expectError(discover(`${op.issuer}/`, op.clients.basic), InvalidResponseError, 'issuer_mismatch');
  });
});
