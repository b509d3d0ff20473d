// Reached only through middleware.ts, which verified the token and put its claims in a request header.
export const dynamic = 'force-dynamic';

export function GET(request: Request): Response {
  const claims = request.headers.get('x-keyway-claims');
  if (claims === null) {
    // The middleware did not run (a matcher that misses this path): refuse rather than trust nobody.
    return Response.json({ error: 'not_verified' }, { status: 500 });
  }
  return Response.json({ claims: JSON.parse(decodeURIComponent(claims)), runtime: process.env.NEXT_RUNTIME });
}
