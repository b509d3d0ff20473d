/*
 * A remote MCP server on Cloudflare Workers, written with Hono and protected by Keyway. `keywayAuth`
 * guards every path: it serves the RFC 9728 Protected Resource Metadata (no token needed) and lets
 * through only requests whose access token was issued by KEYWAY_ISSUER for this MCP endpoint
 * (`aud` = MCP_RESOURCE) with the `mcp:tools` scope. An MCP client that starts from nothing gets a 401
 * naming the metadata, finds the issuer there, gets a token for the resource and retries.
 */
import { type KeywayVariables, keywayAuth } from '@keyway/edge/hono';
import { type ExecutionContext, Hono } from 'hono';
import { handleMcpPost } from './mcp.ts';

export interface Bindings {
  /** The issuer, e.g. https://auth.example.com (a `[vars]` entry in wrangler.toml). */
  KEYWAY_ISSUER: string;
  /** This MCP endpoint's public URL, e.g. https://mcp.example.com/mcp: the resource its tokens are for. */
  MCP_RESOURCE: string;
}

/** The scope a token needs to use the server's tools. (A Worker module exports only its handler.) */
const MCP_SCOPE = 'mcp:tools';

type AppEnv = { Bindings: Bindings; Variables: KeywayVariables };

function createApp(resource: string): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(
    '*',
    keywayAuth<{ Bindings: Bindings }>({
      verifier: (env) => ({ issuer: env.KEYWAY_ISSUER, audience: resource }),
      requiredScopes: [MCP_SCOPE],
      resourceMetadata: { resource, resourceName: 'Keyway MCP example' },
    }),
  );
  const path = new URL(resource).pathname;
  app.post(path, (c) => {
    const { claims, scopes } = c.get('auth');
    return handleMcpPost(c.req.raw, { sub: claims.sub, clientId: claims.client_id, scopes });
  });
  // No server-initiated SSE stream and no sessions: Streamable HTTP answers GET and DELETE with 405.
  app.on(['GET', 'DELETE'], path, (c) => c.body(null, 405, { allow: 'POST' }));
  return app;
}

// One app (and so one verifier with its key cache) per resource URL, made on the isolate's first request.
const apps = new Map<string, Hono<AppEnv>>();

export default {
  fetch(request: Request, env: Bindings, ctx: ExecutionContext): Response | Promise<Response> {
    let app = apps.get(env.MCP_RESOURCE);
    if (!app) {
      app = createApp(env.MCP_RESOURCE);
      apps.set(env.MCP_RESOURCE, app);
    }
    return app.fetch(request, env, ctx);
  },
};
