/*
 * RFC 9728 discovery end to end, in workerd: an OAuth client that knows nothing but the MCP server's URL
 * gets a bare 401, follows `resource_metadata` from its WWW-Authenticate, finds the issuer in the
 * metadata document, discovers it (@keyway/mocks listening on 127.0.0.1), gets a token for the
 * resource, and the retry succeeds. The Worker (test/mcp-worker.ts) fetches the issuer over the
 * loopback network itself: no outbound service in between.
 */
import { discover } from '@keyway/core';
import { createMockKeyway, type MockServer } from '@keyway/mocks';
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorker, startWorker } from './workerd.ts';

const MCP = 'https://worker.example.com/mcp';
const mock = createMockKeyway();
let server: MockServer;
let worker: Miniflare;

beforeAll(async () => {
  server = await mock.listen(0);
  worker = await startWorker(await bundleWorker('./mcp-worker.ts'), { bindings: { KEYWAY_ISSUER: server.url } });
}, 60_000);

afterAll(async () => {
  await worker?.dispose();
  await server?.close();
});

/** The MCP client's call: a JSON-RPC POST, with a token once it has one. */
async function call(token?: string) {
  const response = await worker.dispatchFetch(MCP, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize' }),
  });
  return { status: response.status, challenge: response.headers.get('www-authenticate'), body: await response.text() };
}

/** A challenge parameter's value (the values here have no escaped quotes). */
function param(challenge: string, name: string): string | undefined {
  return new RegExp(`(?:^|[\\s,])${name}="([^"]*)"`).exec(challenge)?.[1];
}

describe('an RFC 9728 client against a Worker in workerd', () => {
  it('goes from a bare 401 to the issuer, gets a token for the resource, and the retry succeeds', async () => {
    const first = await call();
    expect(first.status).toBe(401);
    const challenge = first.challenge ?? '';
    expect(challenge).toMatch(/^Bearer /);
    const metadataUrl = param(challenge, 'resource_metadata');
    expect(metadataUrl).toBe('https://worker.example.com/.well-known/oauth-protected-resource/mcp');

    const metadata = await worker.dispatchFetch(metadataUrl!);
    expect(metadata.headers.get('content-type')).toBe('application/json');
    const document = (await metadata.json()) as {
      resource: string;
      authorization_servers: string[];
      scopes_supported: string[];
    };
    expect(document).toMatchObject({
      resource: MCP,
      authorization_servers: [server.url],
      scopes_supported: ['mcp:tools'],
      bearer_methods_supported: ['header'],
      resource_name: 'Example MCP server',
    });

    const [issuer] = document.authorization_servers;
    const client = await discover(issuer!, { clientId: 'test-client', clientSecret: 'test-secret' });
    const tokens = await client.clientCredentials({
      scope: document.scopes_supported.join(' '),
      resource: document.resource,
    });

    const retry = await call(tokens.access_token);
    expect({ status: retry.status, body: JSON.parse(retry.body) }).toEqual({
      status: 200,
      body: { jsonrpc: '2.0', id: 1, result: { method: 'initialize', sub: expect.any(String) } },
    });
    expect(mock.callsTo('getJwks').length).toBeGreaterThan(0); // the Worker fetched the keys from 127.0.0.1 itself
  });

  it('a token for the resource without its scope: 403 naming the scope and the metadata', async () => {
    const client = await discover(server.url, { clientId: 'test-client', clientSecret: 'test-secret' });
    const tokens = await client.clientCredentials({ scope: 'other', resource: MCP });
    const refused = await call(tokens.access_token);
    expect(refused.status).toBe(403);
    expect(param(refused.challenge ?? '', 'scope')).toBe('mcp:tools');
    expect(param(refused.challenge ?? '', 'resource_metadata')).toBe(
      'https://worker.example.com/.well-known/oauth-protected-resource/mcp',
    );
  });
});
