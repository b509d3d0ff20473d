/*
 * An MCP client that starts from nothing, against the Worker bundled as wrangler would and run in workerd
 * by miniflare. The issuer is @keyway/mocks listening on 127.0.0.1: the Worker fetches its discovery
 * document and keys over the loopback network, and the client gets its tokens there. The Worker is built as
 * a user builds it: src/ copied into a fresh npm project that installs @keyway/edge from its packed tarball
 * (not the workspace) and hono from the registry.
 */
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { discover } from '@keyway/core';
import { createMockKeyway, type MockServer } from '@keyway/mocks';
import { bundleWorker, npmProject, type PackedWorkspace, packWorkspace } from '@keyway/test-support';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import exampleManifest from '../package.json' with { type: 'json' };

const MCP = 'https://mcp.example.com/mcp';
const METADATA = 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp';
const mock = createMockKeyway();
let server: MockServer;
let worker: Miniflare;
let packed: PackedWorkspace | undefined;
let project: string;

beforeAll(async () => {
  server = await mock.listen(0);
  packed = packWorkspace(['@keyway/edge'], 'keyway-mcp-worker-');
  project = await npmProject(packed, {
    from: fileURLToPath(new URL('..', import.meta.url)),
    files: ['src'],
    keyway: ['@keyway/edge'],
    dependencies: { hono: exampleManifest.dependencies.hono },
  });
  worker = new Miniflare({
    modules: true,
    script: await bundleWorker(join(project, 'src/index.ts')),
    compatibilityDate: '2025-06-01',
    bindings: { KEYWAY_ISSUER: server.url, MCP_RESOURCE: MCP },
  });
  await worker.ready;
}, 180_000);

afterAll(async () => {
  await worker?.dispose();
  await server?.close();
  packed?.remove();
});

it('bundles @keyway/edge and hono installed into a fresh npm project, not the workspace links', () => {
  for (const name of ['@keyway/edge', 'hono']) {
    expect(lstatSync(join(project, 'node_modules', name)).isSymbolicLink(), name).toBe(false);
  }
});

/** A Streamable HTTP POST of `body` (a JSON-RPC message, or raw text) to the MCP endpoint. */
async function post(body: unknown, token?: string) {
  const response = await worker.dispatchFetch(MCP, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    challenge: response.headers.get('www-authenticate') ?? '',
    body: text ? (JSON.parse(text) as unknown) : undefined,
  };
}

/** A challenge parameter's value (the values here have no escaped quotes). */
function param(challenge: string, name: string): string | undefined {
  return new RegExp(`(?:^|[\\s,])${name}="([^"]*)"`).exec(challenge)?.[1];
}

/** A token from the mock through the client credentials grant, as an MCP client on its own behalf gets one. */
async function token(scope: string, resource = MCP): Promise<string> {
  const client = await discover(server.url, { clientId: 'test-client', clientSecret: 'test-secret' });
  return (await client.clientCredentials({ scope, resource })).access_token;
}

/** The `sub` claim of a JWT access token (its payload read, not verified: the Worker verifies). */
function subOf(jwt: string): string {
  return (JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as { sub: string }).sub;
}

const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test-client', version: '1.0.0' } },
};

describe('an MCP client that knows only the server URL', () => {
  it('follows the 401 to the metadata and the issuer, gets a token for the resource, then initializes and calls a tool', async () => {
    const first = await post(initialize);
    expect(first.status).toBe(401);
    expect(first.challenge).toMatch(/^Bearer /);
    const metadataUrl = param(first.challenge, 'resource_metadata');
    expect(metadataUrl).toBe(METADATA);

    const metadataResponse = await worker.dispatchFetch(metadataUrl!);
    expect(metadataResponse.status).toBe(200);
    const metadata = (await metadataResponse.json()) as {
      resource: string;
      authorization_servers: string[];
      scopes_supported: string[];
    };
    expect(metadata).toMatchObject({
      resource: MCP,
      authorization_servers: [server.url],
      scopes_supported: ['mcp:tools'],
      bearer_methods_supported: ['header'],
    });

    const client = await discover(metadata.authorization_servers[0]!, {
      clientId: 'test-client',
      clientSecret: 'test-secret',
    });
    const { access_token } = await client.clientCredentials({
      scope: metadata.scopes_supported.join(' '),
      resource: metadata.resource,
    });

    const init = await post(initialize, access_token);
    expect(init).toMatchObject({
      status: 200,
      body: {
        jsonrpc: '2.0',
        id: 1,
        result: {
          protocolVersion: '2025-06-18',
          capabilities: { tools: {} },
          serverInfo: { name: 'keyway-mcp-worker' },
        },
      },
    });
    expect(await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, access_token)).toEqual({
      status: 202,
      challenge: '',
      body: undefined,
    });

    const list = await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, access_token);
    expect(list.body).toMatchObject({ id: 2, result: { tools: [{ name: 'whoami' }] } });

    const call = await post(
      { jsonrpc: '2.0', id: 'call-3', method: 'tools/call', params: { name: 'whoami', arguments: {} } },
      access_token,
    );
    const sub = subOf(access_token);
    expect(sub).toBeTruthy();
    expect(call).toMatchObject({
      status: 200,
      body: {
        jsonrpc: '2.0',
        id: 'call-3',
        result: { structuredContent: { sub, client_id: 'test-client', scopes: ['mcp:tools'] } },
      },
    });
    const { content } = (call.body as { result: { content: Array<{ type: string; text: string }> } }).result;
    expect(JSON.parse(content[0]!.text)).toMatchObject({ sub });
  });

  it('names the user the token was issued for, not a fixed value', async () => {
    const access = await mock.mintAccessToken({ aud: MCP, scope: 'mcp:tools', sub: 'usr_ann' });
    const call = await post({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'whoami' } }, access);
    expect(call.body).toMatchObject({ id: 7, result: { structuredContent: { sub: 'usr_ann' } } });
  });
});

