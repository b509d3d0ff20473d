// Every request under /api is verified on the edge runtime before it reaches a route: no token, a bad
// one or a missing scope is answered here with the refusal (401/403 + WWW-Authenticate); a verified
// request goes on with its claims in a request header the route reads.
import { keywayMiddleware } from '@keyway/edge';
import { type NextFetchEvent, type NextRequest, NextResponse } from 'next/server';

/** The request header that carries the verified claims to the route (URI-encoded JSON). */
const CLAIMS_HEADER = 'x-keyway-claims';

const issuer = process.env.KEYWAY_ISSUER;
if (!issuer) {
  // Fails every /api request (500, this message in the server log) rather than trust a default issuer.
  throw new Error('middleware.ts: set KEYWAY_ISSUER to the issuer URL of your Keyway tenant.');
}

const auth = keywayMiddleware({
  verifier: {
    issuer,
    audience: process.env.KEYWAY_AUDIENCE ?? 'https://app.example.com',
  },
  requiredScopes: ['api:read'],
  skip: (request) => request.method === 'OPTIONS', // CORS preflights
  onAuthenticated: (request, { claims }) => {
    const headers = new Headers(request.headers);
    // Replaces whatever the client sent under this name: only the middleware writes it.
    headers.set(CLAIMS_HEADER, encodeURIComponent(JSON.stringify(claims)));
    return NextResponse.next({ request: { headers } });
  },
});

export async function middleware(request: NextRequest, event: NextFetchEvent) {
  const response = (await auth(request, event)) ?? NextResponse.next();
  // Shows where this ran: Next compiles middleware for the edge runtime.
  response.headers.set('x-middleware-runtime', process.env.NEXT_RUNTIME ?? 'unknown');
  return response;
}

export const config = { matcher: ['/api/:path*'] }; // only these paths are verified
