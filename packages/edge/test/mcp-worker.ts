/*
 * A remote MCP server on Workers protected by Keyway, as the edge README's recipe writes it: `withAuth`
 * with `resourceMetadata`, so an MCP client that starts from a bare 401 finds the issuer through RFC 9728.
 * The MCP endpoint answers a JSON-RPC `initialize`-like POST with who called. Bundled and run in workerd
 * by resource-metadata.workerd.test.ts.
 */
import { withAuth } from '../src/index.ts';

interface Env {
  KEYWAY_ISSUER: string;
}

const RESOURCE = 'https://worker.example.com/mcp';

export default {
  fetch: withAuth<Env>(
    async (request, _env, _ctx, auth) => {
      if (new URL(request.url).pathname !== '/mcp') {
        return new Response('not found', { status: 404 });
      }
      const call = (await request.json()) as { id?: unknown; method?: unknown };
      return Response.json({ jsonrpc: '2.0', id: call.id, result: { method: call.method, sub: auth.claims.sub } });
    },
    {
      verifier: (env) => ({ issuer: env.KEYWAY_ISSUER, audience: RESOURCE, retry: false }),
      requiredScopes: ['mcp:tools'],
      resourceMetadata: { resource: RESOURCE, resourceName: 'Example MCP server' },
    },
  ),
};