describe('refusals', () => {
  it('a token for another audience: 401 invalid_token, with the metadata named again', async () => {
    const refused = await post(initialize, await token('mcp:tools', 'https://elsewhere.example.com/api'));
    expect(refused.status).toBe(401);
    expect(param(refused.challenge, 'error')).toBe('invalid_token');
    expect(param(refused.challenge, 'resource_metadata')).toBe(METADATA);
  });

  it('a token for the resource without the mcp:tools scope: 403 insufficient_scope naming the scope', async () => {
    const refused = await post(initialize, await token('other'));
    expect(refused.status).toBe(403);
    expect(param(refused.challenge, 'error')).toBe('insufficient_scope');
    expect(param(refused.challenge, 'scope')).toBe('mcp:tools');
    expect(param(refused.challenge, 'resource_metadata')).toBe(METADATA);
  });

  it('a token from an issuer the server does not trust: 401 invalid_token', async () => {
    const stranger = createMockKeyway({ issuer: server.url }); // same issuer name, keys of its own
    const refused = await post(initialize, await stranger.mintAccessToken({ aud: MCP, scope: 'mcp:tools' }));
    expect(refused.status).toBe(401);
    expect(param(refused.challenge, 'error')).toBe('invalid_token');
  });
});

describe('bad JSON-RPC from a signed-in client: JSON-RPC errors, never a 500', () => {
  let access: string;
  beforeAll(async () => {
    access = await token('mcp:tools');
  });

  it.each([
    ['a body that is not JSON', '{"jsonrpc": "2.0", "id": 1, "method":', 400, -32700, null],
    ['an empty body', '', 400, -32700, null],
    ['JSON that is no JSON-RPC message', '[1, 2, 3]', 400, -32600, null],
    ['a message without jsonrpc 2.0', { id: 4, method: 'ping' }, 400, -32600, null],
    ['a method that is not a string', { jsonrpc: '2.0', id: 5, method: 42 }, 400, -32600, 5],
    ['an id that is an object', { jsonrpc: '2.0', id: { a: 1 }, method: 'ping' }, 400, -32600, null],
    ['params that are not an object', { jsonrpc: '2.0', id: 6, method: 'tools/list', params: 'x' }, 200, -32602, 6],
    ['an unknown method', { jsonrpc: '2.0', id: 8, method: 'resources/list' }, 200, -32601, 8],
    ['an unknown tool', { jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'rm' } }, 200, -32602, 9],
    [
      'tool arguments that are not an object',
      { jsonrpc: '2.0', id: 10, method: 'tools/call', params: { name: 'whoami', arguments: [1] } },
      200,
      -32602,
      10,
    ],
  ])('%s', async (_name, body, status, code, id) => {
    const answer = await post(body, access);
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({ jsonrpc: '2.0', id, error: { code, message: expect.any(String) } });
  });

  it('a body over the limit: 413 with a JSON-RPC error', async () => {
    const answer = await post(
      { jsonrpc: '2.0', id: 11, method: 'ping', params: { pad: 'x'.repeat(1_000_001) } },
      access,
    );
    expect(answer).toMatchObject({ status: 413, body: { error: { code: -32600 } } });
  });

  it('an unsupported MCP-Protocol-Version header: 400', async () => {
    const response = await worker.dispatchFetch(MCP, {
      method: 'POST',
      headers: { authorization: `Bearer ${access}`, 'mcp-protocol-version': '1999-01-01' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 12, method: 'ping' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: -32600 } });
  });

  it('GET on the endpoint (no SSE stream offered): 405 allowing POST', async () => {
    const response = await worker.dispatchFetch(MCP, { headers: { authorization: `Bearer ${access}` } });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    await response.arrayBuffer();
  });
});
