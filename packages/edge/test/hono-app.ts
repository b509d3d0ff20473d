/*
 * One Hono app behind `keywayAuth`, as a user writes it, for the runtime suites: workerd runs it as a
 * Worker (hono.workerd.test.ts; the issuer from the `KEYWAY_ISSUER` binding), Bun serves it
 * (hono-bun.ts). `/things` needs `things:read`; the resource's RFC 9728 metadata is served too.
 */
import { Hono } from 'hono';
import { keywayAuth } from '../src/hono.ts';

export type Bindings = { KEYWAY_ISSUER: string };

export const AUDIENCE = 'https://api.example.com';

/** The app for an issuer: from `c.env` on Workers, else the one given. */
export function honoApp(issuer?: string) {
  return new Hono<{ Bindings: Bindings }>()
    .use(
      '*',
      keywayAuth<{ Bindings: Bindings }>({
        verifier: (env) => ({ issuer: issuer ?? env.KEYWAY_ISSUER, audience: AUDIENCE, retry: false }),
        requiredScopes: ['things:read'],
        resourceMetadata: { resource: AUDIENCE },
      }),
    )
    .get('/things', (c) => {
      const auth = c.get('auth');
      const runtime = (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent ?? 'no navigator';
      return c.json({ sub: auth.claims.sub, scopes: auth.scopes, runtime });
    });
}
